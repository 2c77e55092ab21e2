"""Uploaded plan networks: good files load, bad files get a clear bilingual error."""

from __future__ import annotations

import json

import pytest

from geo.errors import PlanningMapError
from geo.uploads import line_layer_from_upload


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
        (_geojson([]), "must hold lines"),
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
