"""GCJ-02 / BD-09 conversions against published coordinate pairs, and round trips."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from geo.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
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
