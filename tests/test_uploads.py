"""Uploaded plan networks: good files load, bad files get a clear bilingual error."""

from __future__ import annotations

import json

import pytest

from geo.errors import PlanningMapError
from geo.uploads import (
    demand_layer_from_upload,
    line_layer_from_upload,
    population_layer_from_upload,
)


def _geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _line(name, coords=((121.0, 31.3), (121.1, 31.35))):
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
    }


def test_a_line_layer_loads_in_wgs84():
    layer = line_layer_from_upload(_geojson([_line("中环快速路"), _line("<b>x</b>")]))
    assert list(layer.columns) == ["name", "geometry"]
    assert layer.crs.to_epsg() == 4326
    assert layer["name"].iloc[1] == "<b>x</b>"  # kept as text; escaped where displayed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{ not json", "could not be read"),
        (_geojson([]), r"没有要素.*holds no features"),  # an empty file: said so
        (
            _geojson(
                [
                    {
                        "type": "Feature",
                        "properties": {"name": "p"},
                        "geometry": {"type": "Point", "coordinates": [121, 31.3]},
                    }
                ]
            ),
            "must hold lines",
        ),
        (
            _geojson(
                [
                    {
                        "type": "Feature",
                        "properties": {"ref": "S1"},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[121, 31.3], [121.1, 31.3]],
                        },
                    }
                ]
            ),
            "needs a 'name' column",
        ),
    ],
)
def test_bad_uploads_are_refused(content, message):
    with pytest.raises(PlanningMapError, match=message):
        line_layer_from_upload(content)


def test_a_huge_upload_is_refused_before_reading():
    with pytest.raises(PlanningMapError, match=r"文件过大.*too large"):
        line_layer_from_upload(b"x" * 2048, max_bytes=1024)


def _people(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


_POINT = {"type": "Point", "coordinates": [120.95, 31.39]}


def test_a_population_layer_loads_points_and_polygons():
    square = {
        "type": "Polygon",
        "coordinates": [
            [[120.9, 31.3], [120.91, 31.3], [120.91, 31.31], [120.9, 31.31], [120.9, 31.3]]
        ],
    }
    layer = population_layer_from_upload(
        _geojson([_people({"人口": 120}, _POINT), _people({"人口": "30"}, square)])
    )
    assert list(layer["population"]) == [120.0, 30.0]
    assert layer.crs.to_epsg() == 4326


def test_a_population_layer_in_cgcs2000_gauss_kruger_is_converted():
    content = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}},
            "features": [
                _people({"population": 5}, {"type": "Point", "coordinates": [590000, 3470000]})
            ],
        }
    ).encode()
    layer = population_layer_from_upload(content)
    point = layer.geometry.iloc[0]
    assert 120.9 < point.x < 121.0
    assert 31.3 < point.y < 31.4


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([], r"没有要素.*holds no features"),
        ([_line("road")], "points or polygons"),
        ([_people({"name": "x"}, _POINT)], "needs a 'population' column"),
        ([_people({"population": -3}, _POINT)], "zero or more"),
        ([_people({"population": "many"}, _POINT)], "zero or more"),
    ],
)
def test_bad_population_uploads_are_refused(features, message):
    with pytest.raises(PlanningMapError, match=message):
        population_layer_from_upload(_geojson(features))


def test_polygons_without_a_count_are_residential_land():
    plot = {
        "type": "Polygon",
        "coordinates": [[[120.9, 31.3], [120.91, 31.3], [120.91, 31.31], [120.9, 31.3]]],
    }
    layer, kind = demand_layer_from_upload(_geojson([_people({"use": "R2"}, plot)]))
    assert kind == "residential"
    assert len(layer) == 1
    _, kind = demand_layer_from_upload(_geojson([_people({"population": 3}, plot)]))
    assert kind == "population"
    with pytest.raises(PlanningMapError, match="needs a 'population' column"):
        demand_layer_from_upload(_geojson([_people({"use": "R2"}, _POINT)]))


def test_demand_uploads_take_a_geopackage_in_cgcs2000_mixing_points_and_polygons(tmp_path):
    import geopandas as gpd
    import shapely

    people = gpd.GeoDataFrame(
        {"名称": ["A栋", "某小区"], "人口": [320, 1800]},
        geometry=[
            shapely.Point(590_000, 3_470_000),
            shapely.box(590_200, 3_470_000, 590_400, 3_470_200),
        ],
        crs=4549,
    )
    path = tmp_path / "人口.gpkg"
    people.to_file(path, driver="GPKG")
    layer, kind = demand_layer_from_upload(path.read_bytes(), file_name="人口.gpkg")
    assert kind == "population"
    assert layer["population"].tolist() == [320.0, 1800.0]
    assert layer.crs.to_epsg() == 4326
    back = layer.to_crs(4549).geometry
    assert back.iloc[0].distance(shapely.Point(590_000, 3_470_000)) < 0.01
    assert set(layer.geom_type) == {"Point", "Polygon"}  # buildings and estates together
