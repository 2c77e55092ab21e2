"""Reading the data set's layers in the shared schema, whatever their origin."""

from __future__ import annotations

import os

import geopandas as gpd
import pytest
import shapely

from analysis.clusters import features_per_cluster
from geo.boundaries import load_units, read_unit_table
from geo.errors import UploadError
from geo.files.schema import apply_mapping, check_layer
from geo.paths import UNITS_PATH
from geo.store.active import (
    bundled_sources,
    load_layer,
    parks_of,
    server_dataset,
    stations_of,
    units_of,
)
from geo.store.dataset import LayerSource, compose_dataset
from geo.store.local import set_server_layer, store_layer


def _store(gdf, kind, root, name="file.zip"):
    record = store_layer(gdf, kind=kind, original=name.encode(), file_name=name, root=root)
    set_server_layer(kind, record.content_hash, root=root)
    return record


def test_the_server_data_set_reads_each_layer_from_where_it_comes_from(tmp_path):
    stations = gpd.GeoDataFrame(
        {"station_id": ["s1", "s2"], "name": ["花桥站", "<b>B</b>"]},
        geometry=[shapely.Point(121.1, 31.3), shapely.Point(120.98, 31.38)],
        crs=4326,
    )
    _store(stations, "stations", tmp_path, "站点.csv")
    ds = server_dataset(None, root=tmp_path)
    assert ds.source("stations").origin == "upload"
    assert ds.source("parks").origin == "bundled"
    outline = load_layer(ds, "outline")
    found = stations_of(ds, outline)
    assert found["station_id"].tolist() == ["s1", "s2"]
    assert found["name_zh"].tolist() == ["花桥站", "<b>B</b>"]  # kept as text
    # Without the planner's layer, the seven cited stations.
    assert len(stations_of(server_dataset(None, root=tmp_path / "empty"), outline)) == 7


def test_a_caches_entrances_never_go_with_parks_from_elsewhere(tmp_path):
    parks = gpd.GeoDataFrame(
        {"park_id": ["p1"], "name": ["东塘公园"], "area_m2": [10_000.0]},
        geometry=[shapely.box(120.98, 31.38, 120.99, 31.39)],
        crs=4326,
    )
    record = _store(parks, "parks", tmp_path)
    base = server_dataset(None, root=tmp_path)
    osm = {
        "parks": LayerSource("parks", "osm", "OpenStreetMap", "p"),
        "park_entrances": LayerSource("park_entrances", "osm", "OpenStreetMap", "e"),
    }
    ds = compose_dataset(bundled_sources(), osm, {"parks": base.source("parks")})
    assert ds.source("park_entrances") is None
    found = parks_of(ds)
    assert found.origin == "upload"
    assert found.entrances is None  # found by the rule when needed
    assert found.parks["park_id"].tolist() == ["p1"]
    assert ds.source("parks").content_hash == record.content_hash


def test_a_version_follows_content_not_modification_times(tmp_path):
    copy = tmp_path / "units.geojson"
    copy.write_bytes(UNITS_PATH.read_bytes())
    before = compose_dataset(bundled_sources(copy))
    os.utime(copy, (1_000_000, 1_000_000))
    assert compose_dataset(bundled_sources(copy)).version == before.version
    copy.write_bytes(UNITS_PATH.read_bytes().replace(b'"type"', b'"type" ', 1))
    assert compose_dataset(bundled_sources(copy)).version != before.version
    # A subset names only its layers: the parks' change leaves the units' key alone.
    ds = compose_dataset(bundled_sources(copy))
    other = ds.with_layer(LayerSource("parks", "upload", "公园名录.zip", "x"))
    assert other.subset("outline", "units").version == ds.subset("outline", "units").version
    assert other.subset("parks").version != ds.subset("parks").version
    assert "KUNSHAN_UNITS_FILE" in ds.source("units").label


