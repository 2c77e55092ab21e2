"""Coordinate reference systems: display/analysis CRS policy and GCJ-02 conversion.

Storage and display use WGS84 (EPSG:4326). Lengths and areas are measured in
CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), whose central meridian
runs through Kunshan. Chinese web maps (Amap/Gaode, Tencent) publish GCJ-02,
an obfuscated datum offset by ~460-490 m around Kunshan; it is converted here
with the published GCJ-02 formula (Krasovsky ellipsoid constants
a = 6378245 m, e^2 = 0.00669342162296594323).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from geo.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ANALYSIS_CRS",
    "DISPLAY_CRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometry_gcj02_to_wgs84",
    "metric_crs_for",
    "to_analysis_crs",
    "wgs84_to_gcj02",
]

DISPLAY_CRS = "EPSG:4326"
ANALYSIS_CRS = "EPSG:4549"

_BD09_X_PI = np.pi * 3000.0 / 180.0
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# Iterate the inverse until the step is below ~1e-5 m; 1e-10 degrees is ~0.01 mm.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_ITERATIONS = 30


def _gcj02_offset(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS84 points."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    periodic = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
    dlat = dlat + 0.2 * np.sqrt(np.abs(x)) + periodic
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
    dlon = dlon + 0.1 * np.sqrt(np.abs(x)) + periodic
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * pi)
    return dlon, dlat


def _as_float_arrays(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon_arr = np.asarray(lon, dtype=np.float64)
    lat_arr = np.asarray(lat, dtype=np.float64)
    if lon_arr.shape != lat_arr.shape:
        msg = f"lon and lat must have the same shape, got {lon_arr.shape} and {lat_arr.shape}."
        raise CRSError(msg)
    return lon_arr, lat_arr


def wgs84_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert WGS84 longitude/latitude (degrees) to GCJ-02, vectorised.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates in degrees; scalars or arrays of the same shape.

    Returns
    -------
    tuple of arrays
        GCJ-02 longitude and latitude in degrees.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.0917077, 30.6107779)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.096269, 30.608604)
    """
    lon_arr, lat_arr = _as_float_arrays(lon, lat)
    dlon, dlat = _gcj02_offset(lon_arr, lat_arr)
    return lon_arr + dlon, lat_arr + dlat


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert GCJ-02 longitude/latitude (degrees) to WGS84, vectorised.

    The forward transform has no closed-form inverse; this solves it by
    fixed-point iteration ``w <- w - (gcj(w) - g)``, which converges to far
    below a millimetre in a few steps because the offset varies slowly.

    Parameters
    ----------
    lon, lat
        GCJ-02 coordinates in degrees; scalars or arrays of the same shape.

    Returns
    -------
    tuple of arrays
        WGS84 longitude and latitude in degrees.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(121.09626935575027, 30.608604331756705)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.091708, 30.610778)
    """
    gcj_lon, gcj_lat = _as_float_arrays(lon, lat)
    wgs_lon, wgs_lat = gcj_lon.copy(), gcj_lat.copy()
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon = fwd_lon - gcj_lon
        err_lat = fwd_lat - gcj_lat
        wgs_lon = wgs_lon - err_lon
        wgs_lat = wgs_lat - err_lat
        if np.all(np.abs(err_lon) < _INVERSE_TOLERANCE_DEG) and np.all(
            np.abs(err_lat) < _INVERSE_TOLERANCE_DEG
        ):
            break
    return wgs_lon, wgs_lat


def gcj02_to_bd09(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert GCJ-02 longitude/latitude to Baidu's BD-09, vectorised.

    Examples
    --------
    >>> lon, lat = gcj02_to_bd09(116.404, 39.915)
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.410369, 39.921337)
    """
    x, y = _as_float_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD09_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD09_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert Baidu BD-09 longitude/latitude to GCJ-02, vectorised.

    BD-09 is defined by the forward transform from GCJ-02; this inverts it by
    fixed-point iteration (sub-millimetre), starting from Baidu's closed-form
    approximation.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(*gcj02_to_bd09(121.0, 31.4))
    >>> round(float(lon), 9), round(float(lat), 9)
    (121.0, 31.4)
    """
    bd_lon, bd_lat = _as_float_arrays(lon, lat)
    x, y = bd_lon - 0.0065, bd_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD09_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD09_X_PI)
    gcj_lon, gcj_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = gcj02_to_bd09(gcj_lon, gcj_lat)
        err_lon, err_lat = fwd_lon - bd_lon, fwd_lat - bd_lat
        gcj_lon, gcj_lat = gcj_lon - err_lon, gcj_lat - err_lat
        if np.all(np.abs(err_lon) < _INVERSE_TOLERANCE_DEG) and np.all(
            np.abs(err_lat) < _INVERSE_TOLERANCE_DEG
        ):
            break
    return gcj_lon, gcj_lat


def bd09_to_wgs84(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert Baidu BD-09 longitude/latitude to WGS84 (via GCJ-02), vectorised."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def geometry_gcj02_to_wgs84(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return a copy of a shapely geometry with GCJ-02 vertices moved to WGS84.

    Examples
    --------
    >>> pt = geometry_gcj02_to_wgs84(shapely.Point(121.09626935575027, 30.608604331756705))
    >>> round(pt.x, 6), round(pt.y, 6)
    (121.091708, 30.610778)
    """

    def _convert(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, _convert)


def _require_crs(gdf: gpd.GeoDataFrame, what: str) -> None:
    if gdf.crs is None:
        msg = (
            f"{what} has no coordinate reference system. Set it explicitly, e.g. "
            "gdf.set_crs('EPSG:4326') for longitude/latitude in WGS84."
        )
        raise CRSError(msg)


def to_analysis_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` reprojected to the metric analysis CRS (EPSG:4549).

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS.
    """
    _require_crs(gdf, "The layer")
    return gdf.to_crs(ANALYSIS_CRS)


# 3-degree Gauss-Kruger zone of EPSG:4549 (CM 120E) covers 118.5E-121.5E.
_GK_CM120_LON = (118.5, 121.5)


def metric_crs_for(gdf: gpd.GeoDataFrame) -> str:
    """Return the metric CRS to measure ``gdf`` in.

    Kunshan (and anything in the CM 120E Gauss-Kruger zone) is measured in
    EPSG:4549; data elsewhere (e.g. a test extract of Helsinki) in its UTM
    zone, because a transverse Mercator far from its central meridian
    distorts lengths badly.

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS or no geometry.
    """
    _require_crs(gdf, "The layer")
    if gdf.empty:
        msg = "Cannot choose a metric CRS for an empty layer."
        raise CRSError(msg)
    minx, _, maxx, _ = gdf.to_crs(DISPLAY_CRS).total_bounds
    if _GK_CM120_LON[0] <= minx and maxx <= _GK_CM120_LON[1]:
        return ANALYSIS_CRS
    return str(gdf.estimate_utm_crs().to_string())
