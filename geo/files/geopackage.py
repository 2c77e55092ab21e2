"""GeoPackage: its layers with geometry; one is chosen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from geo.files.gdal import gdal_layers, gdal_source
from geo.files.source import Source, choose_layer

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["open_gpkg"]


def open_gpkg(
    content: bytes, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> Source:
    """Write a GeoPackage for GDAL in ``tmp`` and choose one of its layers with geometry."""
    path = tmp / "upload.gpkg"
    path.write_bytes(content)
    notes: list[str] = []
    spatial = [name for name, kind in gdal_layers(path, shown, tmp, notes) if kind is not None]
    layer = choose_layer(spatial, options.layer, shown, lenient=lenient)
    return gdal_source("gpkg", spatial, layer, path=path, options=options, notes=notes)
