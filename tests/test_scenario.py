"""Planned parks: normalised layers, before/after figures and the change map's classes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.distances import park_reach, prepare_reach, with_planned_park
from analysis.indicators import WHOLE_AREA
from analysis.network import walk_graph_from
from analysis.scenario import (
    ChangeClass,
    PlannedPark,
    Scenario,
    change_classes,
    coverage_change,
    per_capita_change,
)
from analysis.standards import standards_from_dict
from geo.errors import ScenarioError
from geo.files.schema import planned_parks
from geo.grid import grid_origins
from tests.toy_networks import X0, Y0, river_town


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _standard():
    raw = {
        "standards": [
            {
                "standard_id": "t",
                "target_share": 0.5,
                "tiers": [
                    {"tier_id": "small", "min_area_m2": 400, "radius_m": 300},
                    {"tier_id": "big", "min_area_m2": 10_000, "radius_m": 500},
                ],
            }
        ]
    }
    return standards_from_dict(raw).standard("t")


def _parks(*geoms):
    return gpd.GeoDataFrame(
        {"park_id": [f"p{i}" for i in range(len(geoms))], "area_m2": [g.area for g in geoms]},
        geometry=list(geoms),
        crs=4549,
    )


def _planned(*geoms, **columns):
    return planned_parks(gpd.GeoDataFrame(columns, geometry=list(geoms), crs=4549))


def test_planned_parks_get_ids_areas_and_checked_years():
    frame = _planned(_box(0, 0, 100, 100), _box(500, 0, 520, 20), name=["新公园", None])
    assert list(frame["park_id"]) == ["planned_1", "planned_2"]
    assert frame["area_m2"].tolist() == pytest.approx([10_000, 400], rel=1e-4)
    assert frame.loc[1, "name"].startswith("规划公园 2")
    assert frame.crs.to_epsg() == 4326
    assert frame["planned"].all()
    with pytest.raises(ScenarioError, match="1949-2100"):
        _planned(_box(0, 0, 10, 10), year=[3000])
    with pytest.raises(ScenarioError, match="must be polygons"):
        planned_parks(gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs=4549))
    with pytest.raises(ScenarioError, match="no coordinate"):
        planned_parks(gpd.GeoDataFrame(geometry=[_box(0, 0, 10, 10)]))


def test_a_scenario_hash_follows_its_content():
    park = PlannedPark("A", gpd.GeoSeries([_box(0, 0, 50, 50)], crs=4549).to_crs(4326)[0])
    one = Scenario("s", (park,))
    assert one.content_hash() == Scenario("s", (park,)).content_hash()
    assert one.content_hash() != Scenario("s", (park, park)).content_hash()
    assert one.frame()["area_m2"].iloc[0] == pytest.approx(2500, rel=1e-3)


def test_before_and_after_state_every_zone_tier_and_method():
    graph = walk_graph_from(*river_town())
    area = gpd.GeoDataFrame(geometry=[_box(0, -40, 1000, 0)], crs=4549)
    origins = grid_origins(area, cell_m=40)
    existing = _parks(_box(100, 90, 200, 150))  # north bank: buffer reaches, walk does not
    prepared = prepare_reach(origins, existing, graph=graph)
    before = park_reach(prepared, _standard())
    planned = _planned(_box(600, -100, 700, -30))  # south bank, 30 m from the path
    after = with_planned_park(before, prepared, planned)
    zones = {"cluster": np.where(origins.x < X0 + 500, "w", "e").astype(object)}
    table = coverage_change(origins, before, after, zones)
    assert set(table["method"]) == {"buffer", "network"}
    assert set(table["tier"]) == {"any", "small", "big"}
    assert set(table["level"]) == {"county", "cluster"}
    county = table[(table["level"] == "county") & (table["tier"] == "any")].set_index("method")
    assert county.loc["network", "share_before"] == 0.0
    assert county.loc["network", "share_after"] > 0.0
    assert county.loc["network", "change"] == pytest.approx(
        county.loc["network", "share_after"] - county.loc["network", "share_before"]
    )
    demand = origins.weight.sum()
    assert county.loc["network", "newly_covered"] == pytest.approx(
        county.loc["network", "share_after"] * demand
    )
    assert county.loc["network", "passes_before"] == False  # noqa: E712 - a verdict, not None
    # The planned park (7,000 m²) is no "big" park: nothing changes for that tier.
    big = table[table["tier"] == "big"]
    assert (big["change"] == 0).all()
    classes = change_classes(before, after)
    on_foot = classes == ChangeClass.NEW_ON_FOOT
    assert on_foot.any()
    assert (classes[origins.x < X0 + 250] == ChangeClass.UNCHANGED).all()  # the north park's
    assert not (classes == ChangeClass.NEW_BY_BUFFER).any()


def test_park_area_per_person_rises_by_the_planned_area():
    zones = gpd.GeoDataFrame(
        {"unit_id": ["a", "b"]},
        geometry=[_box(0, 0, 1000, 1000), _box(1000, 0, 2000, 1000)],
        crs=4549,
    )
    parks = _parks(_box(100, 100, 200, 200))
    planned = _planned(_box(1100, 100, 1300, 200))
    table = per_capita_change(
        parks, planned, zones, pd.Series({"a": 1000.0, "b": 500.0}), id_column="unit_id",
        floor_m2=8.0,
    ).set_index("zone")  # fmt: skip
    assert table.loc["a", "change"] == pytest.approx(0.0)
    assert table.loc["b", "before"] == pytest.approx(0.0)
    assert table.loc["b", "after"] == pytest.approx(40.0, rel=1e-3)
    assert table.loc["b", "passes_before"] == False  # noqa: E712
    assert table.loc["b", "passes_after"] == True  # noqa: E712
    assert WHOLE_AREA not in table.index or np.isfinite(table.loc[WHOLE_AREA, "after"])


def test_planned_park_names_are_escaped_on_the_map():
    from layers.scenario_view import planned_features

    frame = _planned(_box(0, 0, 100, 100), name=['<img src=x onerror="alert(1)">'], year=[2030])
    tip = planned_features(frame, _standard(), "zh")["features"][0]["properties"]["tt"]
    assert "<img" not in tip
    assert "&lt;img" in tip
    assert "2030" in tip
