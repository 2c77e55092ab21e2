"""Read a planner's file into a WGS84 layer, or describe it first: the readers' entry points.

GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV and XLSX. Every reader
takes the file's bytes and its name, and gives a layer in WGS84 (EPSG:4326) or
a bilingual :class:`~geo.errors.UploadError` that says what is wrong, what was
seen and how to fix it.

Method
------
- **Format** is recognised from the content, the members of a zip and, for
  CSV, the file name (:mod:`geo.files.opening`).
- **Zips** (Shapefile, KMZ, XLSX) are checked before anything is extracted
  (:mod:`geo.files.archives`: zip slip, links, encryption, duplicates, zip
  bombs); only the members needed are written, in a private temporary
  directory that is always removed; GDAL never sees the zip.
- **Attribute encoding** of a Shapefile comes from its ``.cpg``, else UTF-8,
  else GB18030 (:mod:`geo.files.shapefile`); ``ReadOptions.encoding`` overrides both.
- **Coordinate system**: ``ReadOptions.crs`` wins, else the file's own (``.prj``,
  GeoPackage, GeoJSON and KML are WGS84 by definition), else the best guess from
  the coordinates' ranges (:mod:`geo.files.crs_guess`), which is then the first
  note. GCJ-02 and BD-09 are moved to WGS84 with :func:`geo.crs.gdf_to_wgs84`
  (sub-millimetre inverses).
- **Geometry**: one family per layer; invalid polygons repaired and counted;
  heights dropped (:mod:`geo.files.geometry`). Text is never altered:
  ``<script>`` in a name stays the string ``<script>`` (it is escaped where it
  is displayed).
- **Location**: :func:`geo.files.location.location_check` compares the layer
  with Kunshan's outline box buffered by 20 km and names the coordinate system
  (or the x/y swap) that would put the raw coordinates there.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from geo.crs import gdf_to_wgs84
from geo.errors import UploadError
from geo.files.archives import MAX_UNPACKED_BYTES
from geo.files.crs_choice import CoordinateSystem, crs_from_pyproj, parse_crs
from geo.files.crs_guess import CrsCandidate, CrsSource, rank_crs, resolve_crs
from geo.files.gdal import KML_FIELDS, crs_declared, gdal_warnings, read_gdal, unreadable
from geo.files.geometry import SAMPLE_POINTS, clean_geometries, sample_xy
from geo.files.location import LocationCheck, fix_text, location_check, location_fixes
from geo.files.opening import check_size, open_source
from geo.files.source import Format, Source
from geo.files.tables import geometry_columns, table_frame
from geo.files.text import (
    READ_ERRORS,
    bilingual,
    codec,
    names_text,
    one_line,
    scrubbed,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "FileInfo",
    "ReadOptions",
    "ReadResult",
    "duplicate_values",
    "inspect_file",
    "read_layer",
]


MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; every field is optional.

    Parameters
    ----------
    crs
        The coordinate system of the raw coordinates, overriding the file's:
        ``wgs84``, ``cgcs2000`` (EPSG:4490), ``cgcs2000_gk120`` (EPSG:4549),
        ``cgcs2000_gk40`` (EPSG:4528, zone prefix 40 in x), ``gcj02``, ``bd09``,
        ``EPSG:n`` or another definition pyproj reads.
    encoding
        Attribute encoding, overriding the ``.cpg`` and the detection
        (e.g. ``gbk``, ``utf-8``); any Python codec name, or a code page such as ``936``.
    layer
        The layer (GeoPackage, KML folder, Shapefile in a zip, XLSX sheet) to read.
    x_column, y_column
        For tables: the columns of x (longitude or easting) and y.
    wkt_column
        For tables: the column of WKT geometries (instead of x/y).
    keep_text
        For tables: keep every cell as it is in the file (CSV: text), instead of
        turning columns of plain numbers into numbers; the coordinates are read
        as numbers either way.

    Examples
    --------
    >>> ReadOptions(crs="cgcs2000_gk120").crs
    'cgcs2000_gk120'
    >>> ReadOptions(crs="utm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.UploadError: 不认识的坐标系 'utm'。可选：...
    """

    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    x_column: str | None = None
    y_column: str | None = None
    wkt_column: str | None = None
    keep_text: bool = False

    def __post_init__(self) -> None:
        """Check the coordinate system, the encoding and the column choice."""
        if self.crs is not None:
            parse_crs(self.crs)
        if self.encoding is not None:
            codec(self.encoding)
        if (self.x_column is None) != (self.y_column is None):
            msg = (
                "x_column 与 y_column 须同时给出。 / Give x_column and y_column together "
                f"(got x_column={self.x_column!r}, y_column={self.y_column!r})."
            )
            raise UploadError(msg)
        if self.wkt_column is not None and self.x_column is not None:
            msg = (
                "坐标列与 WKT 列只能选一种。 / Choose either x_column/y_column or wkt_column, "
                "not both."
            )
            raise UploadError(msg)
        if self.layer is not None and not self.layer.strip():
            msg = "图层名为空。 / The layer name is empty: leave it unset or name a layer."
            raise UploadError(msg)


