"""Planners' plan lines and demand layers through the one import path (read, fit, check)."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from geo.errors import PlanningMapError
from geo.files.reading import ReadOptions, read_layer
from geo.files.schema import apply_mapping, guess_mapping


def _geojson(features, crs: str | None = None) -> bytes:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc).encode()


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


_LINE = {"type": "LineString", "coordinates": [[121.0, 31.3], [121.1, 31.35]]}
_POINT = {"type": "Point", "coordinates": [120.95, 31.39]}
_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[120.9, 31.3], [120.91, 31.3], [120.91, 31.31], [120.9, 31.31], [120.9, 31.3]]
    ],
}


def _fit(content: bytes, kind: str, name: str = "layer.geojson", **read) -> gpd.GeoDataFrame:
    result = read_layer(
        content, name, ReadOptions(crs="wgs84"), points_and_polygons=kind == "population", **read
    )
    columns = [c for c in result.gdf.columns if c != result.gdf.geometry.name]
    return apply_mapping(result.gdf, kind, guess_mapping(kind, columns), id_prefix="t")


def test_plan_lines_keep_their_names_as_text_in_wgs84():
    layer = _fit(
        _geojson([_feature({"name": "中环快速路"}, _LINE), _feature({"name": "<b>x</b>"}, _LINE)]),
        "plan_lines",
    )
    assert layer["name"].tolist() == ["中环快速路", "<b>x</b>"]  # escaped where displayed
    assert layer.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        (b"{ not json", "plan_lines", "could not be read"),
        (_geojson([]), "plan_lines", r"holds no features"),
        (_geojson([_feature({"name": "p"}, _POINT)]), "plan_lines", "needs lines"),
        (_geojson([_feature({"人口": 5}, _LINE)]), "population", "points or polygons"),
        (_geojson([_feature({"name": "x"}, _POINT)]), "population", "population"),
        (_geojson([_feature({"population": -3}, _POINT)]), "population", "zero or more"),
        (
            _geojson([_feature({"population": "many"}, _POINT), _feature({"人口": 3}, _POINT)]),
            "population",
            "zero or more|no readable",
        ),
        (_geojson([_feature({"name": "x"}, _POINT)]), "residential", "needs polygons"),
    ],
)
def test_bad_layers_are_refused_with_a_bilingual_reason(content, kind, message):
    with pytest.raises(PlanningMapError, match=message):
        _fit(content, kind)


def test_a_huge_file_is_refused_before_reading():
    with pytest.raises(PlanningMapError, match=r"文件过大|too large"):
        _fit(b"x" * 2048, "plan_lines", max_bytes=1024)


def test_a_population_layer_mixes_points_and_polygons_and_reads_chinese_headers():
    layer = _fit(
        _geojson([_feature({"人口": 120}, _POINT), _feature({"人口": "30"}, _SQUARE)]),
        "population",
    )
    assert layer["population"].tolist() == [120.0, 30.0]
    assert set(layer.geom_type) == {"Point", "Polygon"}


def test_a_population_geopackage_in_cgcs2000_gauss_kruger_is_converted(tmp_path):
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
    result = read_layer(path.read_bytes(), "人口.gpkg", points_and_polygons=True)
    layer = apply_mapping(result.gdf, "population", {"population": "人口"}, id_prefix="t")
    assert layer["population"].tolist() == [320.0, 1800.0]
    assert (
        layer.geometry.iloc[0].distance(
            gpd.GeoSeries([shapely.Point(590_000, 3_470_000)], crs=4549).to_crs(4326).iloc[0]
        )
        < 1e-7
    )
