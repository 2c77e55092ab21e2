"""GeoJSON: decoded (UTF-8, else GB18030) and handed to GDAL as UTF-8."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from geo.files.source import Source
from geo.files.text import BOM, decode_text

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["open_geojson"]


def open_geojson(content: bytes, shown: str, options: ReadOptions, tmp: Path) -> Source:
    """Write a GeoJSON for GDAL in ``tmp``, re-encoded to UTF-8 when it is not."""
    text, encoding = decode_text(content, options.encoding, shown)
    path = tmp / "upload.geojson"
    if encoding == "utf-8":
        path.write_bytes(content.removeprefix(BOM))
    else:  # GDAL reads GeoJSON as UTF-8
        path.write_text(text, encoding="utf-8")
    layer = PurePosixPath(shown).stem
    src = Source("geojson", (layer,), layer, path=path, encoding=encoding)
    if encoding != "utf-8":
        src.notes.append(
            f"文字按 {encoding} 解码。 / The text was decoded as {encoding} (GeoJSON should be "
            "UTF-8)."
        )
    return src
