"""Guess the coordinate system of raw coordinates from their ranges, and say why.

The ranges: ``|x| <= 180`` and ``|y| <= 90`` is longitude/latitude (WGS84,
CGCS2000, GCJ-02, BD-09); ``x`` of 40,xxx,xxx is EPSG:4528 (zone 40 with its
prefix; other zones 25-45 likewise); ``x`` of 6 digits with ``y`` of 7 is
EPSG:4549 (CM 120E). Systems that put the coordinates in Kunshan rank first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
from numpy.typing import NDArray

from geo.errors import UploadError
from geo.files.crs_choice import (
    CHOICES_TEXT,
    CoordinateSystem,
    candidate_systems,
    crs_from_pyproj,
    fits_range,
    parse_crs,
)
from geo.files.geometry import sample_xy
from geo.files.location import fix_text, lands_in_kunshan, location_fixes
from geo.files.text import bilingual, number_text

__all__ = ["CrsCandidate", "CrsSource", "rank_crs", "resolve_crs"]


CrsSource = Literal["declared", "chosen", "guessed"]


@dataclass(frozen=True)
class CrsCandidate:
    """One coordinate system the raw coordinates could be in, with the reason.

    ``crs`` is the :class:`~geo.files.reading.ReadOptions` spelling (``cgcs2000_gk120``), ``code``
    the system itself (``EPSG:4549``, ``GCJ-02``). ``plausible`` is whether the
    coordinates fit its range; ``in_kunshan`` whether, read so, they land in Kunshan.
    """

    crs: str
    code: str
    plausible: bool
    in_kunshan: bool
    reason: str


def _span(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[str, str]:
    xs, ys = (
        f"x {number_text(x.min())}–{number_text(x.max())}",
        f"y {number_text(y.min())}–{number_text(y.max())}",
    )
    return f"{xs}，{ys}", f"{xs}, {ys}"


def _judge(
    crs: CoordinateSystem, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[int, str, str]:
    """Return 2 (fits, lands in Kunshan), 1 (fits) or 0, with the reason (zh, en)."""
    ok, zh, en = fits_range(crs, x, y)
    here = ok and lands_in_kunshan(crs, x, y)
    span = _span(x, y)
    if here:
        zh, en = zh + "，按此读取位于昆山", en + ", and read so they lie in Kunshan"
    elif ok:
        zh, en = zh + "，但按此读取不在昆山", en + ", but read so they are not in Kunshan"
    else:
        zh, en = "坐标范围不符", "the coordinates do not fit its range"
    return (2 if here else 1 if ok else 0), f"{zh}（{span[0]}）", f"{en} ({span[1]})"


def rank_crs(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[CrsCandidate, ...]:
    """Rank the coordinate systems for raw coordinates: in Kunshan, then fitting, then not."""
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if len(x) == 0:
        return ()
    ranked = []
    for order, crs in enumerate(candidate_systems(x)):
        score, zh, en = _judge(crs, x, y)
        reason = f"{crs.code}：{zh}。 / {crs.code}: {en}."
        candidate = CrsCandidate(crs.choice, crs.code, score > 0, score == 2, reason)
        ranked.append((-score, order, candidate))
    return tuple(c for *_, c in sorted(ranked, key=lambda r: (r[0], r[1])))


def resolve_crs(
    frame: gpd.GeoDataFrame, declared: pyproj.CRS | None, choice: str | None
) -> tuple[CoordinateSystem, CrsSource, str | None]:
    """Return the CRS to read the raw coordinates in, where it came from, and a note.

    ``choice`` (a ``ReadOptions.crs``) wins, then the ``declared`` CRS, then the
    best guess from the coordinates' ranges.

    Raises
    ------
    UploadError
        If nothing is chosen or declared and the coordinates fit none of the usual systems.
    """
    if choice is not None:
        chosen = parse_crs(choice)
        note = None
        if declared is not None and crs_from_pyproj(declared).code != chosen.code:
            code = crs_from_pyproj(declared).code
            note = (
                f"文件声明 {code}，按所选 {chosen.code} 读取。 / The file declares {code}; it was "
                f"read as {chosen.code}, as chosen."
            )
        return chosen, "chosen", note
    if declared is not None:
        return crs_from_pyproj(declared), "declared", None
    x, y = sample_xy(np.asarray(frame.geometry.array, dtype=object))
    ranked = [c for c in rank_crs(x, y) if c.plausible]
    if not ranked:
        fix_zh, fix_en = fix_text(location_fixes(x, y))
        span = _span(x, y)
        msg = bilingual(
            f"未声明坐标系，坐标（{span[0]}）也不符合任何常用坐标系。{fix_zh}",
            f"No CRS is declared and the coordinates ({span[1]}) fit none of the usual systems. "
            f"{fix_en} Or choose the CRS ({CHOICES_TEXT}).",
        )
        raise UploadError(msg)
    best = parse_crs(ranked[0].crs)
    _, zh, en = _judge(best, x, y)
    if best.geographic:
        zh += "；若坐标取自高德、腾讯地图请选 gcj02，取自百度地图请选 bd09"
        en += "; if they come from Amap or Tencent maps choose gcj02, from Baidu bd09"
    note = (
        f"未声明坐标系，按最可能的 {best.code}（{best.name_zh}）读取：{zh}。 / No CRS declared: "
        f"read as {best.code} ({best.name_en}; best guess): {en}."
    )
    return best, "guessed", note
