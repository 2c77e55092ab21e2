"""The bundled data: geometry validity, the partition, the plan's clusters, provenance."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.clusters import cluster_polygons
from geo.boundaries import load_sources
from geo.crs import ANALYSIS_CRS, wgs84_to_gcj02
from geo.paths import DATA_DIR

OFFICIAL_AREA_KM2 = 927.68  # data/sources.csv S2

# The plan's own sentences (《总体方案》2022, items 1-4) and the units each names.
PLAN_CLUSTERS = {
    "east": ("以花桥国际商务城为引领，强化与陆家镇协同发展", {"huaqiao", "lujia"}),
    "west": ("以昆山高新区为支撑，强化与巴城镇协同发展", {"gaoxinqu", "bacheng"}),
    "north": (
        "以昆山开发区为龙头，强化与张浦镇、周市镇、千灯镇协同发展",
        {"kaifaqu", "zhangpu", "zhoushi", "qiandeng"},
    ),
    "south": (
        "以昆山旅游度假区为主体，推进锦溪镇、淀山湖镇、周庄镇一体化发展",
        {"lvyou_dujiaqu", "jinxi", "dianshanhu", "zhouzhuang"},
    ),
}
NAME_IN_PLAN = {"huaqiao": "花桥", "kaifaqu": "昆山开发区", "gaoxinqu": "昆山高新区"}


def test_layers_are_valid_wgs84_polygons(outline, units):
    for gdf in (outline, units):
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.is_valid.all()
        assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
        minx, miny, maxx, maxy = gdf.total_bounds
        assert 120.7 < minx < maxx < 121.2
        assert 31.0 < miny < maxy < 31.6


def test_outline_area_is_within_1_5_percent_of_official(outline):
    area = float(outline["area_km2"].iloc[0])
    assert abs(area / OFFICIAL_AREA_KM2 - 1) < 0.015


def test_outline_is_in_wgs84_not_gcj02(outline):
    # The official extent (S2) is E 120°48′21″-121°09′04″, N 31°06′34″-31°32′36″.
    # The converted outline must fit it better than the same outline left in GCJ-02.
    official = (
        120 + 48 / 60 + 21 / 3600,
        31 + 6 / 60 + 34 / 3600,
        121 + 9 / 60 + 4 / 3600,
        31 + 32 / 60 + 36 / 3600,
    )
    wgs = outline.geometry.iloc[0]
    gcj = shapely.transform(wgs, lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    wgs_error = np.abs(np.array(wgs.bounds) - official)
    gcj_error = np.abs(np.array(gcj.bounds) - official)
    assert wgs_error.max() < 0.006
    assert wgs_error.sum() < gcj_error.sum()


def test_units_partition_the_outline(outline, units):
    outline_m = outline.to_crs(ANALYSIS_CRS).geometry.iloc[0]
    units_m = units.to_crs(ANALYSIS_CRS).geometry
    union = shapely.union_all(units_m.to_numpy())
    gaps = outline_m.difference(union).area
    outside = union.difference(outline_m).area
    overlaps = units_m.area.sum() - union.area
    assert gaps < 1e-4 * outline_m.area
    assert outside < 1e-4 * outline_m.area
    assert overlaps < 1e-4 * outline_m.area


def test_units_match_cited_areas_where_cited(units):
    cited = units.dropna(subset=["area_km2_cited"])
    assert len(cited) >= 8
    rel = (cited["area_km2"] / cited["area_km2_cited"] - 1).abs()
    assert rel.max() < 0.01


def test_each_seat_lies_in_its_own_unit(unit_table, units):
    from geo.build_boundaries import _seats_wgs84

    territorial = unit_table[unit_table["territorial"]].reset_index(drop=True)
    seats = gpd.GeoSeries(gpd.points_from_xy(*_seats_wgs84(territorial).T), crs=4326)
    by_id = units.set_index("unit_id").geometry
    for uid, seat in zip(territorial["unit_id"], seats, strict=True):
        assert by_id[uid].contains(seat), uid


def test_approximate_boundaries_are_flagged(units):
    assert (units["boundary_quality"] == "approximate").all()


def test_exactly_the_plans_four_clusters(clusters, unit_table):
    assert [c.cluster_id for c in clusters] == list(PLAN_CLUSTERS)
    names = unit_table.set_index("unit_id")["name_zh"]
    for cluster in clusters:
        sentence, members = PLAN_CLUSTERS[cluster.cluster_id]
        assert set(cluster.members) == members
        assert cluster.role_zh.rstrip("。") == sentence
        for member in cluster.members:
            plan_name = NAME_IN_PLAN.get(member, names[member].removesuffix("镇"))
            assert plan_name in sentence, member


def test_cluster_polygons_cover_the_county(units, clusters, outline):
    polygons = cluster_polygons(units, clusters)
    assert len(polygons) == 4
    assert polygons["area_km2"].sum() == pytest.approx(outline["area_km2"].iloc[0], rel=1e-4)
    assert polygons.geometry.is_valid.all()


def test_tourism_resort_has_no_territory_but_administers_three_towns(unit_table, units):
    resort = unit_table.set_index("unit_id").loc["lvyou_dujiaqu"]
    assert not resort["territorial"]
    assert "lvyou_dujiaqu" not in set(units["unit_id"])
    towns = set(unit_table.loc[unit_table["administered_by"] == "lvyou_dujiaqu", "unit_id"])
    assert towns == {"dianshanhu", "zhouzhuang", "jinxi"}


def test_population_is_only_what_is_cited(unit_table):
    with_pop = unit_table.dropna(subset=["population"])
    assert with_pop["population_year"].notna().all()
    assert with_pop["population_source"].notna().all()
    assert with_pop["population_confidence"].isin(["V", "P"]).all()
    # The census total for Kunshan is 2,092,496: no unit can exceed it.
    assert (with_pop["population"] < 2_092_496).all()


def test_every_source_id_used_is_registered(unit_table):
    registered = set(load_sources()["source_id"])
    used = set()
    for column in ("seat_source", "area_source", "population_source"):
        used |= set(unit_table[column].dropna())
    assert used <= registered
    assert "S4" in registered


def test_every_shipped_data_file_is_documented():
    sources_md = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    # What a running app writes (the default store data/local/, the OSM cache data/osm/) is
    # not shipped: both are ignored by git, and a planner's `make run` must not fail this test.
    written = {DATA_DIR / "local", DATA_DIR / "osm"}
    shipped = [
        p.relative_to(DATA_DIR).as_posix()
        for p in DATA_DIR.rglob("*")
        if p.is_file() and p.name != "SOURCES.md" and not written & set(p.parents)
    ]
    assert shipped
    for name in shipped:
        assert re.search(re.escape(name), sources_md), f"{name} is not in data/SOURCES.md"


def test_data_files_are_small():
    for path in Path(DATA_DIR).rglob("*"):
        if path.is_file():
            assert path.stat().st_size < 1_000_000, path


def test_unit_table_has_every_plan_unit(unit_table):
    expected = set().union(*(members for _, members in PLAN_CLUSTERS.values()))
    assert set(unit_table["unit_id"]) == expected
    assert isinstance(unit_table, pd.DataFrame)
