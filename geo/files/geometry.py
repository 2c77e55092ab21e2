"""Geometry checks: one family per layer, finite coordinates, invalid polygons repaired.

Heights (Z/M) are dropped; GeometryCollections of one family (KML
MultiGeometry) become Multi* geometries; invalid polygons are repaired with
``shapely.make_valid(method="structure")`` and counted.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.errors import UploadError
from geo.files.text import bilingual

__all__ = ["SAMPLE_POINTS", "clean_geometries", "sample_xy"]


# Feature centres used to guess a CRS or test a fix: enough for a stable share.
SAMPLE_POINTS = 2_000


_MAX_COORDINATE = 1e9


_FAMILY = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}


_FAMILY_TEXT = {
    "point": ("点", "points"),
    "line": ("线", "lines"),
    "polygon": ("面", "polygons"),
    "collection": ("混合集合", "mixed collections"),
}


def _families(geoms: NDArray[np.object_]) -> NDArray[np.str_]:
    ids = shapely.get_type_id(geoms)
    out = np.array([_FAMILY.get(int(i), "collection" if i == 7 else "") for i in ids])
    return out


def _collections_to_multi(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Turn GeometryCollections of one family (KML MultiGeometry) into Multi* geometries."""
    out = geoms.copy()
    for i in np.flatnonzero(shapely.get_type_id(geoms) == 7):
        parts = shapely.get_parts(geoms[i])
        kinds = set(_families(parts)) if len(parts) else {"collection"}
        if kinds == {"point"}:
            out[i] = shapely.multipoints(shapely.get_parts(parts))
        elif kinds == {"line"}:
            out[i] = shapely.multilinestrings(shapely.get_parts(parts))
        elif kinds == {"polygon"}:
            out[i] = shapely.multipolygons(shapely.get_parts(parts))
    return out


def clean_geometries(
    frame: gpd.GeoDataFrame, shown: str, *, points_and_polygons: bool = False
) -> tuple[gpd.GeoDataFrame, int, list[str]]:
    """Check one geometry family and finite coordinates; repair invalid polygons.

    With ``points_and_polygons`` a layer may mix those two families (a population
    layer: buildings as points, estates as polygons); lines never mix.
    """
    notes: list[str] = []
    geoms = np.asarray(frame.geometry.array, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if len(geoms) == 0 or missing.all():
        msg = bilingual(
            f"「{shown}」的图层没有要素（共 {len(geoms)} 条记录，均无几何）。",
            f"The layer in '{shown}' holds no features ({len(geoms)} records, none with "
            "geometry): check that the right layer or file was chosen.",
        )
        raise UploadError(msg)
    coords = shapely.get_coordinates(geoms)
    # No coordinate system has coordinates beyond 1e9 (zone-prefixed Gauss-Kruger x is
    # ~4.5e7); such numbers come from a damaged file and overflow GEOS' arithmetic.
    sound = np.isfinite(coords) & (np.abs(coords) < _MAX_COORDINATE)
    if not sound.all():
        bad = int((~sound.all(axis=1)).sum())
        msg = bilingual(
            f"「{shown}」中有 {bad} 个坐标不是有限数字或大得离谱（NaN、无穷或超过 1e9），"
            "文件可能已损坏。",
            f"'{shown}' has {bad} coordinates that are not finite or absurdly large (NaN, "
            "infinite or beyond 1e9); the file may be damaged: export it again.",
        )
        raise UploadError(msg)
    if missing.any():
        notes.append(
            f"{int(missing.sum())} 个要素没有几何，已保留。 / {int(missing.sum())} features have "
            "no geometry; they were kept."
        )
    geoms = _collections_to_multi(shapely.force_2d(geoms))
    families = _families(geoms)[~missing]
    kinds, counts = np.unique(families, return_counts=True)
    mixed_ok = points_and_polygons and set(kinds) <= {"point", "polygon"}
    if (len(kinds) > 1 and not mixed_ok) or kinds[0] == "collection":
        parts_zh = "、".join(
            f"{_FAMILY_TEXT[k][0]} {n} 个" for k, n in zip(kinds, counts, strict=True)
        )
        parts_en = ", ".join(
            f"{n} {_FAMILY_TEXT[k][1]}" for k, n in zip(kinds, counts, strict=True)
        )
        msg = bilingual(
            f"「{shown}」的图层混有多种几何：{parts_zh}；请按类型分成多个文件。",
            f"The layer in '{shown}' mixes geometry types: {parts_en}. Split it into one file "
            "per type.",
        )
        raise UploadError(msg)
    n_repaired = 0
    if "polygon" in kinds:
        polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])  # (Multi)Polygon
        invalid = ~missing & polygonal & ~shapely.is_valid(geoms)
        n_repaired = int(invalid.sum())
        if n_repaired:
            fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
            geoms[invalid] = fixed
            collapsed = int(shapely.is_empty(fixed).sum())
            notes.append(
                f"{n_repaired} 个无效面已修复（shapely.make_valid）"
                + (f"，其中 {collapsed} 个面积为零、修复后为空" if collapsed else "")
                + f"。 / {n_repaired} invalid polygons repaired (shapely.make_valid)"
                + (f"; {collapsed} had no area and are now empty" if collapsed else "")
                + "."
            )
    out = gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=geoms)
    return out, n_repaired, notes


def sample_xy(geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the bounding-box centres of up to SAMPLE_POINTS features (evenly spaced)."""
    bounds = shapely.bounds(geoms)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    if len(bounds) > SAMPLE_POINTS:
        bounds = bounds[np.linspace(0, len(bounds) - 1, SAMPLE_POINTS).astype(int)]
    return (bounds[:, 0] + bounds[:, 2]) / 2.0, (bounds[:, 1] + bounds[:, 3]) / 2.0