@dataclass(frozen=True)
class FileInfo:
    """What a file holds, before it is read (see :func:`inspect_file`).

    Columns, count, declared CRS and candidates describe ``layer``: the only
    layer, the one chosen in the options, or else the first of ``layers``.
    ``declared_crs`` is ``EPSG:n`` (or the CRS's name) or ``None``; GeoJSON and
    KML are WGS84 by definition. ``encoding`` is the attribute encoding found
    (``None`` for XLSX), ``encoding_from_cpg`` whether a ``.cpg`` said so. For
    tables, ``x_column``/``y_column`` or ``wkt_column`` are the columns recognised.
    """

    format: Format
    layers: tuple[str, ...]
    layer: str | None
    declared_crs: str | None
    encoding: str | None
    encoding_from_cpg: bool
    columns: tuple[str, ...]
    n_features: int
    geometry_type: str | None
    crs_candidates: tuple[CrsCandidate, ...]
    x_column: str | None = None
    y_column: str | None = None
    wkt_column: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadResult:
    """A layer read into WGS84 (see :func:`read_layer`).

    ``crs_used`` is the system the raw coordinates were read in (``EPSG:n``,
    ``GCJ-02``, ``BD-09`` or a CRS name), ``crs_source`` whether the file
    declared it, the options chose it or it was guessed. ``notes`` are bilingual
    and, for a guessed CRS, start with the guess.
    """

    gdf: gpd.GeoDataFrame
    format: Format
    layer: str | None
    crs_used: str
    crs_source: CrsSource
    encoding_used: str | None
    n_repaired: int
    notes: tuple[str, ...]
    location: LocationCheck


def _to_wgs84(
    frame: gpd.GeoDataFrame, crs: CoordinateSystem, shown: str
) -> tuple[gpd.GeoDataFrame, str | None]:
    geoms = np.asarray(frame.geometry.array, dtype=object)
    note = None
    if crs.geographic:
        coords = shapely.get_coordinates(geoms)
        outside = ~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))
        if outside.any() and crs.shift != "none":
            fix_zh, fix_en = fix_text(location_fixes(*sample_xy(geoms)))
            msg = bilingual(
                f"按 {crs.code} 读取时，{int(outside.sum())} 个坐标不是经纬度。{fix_zh}",
                f"Read as {crs.code}, {int(outside.sum())} coordinates are not longitude/"
                f"latitude. {fix_en}",
            )
            raise UploadError(msg)
    if crs.shift != "none":
        note = f"{crs.code} 已转换为 WGS84。 / {crs.code} converted to WGS84."
    if not isinstance(crs.datum, pyproj.CRS):
        # WGS84 is kept as it is, even out of range: location_check reports that.
        return gdf_to_wgs84(frame, datum=crs.datum), note
    try:
        out = gdf_to_wgs84(frame, datum=crs.datum)
    except pyproj.exceptions.ProjError as exc:
        msg = bilingual(
            f"无法从 {crs.code} 转换到 WGS84。",
            f"The layer cannot be transformed from {crs.code} to WGS84 ({scrubbed(exc, None)}).",
        )
        raise UploadError(msg) from exc
    moved = shapely.get_coordinates(np.asarray(out.geometry.array, dtype=object))
    if not np.isfinite(moved).all():
        fix_zh, fix_en = fix_text(location_fixes(*sample_xy(geoms)))
        msg = bilingual(
            f"按 {crs.code} 读取时坐标超出该坐标系的范围，坐标系可能不对。{fix_zh}",
            f"Read as {crs.code}, the coordinates fall outside that system's area, so the CRS "
            f"is probably wrong. {fix_en}",
        )
        raise UploadError(msg)
    return out, note


def _unique(notes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(notes))  # keep order, drop repeats


