"""GCJ-02 / BD-09 conversions against published coordinate pairs, round trips, and the
one conversion to WGS84 (arrays, geometries, GeoDataFrames agree with each other)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pyproj import Geod

from geo.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gdf_to_wgs84,
    geometry_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from geo.errors import CRSError

_GEOD = Geod(ellps="WGS84")

# Published (WGS84 -> GCJ-02) pairs from other implementations' test suites:
# Hutool CoordinateUtilTest (wgs84ToGcj02(116.404, 39.915));
# a Rust geotool CLI test near Shanghai (121.0917077, 30.6107779);
# geoToolbox's pytest (116.0, 40.0).
WGS_TO_GCJ = [
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ((121.0917077, 30.6107779), (121.09626935575027, 30.608604331756705)),
    ((116.0, 40.0), (116.006141221789, 40.001213650174)),
]
# Hutool gcj02ToBd09(116.404, 39.915).
GCJ_TO_BD = [((116.404, 39.915), (116.41036949371029, 39.92133699351021))]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert _metres(lon, lat, *gcj) < 0.05


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_gcj02_to_wgs84_inverts_published_pairs(wgs, gcj):
    lon, lat = gcj02_to_wgs84(*gcj)
    assert _metres(lon, lat, *wgs) < 0.05


@pytest.mark.parametrize(("gcj", "bd"), GCJ_TO_BD)
def test_gcj02_to_bd09_matches_published_pair(gcj, bd):
    lon, lat = gcj02_to_bd09(*gcj)
    assert _metres(lon, lat, *bd) < 0.05
    back = bd09_to_gcj02(*bd)
    assert _metres(*back, *gcj) < 0.05


def test_round_trip_over_kunshan_is_far_below_half_a_metre():
    rng = np.random.default_rng(20221128)
    lon = rng.uniform(120.80, 121.16, 50_000)
    lat = rng.uniform(31.10, 31.55, 50_000)
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, back_lon, back_lat).max() < 0.001
    back_lon, back_lat = bd09_to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(lon, lat)))
    assert _metres(lon, lat, back_lon, back_lat).max() < 0.001


def test_offset_near_kunshan_is_about_half_a_kilometre():
    # facts.md: GCJ-02 sits ~460-490 m from WGS84 across the county.
    lon, lat = np.array([120.81, 121.15, 120.98]), np.array([31.11, 31.54, 31.33])
    shift = _metres(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert np.all((shift > 400) & (shift < 550))


def test_vectorised_keeps_shape():
    lon = np.full((3, 4), 121.0)
    lat = np.full((3, 4), 31.3)
    out_lon, out_lat = gcj02_to_wgs84(lon, lat)
    assert out_lon.shape == (3, 4)
    assert out_lat.shape == (3, 4)


def test_mismatched_shapes_raise():
    with pytest.raises(CRSError, match="same shape"):
        wgs84_to_gcj02([121.0, 121.1], [31.3])


# ---------------------------------------------------------------------------
# The one conversion to WGS84


def _in_datum(datum: str, lon, lat):
    """WGS84 lon/lat moved into ``datum`` with the forward (defining) transforms."""
    gcj = wgs84_to_gcj02(lon, lat)
    return gcj if datum == "GCJ-02" else gcj02_to_bd09(*gcj)


def _shapes(datum: str) -> np.ndarray:
    """Awkward geometries around Kunshan in ``datum``: a polygon with a hole, a multipoint,
    a line, an empty polygon and a missing one."""
    outer = shapely.Point(120.98, 31.38).buffer(0.02, quad_segs=8)
    holed = outer.difference(shapely.Point(120.98, 31.38).buffer(0.005))
    shapes = np.array(
        [
            holed,
            shapely.MultiPoint([(120.95, 31.39), (121.1, 31.3)]),
            shapely.LineString([(120.9, 31.35), (121.1, 31.35), (121.1, 31.5)]),
            shapely.Polygon(),
            None,
        ],
        dtype=object,
    )

    def move(xy):
        return np.column_stack(_in_datum(datum, xy[:, 0], xy[:, 1]))

    return shapely.transform(shapes, move)


@pytest.mark.parametrize("datum", ["GCJ-02", "BD-09"])
def test_the_geometry_frame_and_array_paths_agree_bit_for_bit(datum):
    shapes = _shapes(datum)
    coords = shapely.get_coordinates(shapes)
    lon, lat = to_wgs84(coords[:, 0], coords[:, 1], datum)
    moved = geometry_to_wgs84(shapes, datum)
    assert np.array_equal(shapely.get_coordinates(moved), np.column_stack([lon, lat]))
    assert moved[3].is_empty
    assert moved[4] is None
    frame = gpd.GeoDataFrame({"name": list("abcde")}, geometry=shapes)
    in_wgs84 = gdf_to_wgs84(frame, datum=datum)
    assert in_wgs84.crs == "EPSG:4326"
    assert in_wgs84["name"].tolist() == list("abcde")
    assert np.array_equal(
        shapely.get_coordinates(in_wgs84.geometry.array), np.column_stack([lon, lat])
    )
    assert frame.crs is None  # the input is not touched
    assert np.array_equal(shapely.get_coordinates(frame.geometry.array), coords)
    # and they are the datum's own inverse
    expected = gcj02_to_wgs84 if datum == "GCJ-02" else bd09_to_wgs84
    assert np.array_equal(
        np.column_stack(expected(coords[:, 0], coords[:, 1])), np.column_stack([lon, lat])
    )
    single = geometry_to_wgs84(shapes[0], datum)
    assert np.array_equal(shapely.get_coordinates(single), shapely.get_coordinates(moved[0]))


@pytest.mark.parametrize(("wgs", "gcj"), WGS_TO_GCJ)
def test_to_wgs84_inverts_the_published_gcj02_pairs(wgs, gcj):
    lon, lat = to_wgs84(*gcj, "GCJ-02")
    assert _metres(lon, lat, *wgs) < 0.05


def test_one_datum_per_point_converts_each_datums_points_as_one_batch():
    rng = np.random.default_rng(7)
    lon0 = rng.uniform(120.8, 121.16, 30)
    lat0 = rng.uniform(31.1, 31.55, 30)
    labels = np.array(["WGS84", "GCJ-02", "BD-09"] * 10, dtype=object)
    lon, lat = lon0.copy(), lat0.copy()
    for datum in ("GCJ-02", "BD-09"):
        rows = labels == datum
        lon[rows], lat[rows] = _in_datum(datum, lon0[rows], lat0[rows])
    got_lon, got_lat = to_wgs84(lon, lat, labels)
    assert _metres(got_lon, got_lat, lon0, lat0).max() < 0.001
    for datum in ("WGS84", "GCJ-02", "BD-09"):
        rows = labels == datum
        alone = to_wgs84(lon[rows], lat[rows], datum)
        assert np.array_equal(got_lon[rows], alone[0])
        assert np.array_equal(got_lat[rows], alone[1])
    assert np.array_equal(got_lon[labels == "WGS84"], lon0[labels == "WGS84"])  # unchanged


def test_a_crs_goes_through_pyproj_and_a_frame_through_geopandas():
    transformer = pyproj.Transformer.from_crs(4326, 4549, always_xy=True)
    x, y = transformer.transform([120.95, 121.0], [31.39, 31.3])
    lon, lat = to_wgs84(x, y, "EPSG:4549")
    np.testing.assert_allclose(lon, [120.95, 121.0], atol=1e-9)
    np.testing.assert_allclose(lat, [31.39, 31.3], atol=1e-9)
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4549)
    by_crs = gdf_to_wgs84(frame)
    assert by_crs.geom_equals_exact(frame.to_crs(4326), tolerance=0).all()
    # A datum overrides the frame's CRS: the numbers are read in it.
    as_4528 = gdf_to_wgs84(frame, datum=pyproj.CRS.from_epsg(4528))
    assert not as_4528.geom_equals_exact(by_crs, tolerance=1.0).any()
    same = gdf_to_wgs84(by_crs, datum="WGS84")
    assert same.geom_equals_exact(by_crs, tolerance=0).all()


def test_unknown_datums_and_missing_crs_are_explained_in_both_languages():
    with pytest.raises(CRSError, match=r"不认识的坐标系.*Unknown datum or CRS 'GCJ02'"):
        to_wgs84(121.0, 31.4, "GCJ02")
    with pytest.raises(CRSError, match=r"不认识的基准.*Unknown datums \['Baidu'\]"):
        to_wgs84([121.0, 121.0], [31.4, 31.4], ["WGS84", "Baidu"])
    with pytest.raises(CRSError, match="One datum per point"):
        to_wgs84([121.0, 121.0], [31.4, 31.4], ["WGS84"])
    with pytest.raises(CRSError, match=r"图层没有坐标系.*County outline has no coordinate"):
        gdf_to_wgs84(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), what="County outline")
