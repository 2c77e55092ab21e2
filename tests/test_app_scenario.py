"""The parks page's scenario through AppTest: a loaded planned park, before/after, sites."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from analysis.distances import park_reach, prepare_reach, with_planned_park
from analysis.indicators import covered
from analysis.standards import standards_from_dict
from geo.files.schema import planned_parks
from geo.grid import grid_origins
from geo.parks import bundled_parks
from geo.standards import read_standards_file
from geo.store.local import read_stored, store_layer
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "ui/page_parks.py"


def _planned_square() -> gpd.GeoDataFrame:
    """A 400 m square planned park in the middle of the county (a 控规 parcel, say)."""
    centre = gpd.GeoSeries([shapely.Point(120.95, 31.33)], crs=4326).to_crs(4549)[0]
    square = shapely.box(centre.x - 200, centre.y - 200, centre.x + 200, centre.y + 200)
    raw = gpd.GeoDataFrame({"name": ["<b>新公园</b>"], "year": [2027]}, geometry=[square], crs=4549)
    return planned_parks(raw)


def _open(env, planned: gpd.GeoDataFrame | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if planned is not None:
        record = store_layer(
            planned, kind="planned_parks", original=b"p", file_name="方案 A", root=env
        )
        at.query_params[state.LAYERS_PARAM] = f"planned_parks:{record.content_hash}"
    at.run()
    return at.switch_page(PAGE).run()


def _county_change(at: AppTest) -> tuple[float, float]:
    table = next(d.value for d in at.dataframe if any("方案后" in str(c) for c in d.value.columns))
    county = table.iloc[0]
    return float(county["缓冲区 · 现状 %"]), float(county["缓冲区 · 方案后 %"])


def test_a_loaded_planned_park_changes_the_before_after_table(env, outline):
    at = _open(env, _planned_square())
    assert not at.exception
    assert not at.error
    assert any("方案“方案 A”：1 个规划公园" in s.value for s in at.success)
    before, after = _county_change(at)
    # The engine's own figure for the same park, on the same grid.
    origins = grid_origins(outline, cell_m=100)
    standard = standards_from_dict(read_standards_file()).standard("green300_park500")
    prepared = prepare_reach(origins, bundled_parks())
    base = park_reach(prepared, standard)
    scenario = with_planned_park(base, prepared, _planned_square())
    expected = covered(scenario, "buffer").mean() * 100
    assert after == pytest.approx(round(expected, 1))
    assert after > before
    # The map's change view is offered with a scenario, and draws.
    view = at.radio(key=state.widget_key(state.PARKS_VIEW, "zh"))
    assert "change" in view.options or "方案带来的变化（新增覆盖）" in view.options
    view.set_value("change").run()
    assert not at.exception
    # Clearing the scenario brings the page back to the data set alone.
    at.button(key=state.SCENARIO_CLEAR).click().run()
    assert not at.exception
    assert not any("个规划公园" in s.value for s in at.success)


def test_suggested_sites_add_coverage_and_join_the_scenario(env, units, unit_table, clusters):
    at = _open(env, None)
    assert "尚无方案。" in [c.value for c in at.caption]
    at.number_input(key=state.SITES_K).set_value(3).run()
    at.button(key=state.SITES_RUN).click().run()
    assert not at.exception
    sites = next(d.value for d in at.dataframe if "序号" in d.value.columns)
    assert list(sites["序号"]) == [1, 2, 3]
    gain_col = next(c for c in sites.columns if c.startswith("新增覆盖需求"))
    gains = sites[gain_col].to_numpy(float)
    assert (np.diff(gains) <= 0).all()
    # Each row says where the site stands: the unit holding its point, that unit's
    # cluster (by the unit table), and the point in WGS84 to six decimals.
    points = gpd.GeoSeries(
        gpd.points_from_xy(sites["经度（WGS84）"], sites["纬度（WGS84）"]), crs=4326
    )
    holder = gpd.sjoin(gpd.GeoDataFrame(geometry=points), units.to_crs(4326), predicate="within")
    names = dict(zip(unit_table["unit_id"], unit_table["name_zh"], strict=True))
    assert list(sites["所在单元"]) == [names[u] for u in holder.sort_index()["unit_id"]]
    label_of = {u: c.label("zh") for c in clusters for u in c.members}
    assert list(sites["所属组团"]) == [label_of[u] for u in holder.sort_index()["unit_id"]]
    at.button(key=state.SITES_ADD).click().run()
    assert not at.exception
    assert any("3 个规划公园" in s.value for s in at.success)
    _, after = _county_change(at)
    assert after == pytest.approx(float(sites["累计覆盖率 %"].iloc[-1]), abs=0.06)


def test_a_scenario_survives_a_reload_by_its_address(env):
    at = _open(env, _planned_square())
    layers = at.session_state[state.SESSION_LAYERS]
    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params[state.LAYERS_PARAM] = f"planned_parks:{layers['planned_parks']}"
    reloaded.run()
    reloaded.switch_page(PAGE).run()
    assert any("1 个规划公园" in s.value for s in reloaded.success)


def test_suggested_sites_stay_inside_the_candidate_land_loaded(env):
    centre = gpd.GeoSeries([shapely.Point(121.0, 31.28)], crs=4326).to_crs(4549)[0]
    land = gpd.GeoDataFrame(
        geometry=[shapely.box(centre.x - 600, centre.y - 600, centre.x + 600, centre.y + 600)],
        crs=4549,
    ).to_crs(4326)
    record = store_layer(
        land, kind="candidate_land", original=b"c", file_name="空地.gpkg", root=env
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params[state.LAYERS_PARAM] = f"candidate_land:{record.content_hash}"
    at.run()
    at.switch_page(PAGE).run()
    assert "候选点限于已载入的候选用地。" in [c.value for c in at.caption]
    at.number_input(key=state.SITES_K).set_value(2).run()
    at.button(key=state.SITES_RUN).click().run()
    at.button(key=state.SITES_ADD).click().run()
    assert not at.exception
    stored = at.session_state[state.SESSION_LAYERS]["planned_parks"]
    sites = read_stored(stored, root=env)
    assert len(sites) == 2
    assert land.geometry[0].buffer(0.001).contains(sites.geometry).all()


def test_a_snapshot_of_a_scenario_keeps_its_planned_parks_and_the_before_after_table(env):
    from layers.labels import tr
    from share.store import SnapshotStore

    at = _open(env, _planned_square())
    shown_before, shown_after = _county_change(at)
    at.text_input(key=state.SHARE_TITLE).input("方案 A 前后")
    next(b for b in at.button if b.label == tr("share_save", "zh")).click().run()
    assert not at.exception
    snapshot_id, _, page = at.session_state[state.SHARE_SAVED]
    assert page == "parks"
    store = SnapshotStore()
    snap = store.get(snapshot_id)
    store.engine.dispose()
    # The planned parks are part of the view, by the stored layer's hash.
    planned_hash = at.session_state[state.SESSION_LAYERS]["planned_parks"]
    assert snap.session_layers["planned_parks"] == planned_hash
    assert snap.uploads["planned_parks"] == planned_hash
    listed = snap.figure("planned_parks")
    assert [r[0] for r in listed.rows] == ["<b>新公园</b>"]  # kept as typed, escaped where shown
    change = snap.figure("scenario_by_cluster")
    county = dict(zip(change.columns_zh, change.rows[0], strict=True))
    assert float(county["缓冲区 · 现状 %"]) == shown_before
    assert float(county["缓冲区 · 方案后 %"]) == shown_after
    # Without a scenario the snapshot has no such figures.
    at.button(key=state.SCENARIO_CLEAR).click().run()
    at.text_input(key=state.SHARE_TITLE).input("无方案")
    next(b for b in at.button if b.label == tr("share_save", "zh")).click().run()
    store = SnapshotStore()
    plain = store.get(at.session_state[state.SHARE_SAVED][0])
    store.engine.dispose()
    assert {f.key for f in plain.figures} == {"key_figures", "by_cluster", "by_unit"}


def test_the_headline_follows_the_scenario_with_the_before_beside_it(env):
    """With a planned park the county's headline is the coverage after it, the before beside it."""
    plain = _open(env, None)
    base = next(m for m in plain.metric if m.label == "全市服务半径覆盖率")
    at = _open(env, _planned_square())
    assert not at.exception
    before, after = _county_change(at)
    headline = next(m for m in at.metric if m.label == "全市服务半径覆盖率（方案后）")
    assert headline.value == f"{after:.1f}%"
    assert headline.value != base.value  # the park adds coverage: the headline moved
    assert headline.delta == f"{after - before:+.1f} 个百分点"
    assert any(c.value.startswith(f"现状 {before:.1f}%") for c in at.caption)
    assert base.value == f"{before:.1f}%"


def test_new_coverage_reads_in_hectares_and_no_image_size_is_shown(env):
    at = _open(env, _planned_square())
    table = next(d.value for d in at.dataframe if any("方案后" in str(c) for c in d.value.columns))
    column = "缓冲区 · 新增覆盖 (公顷土地)"
    assert column in table.columns
    assert not any("m²" in str(c) for c in table.columns)
    county = float(str(table.iloc[0][column]).replace(",", ""))
    # The 400 m × 400 m park's 500 m buffer covers several km² of land it did not before.
    assert 50 < county < 2000
    assert str(table.iloc[0][column]).count(".") == 1  # one decimal: hectares
    assert not any("kB" in c.value for c in at.caption)