def test_town_boundaries_named_in_chinese_become_the_planning_units(tmp_path):
    table = read_unit_table()
    bundled = load_units()
    names = table.set_index("unit_id")["name_zh"]
    # A town file: names (some with 镇), no ids of ours, in another column order.
    towns = gpd.GeoDataFrame(
        {"名称": [names[u] for u in bundled["unit_id"]]},
        geometry=bundled.geometry.to_numpy(),
        crs=4326,
    )
    fitted = apply_mapping(towns, "units", {"name": "名称"}, id_prefix="t")
    _store(fitted, "units", tmp_path, "乡镇界.zip")
    ds = server_dataset(None, root=tmp_path)
    units = units_of(ds, root=tmp_path)
    assert sorted(units["unit_id"]) == sorted(bundled["unit_id"])
    assert units["area_km2"].sum() == pytest.approx(bundled["area_km2"].sum(), rel=1e-6)
    # A file whose names are not the units' is refused at once, with the rule.
    wrong = towns.assign(名称=[f"第{i}片区" for i in range(len(towns))])
    with pytest.raises(UploadError, match=r"planning_units\.csv"):
        apply_mapping(wrong, "units", {"name": "名称"}, id_prefix="t")


def test_a_layer_of_the_wrong_geometry_is_refused_and_point_parks_need_areas():
    lines = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.LineString([(121, 31.3), (121.01, 31.3)])], crs=4326
    )
    with pytest.raises(UploadError, match="needs points"):
        apply_mapping(lines, "stations", {"name": "name"}, id_prefix="t")
    with pytest.raises(UploadError, match="no features"):
        check_layer("parks", lines.iloc[:0])
    points = gpd.GeoDataFrame(
        {"名称": ["游园", "社区公园"], "面积": [5_000.0, None]},
        geometry=[shapely.Point(120.98, 31.38), shapely.Point(120.99, 31.39)],
        crs=4326,
    )
    with pytest.raises(UploadError, match="need an area column"):
        apply_mapping(points, "parks", {"name": "名称", "area_m2": "面积"}, id_prefix="t")
    fitted = apply_mapping(
        points.iloc[:1], "parks", {"name": "名称", "area_m2": "面积"}, id_prefix="t"
    )
    assert fitted.geom_type.tolist() == ["Polygon"]
    assert bool(fitted["approximate"].iloc[0])  # drawn from the area: said so
    assert fitted.to_crs(4549).area.iloc[0] == pytest.approx(5_000, rel=0.01)


def test_parks_are_counted_once_per_cluster_by_their_representative_point():
    zones = gpd.GeoDataFrame(
        {"cluster_id": ["a", "b"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs=4326,
    )
    parks = gpd.GeoDataFrame(
        geometry=[
            shapely.box(0.1, 0.1, 0.2, 0.2),
            shapely.box(0.9, 0.1, 1.05, 0.2),  # straddles: its point is in a
            shapely.box(5, 5, 6, 6),  # outside both: only in the whole area
        ],
        crs=4326,
    )
    counts = features_per_cluster(zones, parks)
    assert counts.to_dict() == {"a": 2, "b": 0, "*": 3}
    assert features_per_cluster(zones, parks.iloc[:0]).to_dict() == {"a": 0, "b": 0, "*": 0}


def test_the_data_extent_covers_the_planners_layers_only(tmp_path):
    from geo.store.active import data_extent
    from layers.cluster_view import fit_to_data

    assert data_extent(server_dataset(None, root=tmp_path)) is None  # bundled: the county
    parks = gpd.GeoDataFrame(
        {"park_id": ["p1", "p2"], "name": ["a", "b"], "area_m2": [1.0, 1.0]},
        geometry=[
            shapely.box(120.95, 31.35, 120.96, 31.36),
            shapely.box(121.0, 31.40, 121.01, 31.41),
        ],
        crs=4326,
    )
    _store(parks, "parks", tmp_path)
    extent = data_extent(server_dataset(None, root=tmp_path), root=tmp_path)
    assert extent == pytest.approx((120.95, 31.35, 121.01, 31.41))
    county = tuple(load_units().total_bounds)
    view = fit_to_data(county, extent)
    assert view[0] < extent[0]  # the data with a margin
    assert view[2] > extent[2]
    assert (view[2] - view[0]) < 0.5 * (county[2] - county[0])
