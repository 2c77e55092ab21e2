"""A planner's file opened for reading: its format, layers, table or GDAL path, and notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyproj

from geo.errors import UploadError
from geo.files.text import bilingual, names_text, one_line

__all__ = ["FORMATS", "Format", "Source", "choose_layer"]


Format = Literal["geojson", "shapefile_zip", "gpkg", "kml", "kmz", "csv", "xlsx"]


FORMATS: tuple[Format, ...] = ("geojson", "shapefile_zip", "gpkg", "kml", "kmz", "csv", "xlsx")


@dataclass
class Source:
    """A file opened for reading in the private temp dir (internal, mutable while built)."""

    format: Format
    layers: tuple[str, ...]
    layer: str | None
    path: Path | None = None  # for GDAL
    gdal_layer: str | None = None
    table: pd.DataFrame | None = None  # for CSV/XLSX
    encoding: str | None = None  # reported
    gdal_encoding: str | None = None  # passed to pyogrio (GeoJSON is re-encoded to UTF-8)
    encoding_from_cpg: bool = False
    notes: list[str] = field(default_factory=list)
    has_prj: bool = False
    prj_crs: pyproj.CRS | None = None  # a Shapefile's .prj, parsed here (GDAL never reads it)


def choose_layer(layers: Sequence[str], wanted: str | None, shown: str, *, lenient: bool) -> str:
    """Return the layer ``wanted``, the only one, or (``lenient``) the first; else say which."""
    if wanted is not None:
        if wanted in layers:
            return wanted
        msg = bilingual(
            f"「{shown}」中没有图层 '{one_line(wanted)}'；现有：{names_text(layers)}。",
            f"'{shown}' has no layer '{one_line(wanted)}'; its layers are: {names_text(layers)}.",
        )
        raise UploadError(msg)
    if not layers:
        msg = bilingual(
            f"「{shown}」中没有含几何的图层。",
            f"'{shown}' holds no layer with geometry.",
        )
        raise UploadError(msg)
    if len(layers) == 1 or lenient:
        return layers[0]
    msg = bilingual(
        f"「{shown}」含 {len(layers)} 个图层：{names_text(layers)}；请选择其中一个（layer）。",
        f"'{shown}' holds {len(layers)} layers: {names_text(layers)}. Choose one with layer=.",
    )
    raise UploadError(msg)
