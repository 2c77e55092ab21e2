"""The page models (views/): the rules they decide, each with a known answer, and their memo.

Each rule here was once written in a page and could be inverted unnoticed; each
test fails when its rule is inverted: the county verdict, a drawn park's area,
which units the per-person table lists, and which tier a planned park counts for.
"""

from __future__ import annotations

import json
import threading
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.indicators import WHOLE_AREA, Verdict, county_figures, tier_of_parks
from analysis.scenario import areas_ha, per_capita_change
from analysis.standards import standards_from_dict
from geo.files.schema import planned_parks
from geo.paths import STANDARDS_PATH
from geo.store.local import store_layer
from views import inputs, memo, reach
from views.choices import ParksChoices
from views.compose import DataChoice, dataset_for
from views.figures import figures_for
from views.parks import drawn_table, parks_model, verdict_label


def _standards_file(tmp_path, monkeypatch, **changes) -> None:
    """Use the bundled standards with ``changes`` to the first standard (a file of its own)."""
    raw = json.loads(STANDARDS_PATH.read_text(encoding="utf-8"))
    raw["standards"][0].update(changes)
    path = tmp_path / "park_standards.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("KUNSHAN_PARK_STANDARDS", str(path))


def _key_rows(ds, choices) -> dict[str, list[str]]:
    model = parks_model(ds, choices)
    out: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        table = model.key_table(lang)
        out[lang] = [str(v) for v in table.iloc[:, 1]]
    return out


# --- the county verdict --------------------------------------------------------------------


def test_the_county_verdict_reads_meets_only_when_the_share_reaches_the_target(
    env, tmp_path, monkeypatch
):
    # The bundled data: 2 located parks cover a few percent of the county; the target is 80 %.
    ds = dataset_for(DataChoice())
    choices = ParksChoices("green300_park500")
    (buffer,) = parks_model(ds, choices).county
    assert 0 < buffer.share < 0.8
    assert buffer.verdict is Verdict.MISSES
    rows = _key_rows(ds, choices)
    assert rows["zh"][2] == "未达标"
    assert rows["en"][2] == "falls short"
    # The same data against a target below the share it reaches: it meets it.
    _standards_file(tmp_path, monkeypatch, target_share=buffer.share / 2)
    lowered = dataset_for(DataChoice())
    assert lowered.version != ds.version  # the standards file is a layer of the data set
    (now,) = parks_model(lowered, choices).county
    assert now.share == pytest.approx(buffer.share)
    assert now.verdict is Verdict.MEETS
    rows = _key_rows(lowered, choices)
    assert rows["zh"][2] == "达标"
    assert rows["en"][2] == "meets it"
    # A share exactly at the target meets it (GB 55014: "not less than").
    table = pd.DataFrame({"zone": [WHOLE_AREA], "buffer_share": [0.8], "target_share": [0.8]})
    assert county_figures(table)[0].verdict is Verdict.MEETS
    assert verdict_label(Verdict.MEETS, "zh") == "达标"
    assert verdict_label(Verdict.MISSES, "zh") == "未达标"


# --- a drawn park's area -------------------------------------------------------------------


def _square_drawing(side_m: float) -> dict:
    """A drawn square of ``side_m`` metres (GeoJSON in WGS84, as Leaflet.draw returns it)."""
    square = gpd.GeoSeries(
        [shapely.box(500_000, 3_470_000, 500_000 + side_m, 3_470_000 + side_m)], crs=4549
    ).to_crs(4326)
    return {"type": "Feature", "geometry": shapely.geometry.mapping(square.iloc[0])}


def test_a_drawn_park_reads_its_area_in_hectares():
    drawn, table = drawn_table([_square_drawing(100.0), _square_drawing(250.0)], "zh")
    assert len(drawn) == 2
    assert table["area_ha"].tolist() == [1.0, 6.25]
    frame = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 300, 200)], crs=4549)
    assert areas_ha(frame).tolist() == pytest.approx([6.0])
    assert drawn_table(None, "zh")[0].empty


# --- the per-person table lists units with a cited population ---------------------------------


def test_the_per_person_change_lists_only_zones_with_a_known_population():
    zones = gpd.GeoDataFrame(
        {"unit_id": ["a", "b", "c"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000),
                  shapely.box(2000, 0, 3000, 1000)],
        crs=4549,
    )  # fmt: skip
    parks = gpd.GeoDataFrame(
        {"park_id": ["p"], "name": ["p"], "area_m2": [10_000.0]},
        geometry=[shapely.box(100, 100, 200, 200)],
        crs=4549,
    )
    planned = planned_parks(
        gpd.GeoDataFrame({"name": ["n"]}, geometry=[shapely.box(1100, 100, 1300, 200)], crs=4549)
    )
    population = pd.Series({"a": 1000.0, "b": 500.0, "c": np.nan})
    table = per_capita_change(parks, planned, zones, population, id_column="unit_id", floor_m2=8.0)
    assert set(table["zone"]) == {"a", "b"}
    assert np.isfinite(table["before"].astype(float)).all()


