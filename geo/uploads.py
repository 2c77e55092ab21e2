"""Read layers that planners upload, with clear bilingual errors for bad files."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.crs import DISPLAY_CRS
from geo.errors import PlanningMapError
from geo.readers import read_layer

__all__ = [
    "MAX_UPLOAD_BYTES",
    "demand_layer_from_upload",
    "line_layer_from_upload",
    "population_layer_from_upload",
]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _read_upload(
    content: bytes, max_bytes: int, file_name: str, *, points_and_polygons: bool = False
) -> gpd.GeoDataFrame:
    """Read an upload of any supported format (:mod:`geo.readers`) into WGS84.

    A file without a declared CRS is read with the best guess from its coordinates
    (GeoJSON is WGS84 by definition).
    """
    if len(content) > max_bytes:
        msg = (
            f"文件过大（{len(content) / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB）。 / "
            f"The file is too large ({len(content) / 1e6:.1f} MB; the limit is "
            f"{max_bytes / 1e6:.0f} MB)."
        )
        raise PlanningMapError(msg)
    result = read_layer(
        content, file_name, max_bytes=max_bytes, points_and_polygons=points_and_polygons
    )
    return result.gdf


def line_layer_from_upload(
    content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, file_name: str = "upload.geojson"
) -> gpd.GeoDataFrame:
    """Return an uploaded GeoJSON line layer (``name`` + lines) in WGS84.

    A file without a declared CRS is taken as WGS84, as GeoJSON requires.

    Raises
    ------
    PlanningMapError
        If the file is too large, unreadable, empty, not lines, or has no ``name``.
    """
    layer = _read_upload(content, max_bytes, file_name)
    kinds = set(layer.geom_type.dropna())
    if layer.empty or not kinds <= {"LineString", "MultiLineString"}:
        msg = (
            f"需要线要素，文件中为 {sorted(kinds) or '空'}。 / The layer must hold lines; "
            f"it holds {sorted(kinds) or 'nothing'}."
        )
        raise PlanningMapError(msg)
    if "name" not in layer.columns:
        columns = sorted(c for c in layer.columns if c != "geometry")
        msg = f"缺少 name 字段（现有字段：{columns}）。 / The layer needs a 'name' column."
        raise PlanningMapError(msg)
    if layer.crs is None:
        layer = layer.set_crs(DISPLAY_CRS)
    return layer.to_crs(DISPLAY_CRS)[["name", "geometry"]]


POPULATION_COLUMNS = ("population", "人口", "pop")


def demand_layer_from_upload(
    content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, file_name: str = "upload.geojson"
) -> tuple[gpd.GeoDataFrame, str]:
    """Return an uploaded demand layer and its kind: ``population`` or ``residential``.

    A layer with a population count (see :func:`population_layer_from_upload`)
    is population; a polygon layer without one is residential land (parcels,
    e.g. 控规 residential plots), measured by area.

    Raises
    ------
    PlanningMapError
        As :func:`population_layer_from_upload`, and for points without a count.
    """
    layer = _read_upload(content, max_bytes, file_name, points_and_polygons=True)
    if any(c in layer.columns for c in POPULATION_COLUMNS):
        return population_layer_from_upload(
            content, max_bytes=max_bytes, file_name=file_name
        ), "population"
    kinds = set(layer.geom_type.dropna())
    if not layer.empty and kinds <= {"Polygon", "MultiPolygon"}:
        if layer.crs is None:
            layer = layer.set_crs(DISPLAY_CRS)
        parcels = gpd.GeoDataFrame(geometry=layer.geometry.to_numpy(), crs=layer.crs)
        return parcels.to_crs(DISPLAY_CRS), "residential"
    return population_layer_from_upload(
        content, max_bytes=max_bytes, file_name=file_name
    ), "population"


def population_layer_from_upload(
    content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, file_name: str = "upload.geojson"
) -> gpd.GeoDataFrame:
    """Return an uploaded population layer (points or polygons + ``population``) in WGS84.

    The count may be named ``population``, ``人口`` or ``pop``; it must be a
    number of zero or more on every feature. A file without a declared CRS is
    taken as WGS84, as GeoJSON requires.

    Raises
    ------
    PlanningMapError
        If the file is too large or unreadable, holds no points or polygons, or
        lacks a valid population count.
    """
    layer = _read_upload(content, max_bytes, file_name, points_and_polygons=True)
    kinds = set(layer.geom_type.dropna())
    allowed = {"Point", "MultiPoint", "Polygon", "MultiPolygon"}
    if layer.empty or not kinds <= allowed:
        msg = (
            f"需要点或面要素，文件中为 {sorted(kinds) or '空'}。 / The layer must hold points "
            f"or polygons; it holds {sorted(kinds) or 'nothing'}."
        )
        raise PlanningMapError(msg)
    column = next((c for c in POPULATION_COLUMNS if c in layer.columns), None)
    if column is None:
        columns = sorted(c for c in layer.columns if c != "geometry")
        msg = (
            f"缺少人口字段 population（现有字段：{columns}）。 / "
            "The layer needs a 'population' column."
        )
        raise PlanningMapError(msg)
    counts = pd.to_numeric(layer[column], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        bad = int((counts.isna() | (counts < 0)).sum())
        msg = (
            f"有 {bad} 个要素的人口不是非负数字。 / "
            f"{bad} features have a population that is not a number of zero or more."
        )
        raise PlanningMapError(msg)
    if layer.crs is None:
        layer = layer.set_crs(DISPLAY_CRS)
    out = gpd.GeoDataFrame(
        {"population": counts.astype(float).to_numpy()},
        geometry=layer.geometry.to_numpy(),
        crs=layer.crs,
    )
    return out.to_crs(DISPLAY_CRS)
