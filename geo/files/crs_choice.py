"""The coordinate systems a planner's raw coordinates can be read in, and their ranges.

The named choices (``wgs84``, ``cgcs2000``, ``cgcs2000_gk120``,
``cgcs2000_gk40``, ``gcj02``, ``bd09``) and ``EPSG:n``; read into WGS84 with
:func:`geo.crs.to_wgs84`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyproj
from numpy.typing import NDArray

from geo.crs import DISPLAY_CRS, to_wgs84
from geo.errors import UploadError

__all__ = [
    "CHOICES_TEXT",
    "CRS_CHOICES",
    "NAMED_CRS",
    "CoordinateSystem",
    "candidate_systems",
    "crs_from_pyproj",
    "fits_range",
    "named_crs",
    "parse_crs",
    "to_lonlat",
]


@dataclass(frozen=True)
class CoordinateSystem:
    """A coordinate system to read raw coordinates in (internal)."""

    choice: str  # the ReadOptions spelling: "wgs84", "EPSG:4527", …
    code: str  # "EPSG:4549", "GCJ-02", "BD-09" or a CRS name
    name_zh: str
    name_en: str
    crs: pyproj.CRS  # for GCJ-02 / BD-09: WGS84, the frame their lon/lat are stored in
    shift: Literal["none", "gcj02", "bd09"] = "none"

    @property
    def geographic(self) -> bool:
        """Whether the raw coordinates are longitude/latitude."""
        return self.shift != "none" or bool(self.crs.is_geographic)

    @property
    def datum(self) -> str | pyproj.CRS:
        """What :func:`geo.crs.to_wgs84` reads the raw coordinates in."""
        if self.shift != "none":
            return {"gcj02": "GCJ-02", "bd09": "BD-09"}[self.shift]
        return "WGS84" if self.code == DISPLAY_CRS else self.crs


NAMED_CRS: dict[str, tuple[str, str, str, Literal["none", "gcj02", "bd09"]]] = {
    "wgs84": ("EPSG:4326", "WGS84 经纬度", "WGS84 longitude/latitude", "none"),
    "cgcs2000": ("EPSG:4490", "CGCS2000 经纬度", "CGCS2000 longitude/latitude", "none"),
    "cgcs2000_gk120": (
        "EPSG:4549",
        "CGCS2000 3 度带投影，中央经线 120°E，x 无带号",
        "CGCS2000 3-degree Gauss-Kruger CM 120E, no zone prefix in x",
        "none",
    ),
    "cgcs2000_gk40": (
        "EPSG:4528",
        "CGCS2000 3 度带第 40 带，x 含带号 40",
        "CGCS2000 3-degree Gauss-Kruger zone 40, zone prefix 40 in x",
        "none",
    ),
    "gcj02": ("GCJ-02", "GCJ-02，高德、腾讯地图", "GCJ-02, Amap and Tencent maps", "gcj02"),
    "bd09": ("BD-09", "BD-09，百度地图", "BD-09, Baidu maps", "bd09"),
}


CRS_CHOICES: tuple[str, ...] = (*NAMED_CRS, "EPSG:n")


CHOICES_TEXT = ", ".join(CRS_CHOICES)


# 3-degree Gauss-Kruger zones with the zone number in x: EPSG:4513 (zone 25) … 4533 (45).
_GK_ZONES = range(25, 46)


_GK_ZONE_EPSG0 = 4488


def named_crs(choice: str) -> CoordinateSystem:
    """Return the named choice ``choice`` (a key of :data:`NAMED_CRS`)."""
    code, zh, en, shift = NAMED_CRS[choice]
    crs = pyproj.CRS.from_user_input(DISPLAY_CRS if shift != "none" else code)
    return CoordinateSystem(choice, code, zh, en, crs, shift)


def crs_from_pyproj(crs: pyproj.CRS, choice: str | None = None) -> CoordinateSystem:
    """Return a pyproj CRS as a coordinate system, with the name of a choice it matches."""
    epsg = crs.to_epsg()
    code = f"EPSG:{epsg}" if epsg is not None else str(crs.name)
    for key, (named_code, zh, en, shift) in NAMED_CRS.items():
        if shift == "none" and named_code == code:
            return CoordinateSystem(choice or key, code, zh, en, crs)
    return CoordinateSystem(choice or code, code, str(crs.name), str(crs.name), crs)


def parse_crs(text: str) -> CoordinateSystem:
    """Return the coordinate system a ``ReadOptions.crs`` string names.

    A named choice, ``EPSG:n``, or any other definition pyproj reads (``4490``,
    a PROJ string, WKT).

    Raises
    ------
    UploadError
        If ``text`` is none of these, or names an EPSG code that does not exist.

    Examples
    --------
    >>> parse_crs("cgcs2000_gk40").code, parse_crs("EPSG:4549").choice, parse_crs("4490").code
    ('EPSG:4528', 'EPSG:4549', 'EPSG:4490')
    """
    key = text.strip()
    if key.casefold() in NAMED_CRS:
        return named_crs(key.casefold())
    match = re.fullmatch(r"(?i)epsg:(\d{4,6})", key)
    if match is None:
        try:
            return crs_from_pyproj(pyproj.CRS.from_user_input(key), key)
        except pyproj.exceptions.CRSError:
            pass
        msg = (
            f"不认识的坐标系 {text!r}。可选：{CHOICES_TEXT}。 / Unknown coordinate system "
            f"{text!r}. Choose one of: {CHOICES_TEXT} (e.g. EPSG:4549)."
        )
        raise UploadError(msg)
    try:
        crs = pyproj.CRS.from_epsg(int(match.group(1)))
    except pyproj.exceptions.CRSError as exc:
        msg = (
            f"EPSG 库中没有 {key}。 / {key} is not in the EPSG registry; check the number, "
            f"or choose one of: {CHOICES_TEXT}."
        )
        raise UploadError(msg) from exc
    return crs_from_pyproj(crs, f"EPSG:{match.group(1)}")


def to_lonlat(
    crs: CoordinateSystem, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return raw coordinates read in ``crs`` as WGS84 lon/lat (inf where undefined)."""
    if crs.geographic:
        ok = (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
        lon, lat = to_wgs84(np.where(ok, x, 0.0), np.where(ok, y, 0.0), crs.datum)
        return np.where(ok, lon, np.inf), np.where(ok, lat, np.inf)
    return to_wgs84(x, y, crs.datum)


def candidate_systems(x: NDArray[np.float64]) -> list[CoordinateSystem]:
    """Return the systems to try: the named ones, and the zone-prefixed zones ``x`` starts with."""
    systems = [named_crs(k) for k in NAMED_CRS]
    zones = {int(v // 1_000_000) for v in x[np.isfinite(x)]} & set(_GK_ZONES)
    for zone in sorted(zones - {40}):
        systems.append(crs_from_pyproj(pyproj.CRS.from_epsg(_GK_ZONE_EPSG0 + zone)))
    return systems


def fits_range(
    crs: CoordinateSystem, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[bool, str, str]:
    """Return whether the coordinates fit the system's range, with the reason (zh, en)."""
    y_ok = bool(((y > 1_500_000) & (y < 6_500_000)).all())  # China: 15-58 N in metres
    if crs.geographic:
        ok = bool(((np.abs(x) <= 180) & (np.abs(y) <= 90)).all())
        zh, en = ("坐标为经纬度范围", "the coordinates are in longitude/latitude range")
        if crs.shift == "gcj02":
            zh, en = (
                zh + "；高德、腾讯地图的坐标为 GCJ-02（偏约 500 米）",
                (en + "; Amap and Tencent maps give GCJ-02 (offset ~500 m)"),
            )
        elif crs.shift == "bd09":
            zh, en = zh + "；百度地图的坐标为 BD-09", en + "; Baidu maps give BD-09"
        elif crs.code == "EPSG:4490":
            zh, en = (
                zh + "；CGCS2000 与 WGS84 相差不到 1 米",
                (en + "; CGCS2000 is within 1 m of WGS84"),
            )
        return ok, zh, en
    zone = next((z for z in _GK_ZONES if crs.code == f"EPSG:{_GK_ZONE_EPSG0 + z}"), None)
    if zone is not None:
        ok = y_ok and bool(((x > zone * 1e6) & (x < (zone + 1) * 1e6)).all())
        return (
            ok,
            f"x 以带号 {zone} 开头（{zone},xxx,xxx）",
            f"x starts with zone {zone} ({zone},xxx,xxx)",
        )
    if crs.code == "EPSG:4549":
        ok = y_ok and bool(((x > 0) & (x < 1_000_000)).all())
        return (
            ok,
            "x 为 6 位数（约 500,000 上下）、y 为 7 位数",
            ("x has 6 digits (around 500,000) and y 7 digits"),
        )
    return True, "", ""