def test_the_parks_page_lists_each_unit_with_a_cited_population_per_person(env):
    ds = dataset_for(DataChoice.of("bundled", {"planned_parks": _planned(env).content_hash}))
    model = parks_model(ds, ParksChoices("green300_park500", scenario="x"))
    table = model.per_capita_change()
    assert table is not None
    cited = inputs.unit_table(ds).set_index("unit_id")["population"].astype(float)
    units = set(inputs.bundle(ds)[1]["unit_id"])
    assert set(table["zone"]) == {u for u in units if np.isfinite(cited.get(u, np.nan))}
    assert len(table) > 0


# --- a planned park's tier: one rule for the table, the tooltip and the figures ----------------


def _planned(root, *, area_m2: float = 5_000.0, park_class: str = "community"):
    centre = gpd.GeoSeries([shapely.Point(120.95, 31.33)], crs=4326).to_crs(4549)[0]
    half = np.sqrt(area_m2) / 2
    square = shapely.box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)
    frame = planned_parks(
        gpd.GeoDataFrame(
            {"name": ["社区公园 A"], "park_class": [park_class], "year": [2027]},
            geometry=[square],
            crs=4549,
        )
    )
    return store_layer(frame, kind="planned_parks", original=b"p", file_name="A", root=root)


def test_a_planned_park_is_labelled_with_the_tier_it_is_counted_for(env):
    # A 0.5 ha community park, tiers by class: it counts for "park ≥ 1 ha" (its class is
    # listed there), not only for "green ≥ 400 m²" (the first tier that lists its class).
    ds = dataset_for(DataChoice.of("bundled", {"planned_parks": _planned(env).content_hash}))
    choices = ParksChoices("green300_park500", basis="class", scenario="x")
    model = parks_model(ds, choices)
    standard = model.standard
    planned = reach.planned(ds)
    counted = tier_of_parks(planned, standard, basis="class")
    assert counted == ["park"]
    table = model.planned_table("zh")
    assert table.iloc[0, 3] == standard.tier("park").name("zh")
    tooltip = next(layer.data for layer in _map_layers(model) if layer.spec_id == "planned_parks")[
        "features"
    ][0]["properties"]["tt"]
    assert standard.tier("park").name("zh") in tooltip
    # By area the same park is only green (0.5 ha < 1 ha): labels follow the basis.
    by_area = parks_model(ds, ParksChoices("green300_park500", basis="area", scenario="x"))
    assert by_area.planned_table("zh").iloc[0, 3] == standard.tier("green").name("zh")
    # The snapshot's figure says the same as the page.
    figure = next(f for f in figures_for(ds, "parks", choices) if f.key == "planned_parks")
    assert figure.rows[0][3] == standard.tier("park").name("zh")


def _map_layers(model):
    from views.maps import parks_layers

    return parks_layers(model, "zh")


def test_one_rule_for_the_highest_tier():
    standard = standards_from_dict(
        {
            "standards": [
                {
                    "standard_id": "x",
                    "tiers": [
                        {"tier_id": "big", "min_area_m2": 10_000, "radius_m": 500,
                         "classes": ["community"]},
                        {"tier_id": "small", "min_area_m2": 400, "radius_m": 300,
                         "classes": ["garden", "community"]},
                    ],
                }
            ]
        }
    ).standard("x")  # fmt: skip
    parks = gpd.GeoDataFrame(
        {"area_m2": [500.0, 500.0, 20_000.0], "park_class": ["community", "", ""]},
        geometry=[shapely.Point(0, 0)] * 3,
        crs=4549,
    )
    assert tier_of_parks(parks, standard, basis="class") == ["big", "small", "big"]
    assert tier_of_parks(parks, standard, basis="area") == ["small", "small", "big"]


# --- the memo --------------------------------------------------------------------------------


def test_the_memo_computes_once_for_many_sessions_and_copies_tables():
    calls: list[int] = []

    @memo.memo(max_entries=2)
    def slow(x: int) -> pd.DataFrame:
        calls.append(x)
        time.sleep(0.2)
        return pd.DataFrame({"x": [x]})

    results: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: results.append(slow(7))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [7]  # six sessions at once: one computation
    assert all(r["x"].tolist() == [7] for r in results)
    results[0].loc[0, "x"] = 99  # a caller's change stays its own
    assert slow(7)["x"].tolist() == [7]
    slow(8)
    slow(9)  # two entries kept: 7 goes first
    slow(7)
    assert calls == [7, 8, 9, 7]


def test_the_memo_shares_objects_when_asked_and_remembers_no_error():
    calls: list[int] = []

    @memo.memo(copy=False)
    def shared(x: int) -> list[int]:
        calls.append(x)
        if x < 0:
            msg = "negative"
            raise ValueError(msg)
        return [x]

    assert shared(1) is shared(1)
    for _ in range(2):
        with pytest.raises(ValueError, match="negative"):
            shared(-1)
    assert calls == [1, -1, -1]


def test_the_memo_keys_a_data_set_on_its_version(env, tmp_path, monkeypatch):
    ds = dataset_for(DataChoice())
    assert reach.park_standards(ds) is reach.park_standards(dataset_for(DataChoice()))
    _standards_file(tmp_path, monkeypatch, name_zh="改过的标准")
    edited = dataset_for(DataChoice())
    assert edited.version != ds.version
    assert reach.park_standards(edited).standards[0].name_zh == "改过的标准"
    assert reach.park_standards(ds).standards[0].name_zh != "改过的标准"