def read_layer(
    content: bytes,
    filename: str,
    options: ReadOptions = ReadOptions(),
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    points_and_polygons: bool = False,
) -> ReadResult:
    """Read a planner's file into a WGS84 GeoDataFrame, safely.

    Parameters
    ----------
    content
        The file's bytes: GeoJSON, a zipped Shapefile, GeoPackage, KML, KMZ, CSV
        or XLSX (the format is recognised from the content; CSV by its name).
    filename
        The file's name as uploaded (shown in messages; ``.csv`` marks a table).
    options
        Coordinate system, encoding, layer and table columns (see :class:`ReadOptions`).
    max_bytes
        Refuse uploads larger than this.
    max_unpacked_bytes
        Refuse zips (Shapefile, KMZ, XLSX) that unpack to more than this.
    points_and_polygons
        Accept a layer mixing points and polygons (population); otherwise one family.

    Returns
    -------
    ReadResult
        ``gdf`` in EPSG:4326 with the file's attributes unchanged (one geometry
        family; invalid polygons repaired and counted), the CRS and encoding used,
        bilingual notes and the :class:`LocationCheck`.

    Raises
    ------
    UploadError
        If the file is too large, unsafe (zip slip, zip bomb), unreadable, of an
        unknown format, has several layers and none chosen, misses a Shapefile
        part, is empty, mixes geometry types, has no recognisable table columns,
        or its coordinates cannot be read in the CRS used.

    Examples
    --------
    >>> park = '{"type": "Feature", "properties": {"name": "亭林园"}, '
    >>> park += '"geometry": {"type": "Point", "coordinates": [120.951, 31.392]}}'
    >>> result = read_layer(park.encode(), "park.geojson")
    >>> result.gdf["name"].tolist(), result.crs_used, result.location.in_kunshan
    (['亭林园'], 'EPSG:4326', True)
    """
    check_size(content, filename, max_bytes)
    shown = one_line(filename)
    with tempfile.TemporaryDirectory(prefix="planmap-read-") as name:
        tmp = Path(name)
        src = open_source(content, filename, options, tmp, max_unpacked_bytes, lenient=False)
        if src.table is not None:
            frame, table_notes = table_frame(src.table, options, shown)
            declared = None
            src.notes.extend(table_notes)
        else:
            frame, declared = read_gdal(src, shown, tmp)
    clean, n_repaired, geometry_notes = clean_geometries(
        frame, shown, points_and_polygons=points_and_polygons
    )
    crs, crs_source, crs_note = resolve_crs(clean, declared, options.crs)
    gdf, shift_note = _to_wgs84(clean, crs, shown)
    notes = [crs_note] if crs_source == "guessed" and crs_note else []
    notes += src.notes + geometry_notes
    notes += [n for n in (crs_note if crs_source != "guessed" else None, shift_note) if n]
    return ReadResult(
        gdf=gdf,
        format=src.format,
        layer=src.layer,
        crs_used=crs.code,
        crs_source=crs_source,
        encoding_used=src.encoding,
        n_repaired=n_repaired,
        notes=_unique(notes),
        location=location_check(gdf, clean),
    )


