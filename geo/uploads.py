"""Read layers that planners upload, with clear bilingual errors for bad files."""

from __future__ import annotations

import io

import geopandas as gpd
import pyogrio

from geo.crs import DISPLAY_CRS
from geo.errors import PlanningMapError

__all__ = ["MAX_UPLOAD_BYTES", "line_layer_from_upload"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def line_layer_from_upload(
    content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> gpd.GeoDataFrame:
    """Return an uploaded GeoJSON line layer (``name`` + lines) in WGS84.

    A file without a declared CRS is taken as WGS84, as GeoJSON requires.

    Raises
    ------
    PlanningMapError
        If the file is too large, unreadable, empty, not lines, or has no ``name``.
    """
    if len(content) > max_bytes:
        msg = (
            f"文件过大（{len(content) / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB）。 / "
            f"The file is too large ({len(content) / 1e6:.1f} MB; the limit is "
            f"{max_bytes / 1e6:.0f} MB)."
        )
        raise PlanningMapError(msg)
    try:
        layer = gpd.read_file(io.BytesIO(content))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = f"无法读取该文件（需要 GeoJSON）。 / The file could not be read as GeoJSON ({exc})."
        raise PlanningMapError(msg) from exc
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
