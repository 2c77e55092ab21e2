"""Coordinate reference systems: display/analysis CRS policy and the one way to WGS84.

Storage and display use WGS84 (EPSG:4326). Lengths and areas are measured in
CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), whose central meridian
runs through Kunshan. Chinese web maps (Amap/Gaode, Tencent) publish GCJ-02,
an obfuscated datum offset by ~460-490 m around Kunshan; it is converted here
with the published GCJ-02 formula (Krasovsky ellipsoid constants
a = 6378245 m, e^2 = 0.00669342162296594323). Baidu's BD-09 is defined from GCJ-02.

Everything that moves coordinates to WGS84 goes through :func:`to_wgs84`
(arrays: a datum, a CRS, or one datum per point), :func:`geometry_to_wgs84`
(shapely geometries) or :func:`gdf_to_wgs84` (a GeoDataFrame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar, cast

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.errors import CRSError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ANALYSIS_CRS",
    "DATUMS",
    "DISPLAY_CRS",
    "Datum",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gdf_to_wgs84",
    "geometry_to_wgs84",
    "metric_crs_for",
    "to_analysis_crs",
    "to_wgs84",
    "wgs84_to_gcj02",
]

DISPLAY_CRS = "EPSG:4326"
ANALYSIS_CRS = "EPSG:4549"

Datum = Literal["WGS84", "GCJ-02", "BD-09"]
# The datums coordinates are cited or uploaded in (WGS84 first: it needs no conversion).
DATUMS: tuple[Datum, ...] = ("WGS84", "GCJ-02", "BD-09")
_G = TypeVar("_G")

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


def _datum_label(datum: object) -> Datum | None:
    """Return the datum label ``datum`` names, or ``None`` for a CRS."""
    if isinstance(datum, str) and datum in DATUMS:
        return cast("Datum", datum)
    return None


def _crs_of(crs: object) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        msg = (
            f"不认识的坐标系 {crs!r}。 / Unknown datum or CRS {crs!r}: use one of "
            f"{', '.join(DATUMS)} or a CRS pyproj reads (e.g. EPSG:4549)."
        )
        raise CRSError(msg) from exc


def _transformer(crs: object) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(_crs_of(crs), DISPLAY_CRS, always_xy=True)


def _one_to_wgs84(
    x: NDArray[np.float64], y: NDArray[np.float64], datum: str | pyproj.CRS
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    label = _datum_label(datum)
    if label == "WGS84":
        return x.copy(), y.copy()
    if label == "GCJ-02":
        return gcj02_to_wgs84(x, y)
    if label == "BD-09":
        return bd09_to_wgs84(x, y)
    lon, lat = _transformer(datum).transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def to_wgs84(
    x: ArrayLike, y: ArrayLike, datum: str | pyproj.CRS | ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert coordinates from a datum or CRS to WGS84 longitude/latitude, vectorised.

    This is the one conversion to WGS84 of the planning map: the Chinese web-map
    datums (inverted to sub-millimetre, see :func:`gcj02_to_wgs84` and
    :func:`bd09_to_wgs84`) and any CRS (through pyproj, x/y in the CRS's own
    units, longitude first).

    Parameters
    ----------
    x, y
        Longitude/latitude in degrees for ``WGS84``, ``GCJ-02`` and ``BD-09``;
        easting/northing (or longitude/latitude) in the CRS's units otherwise.
        Scalars or arrays of the same shape.
    datum
        ``"WGS84"`` (returned unchanged), ``"GCJ-02"`` (Amap, Tencent),
        ``"BD-09"`` (Baidu), a :class:`pyproj.CRS` or anything pyproj reads
        (``"EPSG:4549"``); or an array of those labels, one per point, each
        group then converted on its own.

    Returns
    -------
    tuple of arrays
        WGS84 longitude and latitude in degrees.

    Raises
    ------
    CRSError
        If ``datum`` names neither a datum nor a CRS, or x, y and the labels differ in shape.

    Examples
    --------
    >>> lon, lat = to_wgs84([121.09626935575027], [30.608604331756705], "GCJ-02")
    >>> round(float(lon[0]), 6), round(float(lat[0]), 6)
    (121.091708, 30.610778)
    >>> lon, lat = to_wgs84([121.0, 121.0], [31.4, 31.4], ["WGS84", "BD-09"])
    >>> [round(float(v), 4) for v in lon]
    [121.0, 120.9891]
    >>> lon, lat = to_wgs84(500000.0, 3474000.0, "EPSG:4549")
    >>> round(float(lon), 6), round(float(lat), 4)
    (120.0, 31.3881)
    """
    x_arr, y_arr = _as_float_arrays(x, y)
    if isinstance(datum, str | pyproj.CRS):
        return _one_to_wgs84(x_arr, y_arr, datum)
    labels = np.asarray(datum, dtype=object)
    if labels.shape != x_arr.shape:
        msg = (
            f"每个点需要一个基准：坐标 {x_arr.shape}，基准 {labels.shape}。 / One datum per "
            f"point: the coordinates have shape {x_arr.shape}, the datums {labels.shape}."
        )
        raise CRSError(msg)
    if unknown := sorted({str(v) for v in labels.ravel()} - set(DATUMS)):
        msg = f"不认识的基准 {unknown}。 / Unknown datums {unknown}: use {', '.join(DATUMS)}."
        raise CRSError(msg)
    lon, lat = x_arr.copy(), y_arr.copy()
    for label in DATUMS[1:]:  # each datum's points as one batch (WGS84 stays as it is)
        rows = labels == label
        if rows.any():
            lon[rows], lat[rows] = _one_to_wgs84(x_arr[rows], y_arr[rows], label)
    return lon, lat