def inspect_file(
    content: bytes,
    filename: str,
    options: ReadOptions = ReadOptions(),
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> FileInfo:
    r"""Describe a planner's file without reading it into a layer.

    Lists the layers (never refusing a file for having several), the declared
    CRS, the attribute encoding, the columns, the feature count and the
    coordinate systems the coordinates could be in, ranked: those that put them
    in Kunshan first, then those whose range they fit. The ranges: ``|x| <= 180``
    and ``|y| <= 90`` is longitude/latitude (WGS84, CGCS2000, GCJ-02, BD-09);
    ``x`` of 40,xxx,xxx is EPSG:4528 (zone 40 with its prefix; other zones
    25-45 likewise); ``x`` of 6 digits with ``y`` of 7 is EPSG:4549 (CM 120E).

    Parameters
    ----------
    content, filename, max_bytes, max_unpacked_bytes
        As :func:`read_layer`.
    options
        ``layer`` picks the layer described; the table columns and ``encoding``
        are used as in :func:`read_layer`; ``crs`` is ignored.

    Returns
    -------
    FileInfo
        For the layer described (the chosen one, the only one or the first).

    Raises
    ------
    UploadError
        If the file is too large, unsafe, unreadable or of an unknown format.

    Examples
    --------
    >>> table = "名称,x,y\n亭林园,590000,3474000\n".encode("gbk")
    >>> info = inspect_file(table, "parks.csv")
    >>> info.format, info.encoding, info.crs_candidates[0].crs
    ('csv', 'gb18030', 'cgcs2000_gk120')
    """
    check_size(content, filename, max_bytes)
    shown = one_line(filename)
    with tempfile.TemporaryDirectory(prefix="planmap-read-") as name:
        tmp = Path(name)
        src = open_source(content, filename, options, tmp, max_unpacked_bytes, lenient=True)
        if src.table is not None:
            return _inspect_table(src, options)
        assert src.path is not None
        try:
            with gdal_warnings(src.notes, tmp):
                info = pyogrio.read_info(
                    src.path,
                    layer=src.gdal_layer,
                    encoding=src.gdal_encoding,
                    force_feature_count=True,
                    force_total_bounds=True,
                )
        except UnicodeDecodeError as exc:
            msg = bilingual(
                f"「{shown}」的字段名不是 {src.encoding} 编码。",
                f"The field names of '{shown}' are not valid {src.encoding}: give the encoding.",
            )
            raise UploadError(msg) from exc
        except READ_ERRORS as exc:
            raise unreadable(shown, exc, tmp) from exc
    declared = crs_declared(src, info.get("crs"))
    bounds = np.asarray(info.get("total_bounds") or (np.nan,) * 4, dtype=np.float64)
    # The box's corners and centre stand for the coordinates.
    x = np.array([bounds[0], bounds[2], bounds[0], bounds[2], (bounds[0] + bounds[2]) / 2])
    y = np.array([bounds[1], bounds[3], bounds[3], bounds[1], (bounds[1] + bounds[3]) / 2])
    layers = src.layers or (str(info["layer_name"]),)
    columns = tuple(str(c) for c in info["fields"])
    if src.format in ("kml", "kmz"):
        columns = tuple(c for c in columns if c not in KML_FIELDS)
    return FileInfo(
        format=src.format,
        layers=layers,
        layer=src.layer or str(info["layer_name"]),
        declared_crs=None if declared is None else crs_from_pyproj(declared).code,
        encoding=src.encoding,
        encoding_from_cpg=src.encoding_from_cpg,
        columns=columns,
        n_features=int(info["features"]),
        geometry_type=None if info.get("geometry_type") is None else str(info["geometry_type"]),
        crs_candidates=rank_crs(x, y),
        notes=tuple(src.notes),
    )


def _inspect_table(src: Source, options: ReadOptions) -> FileInfo:
    assert src.table is not None
    table = src.table.dropna(how="all")
    notes = list(src.notes)
    try:
        found, x_col, y_col, wkt_col = geometry_columns(table, options, strict=True)
    except UploadError as exc:
        found, x_col, y_col, wkt_col = False, None, None, None
        notes.append(str(exc))
    candidates: tuple[CrsCandidate, ...] = ()
    if found and x_col is not None and y_col is not None:
        xs = pd.to_numeric(table[x_col].astype(str).str.strip(), errors="coerce").to_numpy(float)
        ys = pd.to_numeric(table[y_col].astype(str).str.strip(), errors="coerce").to_numpy(float)
        candidates = rank_crs(xs[:SAMPLE_POINTS], ys[:SAMPLE_POINTS])
    elif found and wkt_col is not None:
        text = [None if pd.isna(v) else str(v) for v in table[wkt_col].iloc[:SAMPLE_POINTS]]
        geoms = shapely.from_wkt(np.array(text, dtype=object), on_invalid="ignore")
        candidates = rank_crs(*sample_xy(geoms))
    return FileInfo(
        format=src.format,
        layers=src.layers,
        layer=src.layer,
        declared_crs=None,
        encoding=src.encoding,
        encoding_from_cpg=False,
        columns=tuple(str(c) for c in table.columns),
        n_features=len(table),
        geometry_type="Point" if x_col is not None else None,
        crs_candidates=candidates,
        x_column=x_col,
        y_column=y_col,
        wkt_column=wkt_col,
        notes=tuple(notes),
    )


def duplicate_values(gdf: pd.DataFrame, column: str) -> list[object]:
    """Return the values that occur more than once in ``column``, in order of first occurrence.

    Missing values are not counted; the caller decides what a duplicate means.

    Raises
    ------
    UploadError
        If ``column`` is not a column of ``gdf``.

    Examples
    --------
    >>> duplicate_values(pd.DataFrame({"id": ["a", "b", "a", None, None, "c"]}), "id")
    ['a']
    """
    if column not in gdf.columns:
        columns = [str(c) for c in gdf.columns if c != "geometry"]
        msg = bilingual(
            f"没有列 '{one_line(column)}'；现有列：{names_text(columns, 20)}。",
            f"There is no column '{one_line(column)}'; the columns are: {names_text(columns, 20)}.",
        )
        raise UploadError(msg)
    values = gdf[column]
    repeated = values[values.duplicated(keep=False) & values.notna()]
    return list(dict.fromkeys(repeated.tolist()))
