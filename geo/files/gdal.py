"""Layers read by GDAL (pyogrio): listed, read without CRS, warnings kept as notes."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pyogrio
import pyproj

from geo.errors import UploadError
from geo.files.source import Format, Source
from geo.files.text import READ_ERRORS, bilingual, codec, scrubbed

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = [
    "KML_FIELDS",
    "crs_declared",
    "gdal_layers",
    "gdal_source",
    "gdal_warnings",
    "read_gdal",
    "unreadable",
]


@contextmanager
def gdal_warnings(notes: list[str], tmp: Path) -> Iterator[None]:
    """Turn what GDAL warns about while reading (pyogrio's RuntimeWarnings) into notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            said = dict.fromkeys(scrubbed(w.message, tmp).split(". ")[0] for w in caught)
            notes.extend(
                f"读取时 GDAL 提示：{text}。 / GDAL warned while reading: {text}."
                for text in list(said)[:3]
            )


def gdal_layers(
    path: Path, shown: str, tmp: Path, notes: list[str]
) -> list[tuple[str, str | None]]:
    """Return the layers GDAL finds in ``path`` with their geometry types (None: a table)."""
    try:
        with gdal_warnings(notes, tmp):
            listed = pyogrio.list_layers(path)
    except READ_ERRORS as exc:
        raise unreadable(shown, exc, tmp) from exc
    return [(str(name), None if kind is None else str(kind)) for name, kind in listed]


def unreadable(shown: str, exc: BaseException, tmp: Path | None) -> UploadError:
    """Return the error for a file GDAL cannot read (its temporary paths removed)."""
    msg = bilingual(
        f"无法读取「{shown}」，文件可能已损坏。",
        f"'{shown}' could not be read; it may be damaged ({scrubbed(exc, tmp)}). Export it again.",
    )
    return UploadError(msg)


def gdal_source(
    fmt: Format,
    layers: list[str],
    layer: str | None,
    *,
    path: Path,
    options: ReadOptions,
    notes: list[str],
) -> Source:
    """Describe a file GDAL reads itself (GeoPackage, KML): UTF-8 unless the planner says."""
    return Source(
        fmt,
        tuple(layers),
        layer,
        path=path,
        gdal_layer=layer,
        encoding=codec(options.encoding) if options.encoding else "utf-8",
        gdal_encoding=options.encoding and codec(options.encoding),
        notes=notes,
    )


def crs_declared(src: Source, gdal_crs: object) -> pyproj.CRS | None:
    """Return the CRS the file declares: its .prj, or what GDAL read from it."""
    crs = None
    if src.format == "shapefile_zip":
        crs = src.prj_crs
    elif gdal_crs is not None:
        try:
            crs = pyproj.CRS.from_user_input(gdal_crs)
        except pyproj.exceptions.CRSError:
            crs = None
    if crs is None and (src.has_prj or gdal_crs is not None):
        src.notes.append(
            "文件中的坐标系定义无法识别，按未声明坐标系处理。 / The file's CRS definition could "
            "not be understood, so the layer is treated as having no declared CRS."
        )
    return crs


# LIBKML's bookkeeping fields; dropped when they hold nothing but defaults.
KML_FIELDS = (
    "id",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
)


def read_gdal(src: Source, shown: str, tmp: Path) -> tuple[gpd.GeoDataFrame, pyproj.CRS | None]:
    """Read the source's layer with GDAL; return it without CRS, and the CRS it declares."""
    assert src.path is not None
    try:
        with gdal_warnings(src.notes, tmp):
            info = pyogrio.read_info(src.path, layer=src.gdal_layer, encoding=src.gdal_encoding)
            frame = pyogrio.read_dataframe(
                src.path, layer=src.gdal_layer, encoding=src.gdal_encoding, force_2d=True
            )
    except UnicodeDecodeError as exc:
        msg = bilingual(
            f"「{shown}」的属性不是 {src.encoding or 'UTF-8'} 编码。",
            f"The attributes of '{shown}' are not valid {src.encoding or 'UTF-8'}: give the "
            "encoding (e.g. encoding='gbk').",
        )
        raise UploadError(msg) from exc
    except READ_ERRORS as exc:
        raise unreadable(shown, exc, tmp) from exc
    if re.search(r"( Z| M| ZM)$|3D|Measured", str(info.get("geometry_type") or "")):
        if src.format not in ("kml", "kmz"):
            src.notes.append("高程（Z/M）已忽略。 / Heights and measures (Z/M) were dropped.")
    if src.format in ("kml", "kmz"):
        empty = [
            c
            for c in KML_FIELDS
            if c in frame.columns and (frame[c].isna() | frame[c].isin([-1, ""])).all()
        ]
        frame = frame.drop(columns=empty)
    declared = crs_declared(src, frame.crs)
    return gpd.GeoDataFrame(
        frame.drop(columns=frame.geometry.name), geometry=frame.geometry.array
    ), declared
