"""Whether a layer lies in Kunshan, and which reading of its coordinates would put it there.

:func:`location_check` compares the layer with Kunshan's outline box buffered
by :data:`KUNSHAN_MARGIN_M` and names the coordinate system (or the x/y swap)
that would put the raw coordinates there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from geo.crs import ANALYSIS_CRS, DISPLAY_CRS
from geo.errors import CRSError
from geo.files.crs_choice import CoordinateSystem, candidate_systems, fits_range, to_lonlat
from geo.files.geometry import sample_xy
from geo.files.text import number_text

__all__ = [
    "KUNSHAN_MARGIN_M",
    "LocationCheck",
    "LocationFix",
    "fix_text",
    "kunshan_box",
    "lands_in_kunshan",
    "location_check",
    "location_fixes",
]


KUNSHAN_MARGIN_M = 20_000.0


@cache
def kunshan_box() -> tuple[float, float, float, float]:
    """Return Kunshan's outline bounds buffered by KUNSHAN_MARGIN_M, in WGS84."""
    from geo.boundaries import load_outline  # noqa: PLC0415 - only when a layer is checked

    minx, miny, maxx, maxy = load_outline().to_crs(ANALYSIS_CRS).total_bounds
    m = KUNSHAN_MARGIN_M
    box = gpd.GeoSeries([shapely.box(minx - m, miny - m, maxx + m, maxy + m)], crs=ANALYSIS_CRS)
    b = box.to_crs(DISPLAY_CRS).total_bounds
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _inside(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    minx, miny, maxx, maxy = kunshan_box()
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def lands_in_kunshan(crs: CoordinateSystem, x: NDArray[np.float64], y: NDArray[np.float64]) -> bool:
    """Return whether at least half of the points, read in ``crs``, lie in Kunshan's box."""
    if len(x) == 0:
        return False
    lon, lat = to_lonlat(crs, x, y)
    return bool(_inside(lon, lat).mean() >= 0.5)


@dataclass(frozen=True)
class LocationFix:
    """A reading that puts the raw coordinates in Kunshan: a CRS, maybe with x/y swapped."""

    crs: str
    code: str
    swap_xy: bool


def location_fixes(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[LocationFix, ...]:
    """Return the readings (a CRS, maybe with x/y swapped) that put the points in Kunshan."""
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    fixes = []
    for swap in (False, True):
        a, b = (y, x) if swap else (x, y)
        for crs in candidate_systems(a):
            if fits_range(crs, a, b)[0] and lands_in_kunshan(crs, a, b):
                fixes.append(LocationFix(crs.choice, crs.code, swap))
    return tuple(fixes)


def fix_text(fixes: Sequence[LocationFix]) -> tuple[str, str]:
    """Return what to do (zh, en): the best fix, and up to three others."""
    if not fixes:
        return (
            "没有哪种常用坐标系能把它放进昆山，请核对数据来源。",
            "None of the usual coordinate systems puts it in Kunshan: check where the data "
            "came from.",
        )
    best = fixes[0]
    zh = f"按 {best.code} 读取则位于昆山：请选择坐标系 {best.crs}"
    en = f"Read as {best.code} it lies in Kunshan: choose crs={best.crs!r}"
    if best.swap_xy:
        zh = (
            f"x 与 y 互换后按 {best.code} 读取则位于昆山："
            "请交换两列（表格可用 x_column/y_column 指定）"
        )
        en = (
            f"With x and y swapped and read as {best.code} it lies in Kunshan: swap them "
            "(for a table, name the columns with x_column/y_column)"
        )
    # Other readings, leaving out lon/lat variants of the best one (within ~1 km of it).
    lonlat = {"wgs84", "cgcs2000", "gcj02", "bd09"}
    others = [
        f
        for f in fixes[1:]
        if not (best.crs in lonlat and f.crs in lonlat and f.swap_xy == best.swap_xy)
    ][:3]
    if others:
        zh += "（也可能：" + "、".join(f.crs + ("，x/y 互换" if f.swap_xy else "") for f in others)
        en += " (also possible: " + ", ".join(
            f.crs + (" with x/y swapped" if f.swap_xy else "") for f in others
        )
        zh, en = zh + "）", en + ")"
    return zh + "。", en + "."


@dataclass(frozen=True)
class LocationCheck:
    """Whether a WGS84 layer lies in or near Kunshan, and if not, what would fix it.

    ``centre`` is the centre of the layer's WGS84 bounding box (lon, lat, rounded
    to 3 decimals, ~100 m), ``n_outside`` the features whose bounds miss Kunshan's
    outline box buffered by :data:`KUNSHAN_MARGIN_M`; ``fixes`` the readings of the
    raw coordinates (of the features outside) that would put them in Kunshan, best
    first; ``message`` says all this in both languages (``None`` when in Kunshan).
    """

    in_kunshan: bool
    n_features: int
    n_outside: int
    centre: tuple[float, float] | None
    fixes: tuple[LocationFix, ...]
    message: str | None

    @property
    def elsewhere(self) -> bool:
        """Whether no feature lies in or near Kunshan (e.g. the layer was read in a wrong CRS)."""
        return not self.in_kunshan and self.n_outside == self.n_features


def location_check(
    gdf_wgs84: gpd.GeoDataFrame, raw: gpd.GeoDataFrame | None = None
) -> LocationCheck:
    """Check that a WGS84 layer lies in or near Kunshan; if not, say where and what would fix it.

    Parameters
    ----------
    gdf_wgs84
        The layer in WGS84 (EPSG:4326, or no CRS for raw lon/lat), any geometry type.
    raw
        The same features (same order) in their raw coordinates, before any
        transformation; the CRS readings that would put them in Kunshan are tried
        on these. Defaults to ``gdf_wgs84`` (e.g. a frame declared WGS84 that holds
        projected numbers).

    Returns
    -------
    LocationCheck
        In Kunshan if every feature's bounds meet Kunshan's outline box buffered
        by 20 km; otherwise the layer's centre, the features outside and the fixes.

    Raises
    ------
    CRSError
        If ``gdf_wgs84`` has a CRS other than WGS84.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.Point(31.38, 120.95)], crs="EPSG:4326")
    >>> check = location_check(frame)
    >>> check.in_kunshan, check.fixes[0].crs, check.fixes[0].swap_xy
    (False, 'wgs84', True)
    """
    if gdf_wgs84.crs is not None and gdf_wgs84.crs != pyproj.CRS.from_user_input(DISPLAY_CRS):
        msg = f"location_check needs a WGS84 (EPSG:4326) frame, got {gdf_wgs84.crs}."
        raise CRSError(msg)
    geoms = np.asarray(gdf_wgs84.geometry.array, dtype=object)
    bounds = shapely.bounds(geoms)
    has = np.isfinite(bounds).all(axis=1)
    n = int(has.sum())
    if n == 0:
        return LocationCheck(False, 0, 0, None, (), "图层没有几何。 / The layer has no geometry.")
    minx, miny, maxx, maxy = kunshan_box()
    b = bounds[has]
    meets = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    n_outside = int((~meets).sum())
    lo, hi = b[:, :2].min(axis=0), b[:, 2:].max(axis=0)
    centre = (round(float(lo[0] + hi[0]) / 2, 3), round(float(lo[1] + hi[1]) / 2, 3))
    if n_outside == 0:
        return LocationCheck(True, n, 0, centre, (), None)
    source = raw if raw is not None and len(raw) == len(gdf_wgs84) else gdf_wgs84
    raw_geoms = np.asarray(source.geometry.array, dtype=object)[has][~meets]
    fixes = location_fixes(*sample_xy(raw_geoms))
    fix_zh, fix_en = fix_text(fixes)
    lonlat = abs(centre[0]) <= 180 and abs(centre[1]) <= 90
    if n_outside < n:
        where = (
            f"{n} 个要素中有 {n_outside} 个不在昆山附近。",
            f"{n_outside} of {n} features are not in or near Kunshan.",
        )
    elif lonlat:
        where = (
            f"图层不在昆山附近：范围中心约为经度 {centre[0]}、纬度 {centre[1]}。",
            f"The layer is not in or near Kunshan: its centre is at about lon {centre[0]}, "
            f"lat {centre[1]}.",
        )
    else:
        where = (
            f"图层坐标不是有效的经纬度（中心 x={number_text(centre[0])}、"
            f"y={number_text(centre[1])}）。",
            f"The layer's coordinates are not valid longitude/latitude (centre "
            f"x={number_text(centre[0])}, y={number_text(centre[1])}).",
        )
    message = f"{where[0]}{fix_zh} / {where[1]} {fix_en}"
    return LocationCheck(False, n, n_outside, centre, fixes, message)
