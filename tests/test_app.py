"""The Streamlit app through AppTest: default page, language switch, cluster selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch) -> AppTest:
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    return AppTest.from_file(APP, default_timeout=60)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.subheader]
    parts += [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [m.label for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_default_page_runs_in_chinese(app):
    at = app.run()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "组团总览"
    assert "四个组团对比" in _texts(at)
    assert at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).value == "all"
    table = at.dataframe[0].value
    # One name per cluster everywhere: the short name, the plan's full name in brackets.
    assert list(table.iloc[:, 0]) == [
        "东部组团（国际数字商务贸易组团）",
        "西部组团（两岸科技创新教育组团）",
        "北部组团（长三角先进智能制造组团）",
        "南部组团（江南水乡生态人文组团）",
    ]
    select = at.selectbox(key=state.widget_key(state.CLUSTER, "zh"))
    assert "东部组团（国际数字商务贸易组团）" in select.options  # the same name in the choice


def test_switching_language_changes_the_texts(app):
    at = app.run()
    at.button_group(key=state.LANG).set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Cluster overview"
    texts = _texts(at)
    assert "The four clusters side by side" in texts
    assert "组团总览" not in texts
    options = at.selectbox(key=state.widget_key(state.CLUSTER, "en")).options
    assert "South cluster (Jiangnan Water-Town Ecology & Culture Cluster)" in options
    assert "Basemap" in [s.label for s in at.selectbox]


def test_selecting_a_cluster_changes_the_panel(app):
    at = app.run()
    before = _texts(at)
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value("south").run()
    assert not at.exception
    after = _texts(at)
    assert after != before
    assert "南部组团（江南水乡生态人文组团）" in [h.value for h in at.subheader]
    assert "以昆山旅游度假区为主体" in after
    assert sum("**定位**" in m.value for m in at.markdown) == 1
    assert "**站点**：—" in after  # no rail station has a cited location in the south yet
    assert "275,000 (2021)" in after
    members = at.dataframe[0].value
    assert list(members.iloc[:, 0]) == ["昆山旅游度假区", "锦溪镇", "淀山湖镇", "周庄镇"]


def test_cluster_panel_lists_its_stations(app):
    at = app.run()
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value("east").run()
    stations = next(m.value for m in at.markdown if m.value.startswith("**站点**"))
    for name in ("花桥", "菉葭", "光明路", "兆丰路"):
        assert name in stations


def test_selection_survives_a_language_switch(app):
    at = app.run()
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value("west").run()
    at.button_group(key=state.LANG).set_value("en").run()
    assert at.selectbox(key=state.widget_key(state.CLUSTER, "en")).value == "west"
    assert any("West cluster" in h.value for h in at.subheader)


def test_bad_units_file_shows_a_clear_error(app, monkeypatch, tmp_path):
    broken = tmp_path / "units.geojson"
    broken.write_text("{ not json", encoding="utf-8")
    monkeypatch.setenv("KUNSHAN_UNITS_FILE", str(broken))
    at = app.run()
    assert not at.exception
    assert at.error
    assert "could not be read" in at.error[0].value
    assert "数据有误" in at.error[0].value


def test_csv_download_is_offered(app):
    at = app.run()
    buttons = at.get("download_button")
    assert buttons
    assert "CSV" in buttons[0].proto.label


def test_clicking_the_active_language_again_keeps_a_language(app):
    at = app.run()
    at.button_group(key=state.LANG).set_value(None).run()
    assert not at.exception
    assert at.title[0].value in {"组团总览", "Cluster overview"}