def geometry_to_wgs84(geometry: _G, datum: str | pyproj.CRS) -> _G:
    """Return a copy of geometries with every vertex moved from ``datum`` to WGS84.

    Parameters
    ----------
    geometry
        A shapely geometry or an array of them (``None`` stays ``None``), in ``datum``.
    datum
        As :func:`to_wgs84` (one datum or CRS for all vertices).

    Returns
    -------
    shapely.Geometry or array
        The same shapes in WGS84 longitude/latitude (2D), vertex for vertex what
        :func:`to_wgs84` gives for their coordinates.

    Examples
    --------
    >>> pt = geometry_to_wgs84(shapely.Point(121.09626935575027, 30.608604331756705), "GCJ-02")
    >>> round(pt.x, 6), round(pt.y, 6)
    (121.091708, 30.610778)
    """

    def _convert(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], datum)
        return np.column_stack([lon, lat])

    return cast("_G", shapely.transform(geometry, _convert))


def gdf_to_wgs84(
    gdf: gpd.GeoDataFrame, *, datum: str | pyproj.CRS | None = None, what: str = "The layer"
) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in WGS84 (EPSG:4326), its raw coordinates read in ``datum``.

    Parameters
    ----------
    gdf
        Any geometries. Its own CRS is used when ``datum`` is ``None``, and ignored otherwise.
    datum
        What the coordinates are in, overriding ``gdf.crs``: as :func:`to_wgs84`.
        ``"WGS84"`` only sets the CRS (numbers out of range are kept, to be
        reported by whoever checks the location); ``"GCJ-02"``/``"BD-09"`` move
        every vertex (:func:`geometry_to_wgs84`); a CRS is reprojected by geopandas.
    what
        The layer's name in the message of a missing CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows and columns, geometries in EPSG:4326.

    Raises
    ------
    CRSError
        If ``datum`` is ``None`` and ``gdf`` has no CRS, or ``datum`` names no datum or CRS.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.Point(121.0, 31.4)])
    >>> moved = gdf_to_wgs84(frame, datum="GCJ-02")
    >>> moved.crs.to_epsg(), round(float(moved.geometry.x.iloc[0]), 4)
    (4326, 120.9956)
    >>> gdf_to_wgs84(frame)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.CRSError: 图层没有坐标系（The layer）。 / The layer has no coordinate ...
    """
    if datum is None:
        if gdf.crs is None:
            msg = (
                f"图层没有坐标系（{what}）。 / {what} has no coordinate reference system: save "
                "it with its CRS (e.g. EPSG:4326 or EPSG:4549) and load it again."
            )
            raise CRSError(msg)
        return gdf.to_crs(DISPLAY_CRS)
    label = _datum_label(datum)
    if label == "WGS84":
        return gdf.set_crs(DISPLAY_CRS, allow_override=True)
    if label is None:
        return gdf.set_crs(_crs_of(datum), allow_override=True).to_crs(DISPLAY_CRS)
    moved = geometry_to_wgs84(np.asarray(gdf.geometry.array, dtype=object), label)
    geometry = gpd.GeoSeries(moved, index=gdf.index, crs=DISPLAY_CRS, name=gdf.geometry.name)
    return gdf.set_geometry(geometry)


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
        If ``gdf`` has no CRS or no geometry, or its coordinates cannot be where
        its CRS says (not longitude/latitude once in WGS84, e.g. zone-prefixed
        Gauss-Kruger numbers declared as WGS84): then with the message of
        :func:`geo.files.location.location_check`, which names the CRS that would
        put them in Kunshan.

    Examples
    --------
    >>> metric_crs_for(gpd.GeoDataFrame(geometry=[shapely.Point(120.95, 31.39)], crs=4326))
    'EPSG:4549'
    >>> gk40 = gpd.GeoDataFrame(geometry=[shapely.Point(40_590_000, 3_475_000)], crs=4326)
    >>> metric_crs_for(gk40)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.CRSError: 图层坐标不是有效的经纬度...请选择坐标系 cgcs2000_gk40。 / ...
    """
    _require_crs(gdf, "The layer")
    if gdf.empty:
        msg = "Cannot choose a metric CRS for an empty layer."
        raise CRSError(msg)
    in_wgs84 = gdf.to_crs(DISPLAY_CRS)
    minx, miny, maxx, maxy = in_wgs84.total_bounds
    lonlat = np.isfinite([minx, miny, maxx, maxy]).all()
    if not (lonlat and -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
        # geopandas' UTM estimate would fail here with a bare IndexError or RuntimeError.
        raise CRSError(_misplaced_message(gdf, in_wgs84))
    if _GK_CM120_LON[0] <= minx and maxx <= _GK_CM120_LON[1]:
        return ANALYSIS_CRS
    return str(gdf.estimate_utm_crs().to_string())


def _misplaced_message(gdf: gpd.GeoDataFrame, in_wgs84: gpd.GeoDataFrame) -> str:
    """Return the location check's message for coordinates that are not where their CRS says."""
    # Imported here: geo.files reads layers with this module, and only this error needs it.
    from geo.files.location import location_check  # noqa: PLC0415

    if np.isfinite(shapely.get_coordinates(in_wgs84.geometry.array)).all():
        check = location_check(in_wgs84, gdf)
    else:  # beyond the CRS's own area: its raw numbers, tried as every usual CRS
        raw = gpd.GeoDataFrame(geometry=np.asarray(gdf.geometry.array, dtype=object))
        check = location_check(raw)
    return check.message or (
        f"图层坐标不在其坐标系 {gdf.crs} 的范围内。 / The layer's coordinates are not where "
        f"its CRS ({gdf.crs}) says they are: check the coordinate system."
    )
