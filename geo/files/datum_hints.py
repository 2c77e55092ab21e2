"""What a file says about the datum of its longitude/latitude: WGS84, GCJ-02 or BD-09.

The coordinates cannot tell (all three land in Kunshan); the file often can.
Column names say where a table came from (``gcj_lng``, ``高德经度``, ``bd09_lat``,
``百度纬度``, ``wgs84_x``, ``GPS经度``); an Amap POI export carries ``typecode``
(Amap's six-digit POI classes, 150500 for a metro station) and is GCJ-02.
Coordinates in the millions with a longitude/latitude file's look (``x``
around 13,400,000 for Kunshan) are metres of a Mercator projection: Web
Mercator, or Baidu's own BD-09 Mercator, which must be turned into BD-09
longitude/latitude first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from geo.crs import Datum

__all__ = ["DatumHint", "datum_hints", "mercator_hint"]


@dataclass(frozen=True)
class DatumHint:
    """One sign in the file of the datum its coordinates are in, and where it was seen."""

    datum: Datum
    reason_zh: str
    reason_en: str


# Words in a column name -> the datum they name (compared in lower case, without spaces).
_NAME_WORDS: tuple[tuple[Datum, str, str], ...] = (
    ("GCJ-02", r"gcj|gaode|amap|高德|腾讯|tencent|火星", "高德/腾讯（GCJ-02）"),
    ("BD-09", r"bd0?9|^bd_?(lng|lon|lat|x|y)|baidu|百度", "百度（BD-09）"),
    ("WGS84", r"wgs|gps", "WGS84/GPS"),
)
# Amap's POI exports: a typecode column of six-digit classes (e.g. 150500, 150500|150501).
_AMAP_TYPECODE = re.compile(r"^\d{6}(\|\d{6})*$")


def datum_hints(columns: Sequence[str], typecodes: Sequence[object] = ()) -> tuple[DatumHint, ...]:
    """Return the signs of a datum in a file's column names and Amap typecodes.

    ``typecodes`` are the values of a column named ``typecode`` (if the file has one).

    >>> [h.datum for h in datum_hints(["名称", "高德经度", "高德纬度"])]
    ['GCJ-02']
    >>> [h.datum for h in datum_hints(["name", "typecode", "lng", "lat"], ["150500", "150501"])]
    ['GCJ-02']
    >>> datum_hints(["名称", "经度", "纬度"])
    ()
    """
    hints: list[DatumHint] = []
    for datum, pattern, named in _NAME_WORDS:
        hit = [c for c in columns if re.search(pattern, re.sub(r"\s+", "", str(c)).lower())]
        if hit:
            shown = "、".join(str(c) for c in hit[:3])
            hints.append(
                DatumHint(
                    datum,
                    f"列名 {shown} 指向{named}",
                    f"the column names {', '.join(str(c) for c in hit[:3])} point to {datum}",
                )
            )
    codes = [str(v).strip() for v in typecodes if str(v).strip() not in ("", "nan", "None")]
    if codes and all(_AMAP_TYPECODE.match(c) for c in codes):
        hints.append(
            DatumHint(
                "GCJ-02",
                "typecode 列为高德 POI 分类编码（高德导出，GCJ-02）",
                "the typecode column holds Amap POI classes (an Amap export: GCJ-02)",
            )
        )
    return tuple(hints)


def mercator_hint(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[str, str] | None:
    """Return a note (zh, en) when the coordinates are Mercator metres over China, else None.

    >>> mercator_hint(np.array([13_467_000.0]), np.array([3_660_000.0])) is not None
    True
    """
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    x, y = x[finite], y[finite]
    # China in Mercator metres: 73-135 E is x 8.1-15.1 million, 18-54 N is y 2.0-7.2 million.
    if not (((x > 8.1e6) & (x < 15.1e6) & (y > 2.0e6) & (y < 7.2e6)).all()):
        return None
    return (
        "坐标为墨卡托投影的米（x 约 13,400,000）：Web 墨卡托请选 EPSG:3857；百度墨卡托"
        "（BD-09MC）须先在百度工具中转为 BD-09 经纬度。",
        "The coordinates are Mercator metres (x around 13,400,000): choose EPSG:3857 for Web "
        "Mercator; Baidu Mercator (BD-09MC) must first be turned into BD-09 "
        "longitude/latitude with Baidu's tools.",
    )
