"""KML and KMZ: the folders that hold placemarks are the layers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyogrio

from geo.files.gdal import gdal_layers, gdal_source, gdal_warnings, unreadable
from geo.files.source import Format, Source, choose_layer
from geo.files.text import READ_ERRORS

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["open_kml", "open_kml_path"]


def open_kml_path(
    path: Path, fmt: Format, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> Source:
    """Open a KML document at ``path`` and choose one of its folders with placemarks."""
    notes: list[str] = []
    names = [name for name, _ in gdal_layers(path, shown, tmp, notes)]
    counts = {}
    for name in names:
        try:
            with gdal_warnings(notes, tmp):
                info = pyogrio.read_info(path, layer=name, force_feature_count=True)
            counts[name] = int(info["features"])
        except READ_ERRORS as exc:
            raise unreadable(shown, exc, tmp) from exc
    # KML documents carry empty folders; only folders with placemarks are layers.
    layers = [n for n in names if counts[n] != 0] or names[:1]
    layer = choose_layer(layers, options.layer, shown, lenient=lenient)
    return gdal_source(fmt, layers, layer, path=path, options=options, notes=notes)


def open_kml(
    content: bytes, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> Source:
    """Write a KML document for GDAL in ``tmp`` and open it."""
    path = tmp / "upload.kml"
    path.write_bytes(content)
    return open_kml_path(path, "kml", shown, options, tmp, lenient=lenient)
