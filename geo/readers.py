"""Read the bureau's own files (GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV, XLSX).

Every reader takes the file's bytes and its name, and gives a layer in WGS84
(EPSG:4326) or a bilingual :class:`~geo.errors.UploadError` that says what is
wrong, what was seen and how to fix it.

Method
------
- **Format** is recognised from the content (zip, SQLite, JSON, XML), the
  members of a zip (``.shp``, ``.kml``, ``xl/workbook.xml``) and, for CSV, the
  file name.
- **Zips** (Shapefile, KMZ, XLSX) are checked before anything is extracted:
  entries with absolute paths or ``..`` (zip slip), links, encryption and
  duplicates are refused, and so is a declared uncompressed total over
  :data:`MAX_UNPACKED_BYTES` or over :data:`MAX_COMPRESSION_RATIO` times the
  upload (above 10 MiB). Members are then copied in 1 MiB chunks while the
  bytes actually produced are counted, so a header that lies is caught too.
  Only the members needed are written, under fixed ASCII names, in a private
  temporary directory that is always removed; GDAL never sees the zip.
- **Attribute encoding** of a Shapefile comes from its ``.cpg``; without one
  the DBF's text is tried as UTF-8 (strict), else GB18030 (a superset of GBK);
  ``ReadOptions.encoding`` overrides both.
- **Coordinate system**: ``ReadOptions.crs`` wins, else the file's own (``.prj``,
  GeoPackage, GeoJSON and KML are WGS84 by definition), else the best guess from
  the coordinates' ranges (see :func:`inspect_file`), which is then the first
  note. GCJ-02 and BD-09 are moved to WGS84 with :mod:`geo.crs` (sub-millimetre
  inverses).
- **Geometry**: one family per layer (points, lines or polygons); invalid
  polygons are repaired with ``shapely.make_valid(method="structure")`` and
  counted; heights (Z/M) are dropped. Text is never altered: ``<script>`` in a
  name stays the string ``<script>`` (it is escaped where it is displayed).
- **Location**: :func:`location_check` compares the layer with Kunshan's outline
  box buffered by 20 km and names the coordinate system (or the x/y swap) that
  would put the raw coordinates there.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import struct
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Literal

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pyproj
import shapely
from numpy.typing import NDArray
from openpyxl.utils.exceptions import InvalidFileException

from geo.crs import ANALYSIS_CRS, DISPLAY_CRS, gdf_to_wgs84, to_wgs84
from geo.errors import CRSError, UploadError

__all__ = [
    "CRS_CHOICES",
    "FORMATS",
    "KUNSHAN_MARGIN_M",
    "MAX_COMPRESSION_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_UPLOAD_BYTES",
    "CrsCandidate",
    "FileInfo",
    "LocationCheck",
    "LocationFix",
    "ReadOptions",
    "ReadResult",
    "duplicate_values",
    "inspect_file",
    "location_check",
    "read_layer",
]

Format = Literal["geojson", "shapefile_zip", "gpkg", "kml", "kmz", "csv", "xlsx"]
CrsSource = Literal["declared", "chosen", "guessed"]

FORMATS: tuple[Format, ...] = ("geojson", "shapefile_zip", "gpkg", "kml", "kmz", "csv", "xlsx")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Below this many unpacked bytes a high ratio is harmless (a small DBF of blanks
# compresses ~1000x); above it, a ratio over MAX_COMPRESSION_RATIO is a bomb.
_RATIO_FLOOR_BYTES = 10 * 1024 * 1024
_MAX_ZIP_ENTRIES = 10_000
_CHUNK_BYTES = 1024 * 1024
KUNSHAN_MARGIN_M = 20_000.0
# Feature centres used to guess a CRS or test a fix: enough for a stable share.
_SAMPLE_POINTS = 2_000
_MAX_COORDINATE = 1e9

_FORMAT_HELP = (
    "GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ、CSV 或 XLSX",
    "GeoJSON, a zipped Shapefile, GeoPackage, KML/KMZ, CSV or XLSX",
)

# ---------------------------------------------------------------------------
# Coordinate systems


@dataclass(frozen=True)
class _Crs:
    """A coordinate system to read raw coordinates in (internal)."""

    choice: str  # the ReadOptions spelling: "wgs84", "EPSG:4527", …
    code: str  # "EPSG:4549", "GCJ-02", "BD-09" or a CRS name
    name_zh: str
    name_en: str
    crs: pyproj.CRS  # for GCJ-02 / BD-09: WGS84, the frame their lon/lat are stored in
    shift: Literal["none", "gcj02", "bd09"] = "none"

    @property
    def geographic(self) -> bool:
        return self.shift != "none" or bool(self.crs.is_geographic)

    @property
    def datum(self) -> str | pyproj.CRS:
        """What :func:`geo.crs.to_wgs84` reads the raw coordinates in."""
        if self.shift != "none":
            return {"gcj02": "GCJ-02", "bd09": "BD-09"}[self.shift]
        return "WGS84" if self.code == DISPLAY_CRS else self.crs


_NAMED: dict[str, tuple[str, str, str, Literal["none", "gcj02", "bd09"]]] = {
    "wgs84": ("EPSG:4326", "WGS84 经纬度", "WGS84 longitude/latitude", "none"),
    "cgcs2000": ("EPSG:4490", "CGCS2000 经纬度", "CGCS2000 longitude/latitude", "none"),
    "cgcs2000_gk120": (
        "EPSG:4549",
        "CGCS2000 3 度带投影，中央经线 120°E，x 无带号",
        "CGCS2000 3-degree Gauss-Kruger CM 120E, no zone prefix in x",
        "none",
    ),
    "cgcs2000_gk40": (
        "EPSG:4528",
        "CGCS2000 3 度带第 40 带，x 含带号 40",
        "CGCS2000 3-degree Gauss-Kruger zone 40, zone prefix 40 in x",
        "none",
    ),
    "gcj02": ("GCJ-02", "GCJ-02，高德、腾讯地图", "GCJ-02, Amap and Tencent maps", "gcj02"),
    "bd09": ("BD-09", "BD-09，百度地图", "BD-09, Baidu maps", "bd09"),
}
CRS_CHOICES: tuple[str, ...] = (*_NAMED, "EPSG:n")
_CHOICES_TEXT = ", ".join(CRS_CHOICES)
# 3-degree Gauss-Kruger zones with the zone number in x: EPSG:4513 (zone 25) … 4533 (45).
_GK_ZONES = range(25, 46)
_GK_ZONE_EPSG0 = 4488


def _named_crs(choice: str) -> _Crs:
    code, zh, en, shift = _NAMED[choice]
    crs = pyproj.CRS.from_user_input(DISPLAY_CRS if shift != "none" else code)
    return _Crs(choice, code, zh, en, crs, shift)


def _crs_from_pyproj(crs: pyproj.CRS, choice: str | None = None) -> _Crs:
    epsg = crs.to_epsg()
    code = f"EPSG:{epsg}" if epsg is not None else str(crs.name)
    for key, (named_code, zh, en, shift) in _NAMED.items():
        if shift == "none" and named_code == code:
            return _Crs(choice or key, code, zh, en, crs)
    return _Crs(choice or code, code, str(crs.name), str(crs.name), crs)


def _parse_crs(text: str) -> _Crs:
    """Return the coordinate system a ``ReadOptions.crs`` string names."""
    key = text.strip()
    if key.casefold() in _NAMED:
        return _named_crs(key.casefold())
    match = re.fullmatch(r"(?i)epsg:(\d{4,6})", key)
    if match is None:
        msg = (
            f"不认识的坐标系 {text!r}。可选：{_CHOICES_TEXT}。 / Unknown coordinate system "
            f"{text!r}. Choose one of: {_CHOICES_TEXT} (e.g. EPSG:4549)."
        )
        raise UploadError(msg)
    try:
        crs = pyproj.CRS.from_epsg(int(match.group(1)))
    except pyproj.exceptions.CRSError as exc:
        msg = (
            f"EPSG 库中没有 {key}。 / {key} is not in the EPSG registry; check the number, "
            f"or choose one of: {_CHOICES_TEXT}."
        )
        raise UploadError(msg) from exc
    return _crs_from_pyproj(crs, f"EPSG:{match.group(1)}")


def _to_lonlat(
    crs: _Crs, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return raw coordinates read in ``crs`` as WGS84 lon/lat (inf where undefined)."""
    if crs.geographic:
        ok = (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)
        lon, lat = to_wgs84(np.where(ok, x, 0.0), np.where(ok, y, 0.0), crs.datum)
        return np.where(ok, lon, np.inf), np.where(ok, lat, np.inf)
    return to_wgs84(x, y, crs.datum)


# ---------------------------------------------------------------------------
# Public result types


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; every field is optional.

    Parameters
    ----------
    crs
        The coordinate system of the raw coordinates, overriding the file's:
        ``wgs84``, ``cgcs2000`` (EPSG:4490), ``cgcs2000_gk120`` (EPSG:4549),
        ``cgcs2000_gk40`` (EPSG:4528, zone prefix 40 in x), ``gcj02``, ``bd09``
        or ``EPSG:n``.
    encoding
        Attribute encoding, overriding the ``.cpg`` and the detection
        (e.g. ``gbk``, ``utf-8``); any Python codec name, or a code page such as ``936``.
    layer
        The layer (GeoPackage, KML folder, Shapefile in a zip, XLSX sheet) to read.
    x_column, y_column
        For tables: the columns of x (longitude or easting) and y.
    wkt_column
        For tables: the column of WKT geometries (instead of x/y).

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

    def __post_init__(self) -> None:
        """Check the coordinate system, the encoding and the column choice."""
        if self.crs is not None:
            _parse_crs(self.crs)
        if self.encoding is not None:
            _codec(self.encoding)
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
class CrsCandidate:
    """One coordinate system the raw coordinates could be in, with the reason.

    ``crs`` is the :class:`ReadOptions` spelling (``cgcs2000_gk120``), ``code``
    the system itself (``EPSG:4549``, ``GCJ-02``). ``plausible`` is whether the
    coordinates fit its range; ``in_kunshan`` whether, read so, they land in Kunshan.
    """

    crs: str
    code: str
    plausible: bool
    in_kunshan: bool
    reason: str


@dataclass(frozen=True)
class LocationFix:
    """A reading that puts the raw coordinates in Kunshan: a CRS, maybe with x/y swapped."""

    crs: str
    code: str
    swap_xy: bool


@dataclass(frozen=True)
class LocationCheck:
    """Whether a WGS84 layer lies in or near Kunshan, and if not, what would fix it.

    ``centre`` is the centre of the layer's WGS84 bounding box (lon, lat, rounded
    to 3 decimals, ~100 m), ``n_outside`` the features whose bounds miss Kunshan's
    outline box buffered by :data:`KUNSHAN_MARGIN_M`; ``fixes`` the readings of the
    raw coordinates (of the features outside) that would put them in Kunshan, best
    first; ``message`` says all this in both languages (``None`` when in Kunshan).
    """

    in_kunshan: bool
    n_features: int
    n_outside: int
    centre: tuple[float, float] | None
    fixes: tuple[LocationFix, ...]
    message: str | None


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


# ---------------------------------------------------------------------------
# Small helpers


def _bi(zh: str, en: str) -> str:
    """Return a bilingual message: ``中文。 / English.``."""
    return f"{zh} / {en}"


def _show(name: str, limit: int = 80) -> str:
    """Return a name for a message: one line, cut to ``limit`` characters."""
    flat = " ".join(str(name).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def _names(items: Iterable[str], limit: int = 10) -> str:
    items = list(items)
    shown = ", ".join(f"'{_show(i, 60)}'" for i in items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def _num(v: float) -> str:
    if abs(v) < 1000:
        return f"{v:.4f}"
    return f"{v:,.0f}" if abs(v) < 1e12 else f"{v:.3g}"


def _codec(name: str) -> str:
    """Return the Python codec for an encoding or code-page name (``936`` → ``gbk``)."""
    text = name.strip().casefold().removeprefix("ansi").strip()
    pages = {"936": "gbk", "cp936": "gbk", "54936": "gb18030", "65001": "utf-8", "950": "big5"}
    text = pages.get(text, f"cp{text}" if text.isdigit() else text)
    try:
        return codecs.lookup(text).name
    except LookupError as exc:
        msg = (
            f"不认识的编码 {name!r}。 / Unknown encoding {name!r}: use e.g. 'gbk', 'gb18030' "
            "or 'utf-8'."
        )
        raise UploadError(msg) from exc


def _scrub(exc: object, tmp: Path | None) -> str:
    """Return a reader's message without GDAL's in-memory or temporary paths."""
    text = str(exc)
    if tmp is not None:
        for root in {str(tmp), str(tmp.resolve())}:
            text = text.replace(root + "/", "").replace(root, "")
    text = re.sub(r"/vsi[a-z]+/\S*", "", text)
    text = " ".join(text.split()).strip(" :;'\"")
    return _show(text or type(exc).__name__, 160)


# Raised by GDAL (pyogrio.errors.* are RuntimeErrors), by decoding and by Python's
# own parsers on damaged input. UnboundLocalError: pyogrio 0.13's get_crs on a CRS
# definition that is not UTF-8.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError,
    UnboundLocalError,
    ValueError,
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    shapely.errors.GEOSException,
)


# ---------------------------------------------------------------------------
# Zips: checked before extraction, copied while counting

# What zipfile raises on a damaged archive (NotImplementedError: an unknown version or
# compression method; struct.error: a cut header).
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    struct.error,
)
_ZIP_OPEN_ERRORS: tuple[type[BaseException], ...] = (*_ZIP_ERRORS, zipfile.LargeZipFile)


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    path: str  # decoded, "/"-separated

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.casefold()

    @property
    def ignorable(self) -> bool:
        parts = PurePosixPath(self.path).parts
        return "__MACOSX" in parts or PurePosixPath(self.path).name.startswith("._")


def _entry_name(info: zipfile.ZipInfo) -> str:
    """Return an entry's name, decoding legacy (non-UTF-8-flagged) names as UTF-8 or GB18030."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the bytes as cp437
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _zip_entries(zf: zipfile.ZipFile, shown: str, compressed: int, limit: int) -> list[_Entry]:
    """Return the file entries of a zip after the safety checks (nothing is extracted)."""
    infos = zf.infolist()
    if len(infos) > _MAX_ZIP_ENTRIES:
        msg = _bi(
            f"「{shown}」含 {len(infos)} 个文件，过多（上限 {_MAX_ZIP_ENTRIES}）。",
            f"'{shown}' holds {len(infos)} entries, more than the {_MAX_ZIP_ENTRIES} allowed: "
            "zip only the layer's files.",
        )
        raise UploadError(msg)
    entries, seen = [], set()
    for info in infos:
        name = _entry_name(info).replace("\\", "/")
        parts = name.split("/")
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
            msg = _bi(
                f"「{shown}」中的条目 '{_show(name)}' 指向压缩包之外（绝对路径或 ..），已拒绝。",
                f"'{shown}' has an entry '{_show(name)}' that points outside the archive "
                "(an absolute path or '..'), so it was refused: zip the files again from "
                "their folder.",
            )
            raise UploadError(msg)
        if stat.S_ISLNK(info.external_attr >> 16):
            msg = _bi(
                f"「{shown}」含符号链接 '{_show(name)}'，已拒绝。",
                f"'{shown}' holds a symbolic link '{_show(name)}', which is refused: zip the "
                "files themselves.",
            )
            raise UploadError(msg)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            msg = _bi(
                f"「{shown}」有密码保护（'{_show(name)}'）。",
                f"'{shown}' is password-protected ('{_show(name)}'): zip it without a password.",
            )
            raise UploadError(msg)
        key = name.casefold()
        if key in seen:
            msg = _bi(
                f"「{shown}」中 '{_show(name)}' 出现了两次。",
                f"'{shown}' holds '{_show(name)}' twice: zip one copy only.",
            )
            raise UploadError(msg)
        seen.add(key)
        entries.append(_Entry(info, name))
    total = sum(e.info.file_size for e in entries)
    ratio_bomb = total > _RATIO_FLOOR_BYTES and total > MAX_COMPRESSION_RATIO * compressed
    if total > limit or ratio_bomb:
        msg = _bi(
            f"「{shown}」解压后达 {_size(total)}（压缩包 {_size(compressed)}），超过上限"
            f"（{_size(limit)}，或 {MAX_COMPRESSION_RATIO} 倍压缩比），疑似压缩炸弹，已拒绝。",
            f"'{shown}' would unpack to {_size(total)} from {_size(compressed)} (the limits "
            f"are {_size(limit)} and {MAX_COMPRESSION_RATIO}x), so it was refused as a "
            "possible zip bomb: upload only the layer's files.",
        )
        raise UploadError(msg)
    return entries


@dataclass
class _Budget:
    left: int


def _extract(zf: zipfile.ZipFile, entry: _Entry, dest: Path, budget: _Budget, shown: str) -> None:
    """Copy one member to ``dest`` in bounded chunks, counting what it really unpacks to."""
    written = 0
    try:
        with zf.open(entry.info) as src, dest.open("wb") as out:
            while chunk := src.read(_CHUNK_BYTES):
                written += len(chunk)
                budget.left -= len(chunk)
                if written > entry.info.file_size or budget.left < 0:
                    msg = _bi(
                        f"「{shown}」中 '{_show(entry.path)}' 解压后超过其声明的大小"
                        f"（{_size(entry.info.file_size)}）或总上限，已拒绝。",
                        f"'{_show(entry.path)}' in '{shown}' unpacks to more than it declares "
                        f"({_size(entry.info.file_size)}) or than the limit, so the zip was "
                        "refused as a possible zip bomb.",
                    )
                    raise UploadError(msg)
                out.write(chunk)
    except _ZIP_ERRORS as exc:
        msg = _bi(
            f"「{shown}」已损坏，无法解压 '{_show(entry.path)}'。",
            f"'{shown}' is damaged: '{_show(entry.path)}' cannot be unpacked "
            f"({_scrub(exc, dest.parent)}). Zip the files again.",
        )
        raise UploadError(msg) from exc
    except RuntimeError as exc:  # zipfile: "File is encrypted" and similar
        msg = _bi(
            f"「{shown}」中 '{_show(entry.path)}' 无法解压。",
            f"'{_show(entry.path)}' in '{shown}' cannot be unpacked ({_scrub(exc, dest.parent)}).",
        )
        raise UploadError(msg) from exc


def _open_zip(content: bytes, shown: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_OPEN_ERRORS as exc:
        msg = _bi(
            f"「{shown}」不是完整的 zip 文件。",
            f"'{shown}' is not a complete zip file ({_scrub(exc, None)}): zip it again.",
        )
        raise UploadError(msg) from exc


# ---------------------------------------------------------------------------
# Sniffing and opening


_BOM = b"\xef\xbb\xbf"
_TABLE_SUFFIXES = (".csv", ".txt", ".tsv")


def _sniff(content: bytes, filename: str) -> Literal["zip", "gpkg", "geojson", "kml", "csv"]:
    """Return the container kind from the bytes (zip members are classified later)."""
    shown = _show(filename)
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.casefold()
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if content.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if content[:4] == b"\x00\x00\x27\x0a" or suffix in (".shp", ".shx", ".dbf", ".prj"):
        msg = _bi(
            f"「{shown}」是 Shapefile 的单个部件；请把 .shp、.shx、.dbf、.prj（及 .cpg）一起压缩成"
            " zip 上传。",
            f"'{shown}' is one part of a Shapefile: zip the .shp, .shx, .dbf and .prj (and .cpg) "
            "together and upload the zip.",
        )
        raise UploadError(msg)
    if content[:4] == b"\xd0\xcf\x11\xe0":
        msg = _bi(
            f"「{shown}」是旧版 Excel（.xls）文件；请另存为 .xlsx 或 CSV。",
            f"'{shown}' is an old Excel (.xls) file: save it as .xlsx or CSV.",
        )
        raise UploadError(msg)
    head = content[:4096].removeprefix(_BOM).lstrip()
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<") and b"<kml" in head.lower():
        return "kml"
    if suffix in _TABLE_SUFFIXES:
        return "csv"
    msg = _bi(
        f"无法识别「{shown}」的格式（扩展名 '{suffix or '无'}'，内容不是{_FORMAT_HELP[0]}）。",
        f"The format of '{shown}' is not recognised (extension '{suffix or 'none'}'; the "
        f"content is not {_FORMAT_HELP[1]}). Upload one of those.",
    )
    raise UploadError(msg)


@dataclass
class _Source:
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


def _choose(layers: Sequence[str], wanted: str | None, shown: str, *, lenient: bool) -> str:
    if wanted is not None:
        if wanted in layers:
            return wanted
        msg = _bi(
            f"「{shown}」中没有图层 '{_show(wanted)}'；现有：{_names(layers)}。",
            f"'{shown}' has no layer '{_show(wanted)}'; its layers are: {_names(layers)}.",
        )
        raise UploadError(msg)
    if not layers:
        msg = _bi(
            f"「{shown}」中没有含几何的图层。",
            f"'{shown}' holds no layer with geometry.",
        )
        raise UploadError(msg)
    if len(layers) == 1 or lenient:
        return layers[0]
    msg = _bi(
        f"「{shown}」含 {len(layers)} 个图层：{_names(layers)}；请选择其中一个（layer）。",
        f"'{shown}' holds {len(layers)} layers: {_names(layers)}. Choose one with layer=.",
    )
    raise UploadError(msg)


def _decode_text(content: bytes, override: str | None, shown: str) -> tuple[str, str]:
    """Decode a text file: the override, else UTF-8 (BOM or not), else GB18030."""
    body = content.removeprefix(_BOM)
    tried = [_codec(override)] if override else ["utf-8", "gb18030"]
    for encoding in tried:
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    msg = _bi(
        f"「{shown}」的文字不是 {'、'.join(tried)} 编码。",
        f"The text of '{shown}' is not valid {' or '.join(tried)}: save it as UTF-8, or give "
        "the right encoding (e.g. encoding='big5').",
    )
    raise UploadError(msg)


def _open_geojson(content: bytes, shown: str, options: ReadOptions, tmp: Path) -> _Source:
    text, encoding = _decode_text(content, options.encoding, shown)
    path = tmp / "upload.geojson"
    if encoding == "utf-8":
        path.write_bytes(content.removeprefix(_BOM))
    else:  # GDAL reads GeoJSON as UTF-8
        path.write_text(text, encoding="utf-8")
    layer = PurePosixPath(shown).stem
    src = _Source("geojson", (layer,), layer, path=path, encoding=encoding)
    if encoding != "utf-8":
        src.notes.append(
            f"文字按 {encoding} 解码。 / The text was decoded as {encoding} (GeoJSON should be "
            "UTF-8)."
        )
    return src


@contextmanager
def _gdal_warnings(notes: list[str], tmp: Path) -> Iterator[None]:
    """Turn what GDAL warns about while reading (pyogrio's RuntimeWarnings) into notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            said = dict.fromkeys(_scrub(w.message, tmp).split(". ")[0] for w in caught)
            notes.extend(
                f"读取时 GDAL 提示：{text}。 / GDAL warned while reading: {text}."
                for text in list(said)[:3]
            )


def _gdal_layers(
    path: Path, shown: str, tmp: Path, notes: list[str]
) -> list[tuple[str, str | None]]:
    try:
        with _gdal_warnings(notes, tmp):
            listed = pyogrio.list_layers(path)
    except _READ_ERRORS as exc:
        raise _unreadable(shown, exc, tmp) from exc
    return [(str(name), None if kind is None else str(kind)) for name, kind in listed]


def _unreadable(shown: str, exc: BaseException, tmp: Path | None) -> UploadError:
    msg = _bi(
        f"无法读取「{shown}」，文件可能已损坏。",
        f"'{shown}' could not be read; it may be damaged ({_scrub(exc, tmp)}). Export it again.",
    )
    return UploadError(msg)


def _open_gpkg(
    content: bytes, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> _Source:
    path = tmp / "upload.gpkg"
    path.write_bytes(content)
    notes: list[str] = []
    spatial = [name for name, kind in _gdal_layers(path, shown, tmp, notes) if kind is not None]
    layer = _choose(spatial, options.layer, shown, lenient=lenient)
    return _gdal_source("gpkg", spatial, layer, path=path, options=options, notes=notes)


def _gdal_source(
    fmt: Format,
    layers: list[str],
    layer: str | None,
    *,
    path: Path,
    options: ReadOptions,
    notes: list[str],
) -> _Source:
    """Describe a file GDAL reads itself (GeoPackage, KML): UTF-8 unless the planner says."""
    return _Source(
        fmt,
        tuple(layers),
        layer,
        path=path,
        gdal_layer=layer,
        encoding=_codec(options.encoding) if options.encoding else "utf-8",
        gdal_encoding=options.encoding and _codec(options.encoding),
        notes=notes,
    )


def _open_kml_path(
    path: Path, fmt: Format, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> _Source:
    notes: list[str] = []
    names = [name for name, _ in _gdal_layers(path, shown, tmp, notes)]
    counts = {}
    for name in names:
        try:
            with _gdal_warnings(notes, tmp):
                info = pyogrio.read_info(path, layer=name, force_feature_count=True)
            counts[name] = int(info["features"])
        except _READ_ERRORS as exc:
            raise _unreadable(shown, exc, tmp) from exc
    # KML documents carry empty folders; only folders with placemarks are layers.
    layers = [n for n in names if counts[n] != 0] or names[:1]
    layer = _choose(layers, options.layer, shown, lenient=lenient)
    return _gdal_source(fmt, layers, layer, path=path, options=options, notes=notes)


def _open_kml(
    content: bytes, shown: str, options: ReadOptions, tmp: Path, *, lenient: bool
) -> _Source:
    path = tmp / "upload.kml"
    path.write_bytes(content)
    return _open_kml_path(path, "kml", shown, options, tmp, lenient=lenient)


def _open_zip_source(
    content: bytes,
    shown: str,
    options: ReadOptions,
    tmp: Path,
    limit: int,
    *,
    lenient: bool,
) -> _Source:
    with _open_zip(content, shown) as zf:
        entries = _zip_entries(zf, shown, len(content), limit)
        names = {e.path.casefold() for e in entries}
        if "[content_types].xml" in names and "xl/workbook.xml" in names:
            # openpyxl opens the same bytes; their declared sizes were checked above, and
            # zipfile never unpacks a member beyond its declared size.
            return _open_xlsx(content, shown, options, lenient=lenient)
        useful = [e for e in entries if not e.ignorable]
        budget = _Budget(limit)
        if any(e.suffix == ".shp" for e in useful):
            return _open_shapefile(zf, useful, shown, options, tmp, budget=budget, lenient=lenient)
        kmls = [e for e in useful if e.suffix == ".kml"]
        if kmls:
            # KMZ: the main document is doc.kml, else the first .kml at the root.
            root = [e for e in kmls if "/" not in e.path]
            main = next((e for e in root if e.path.casefold() == "doc.kml"), (root or kmls)[0])
            path = tmp / "upload.kml"
            _extract(zf, main, path, budget, shown)
            return _open_kml_path(path, "kmz", shown, options, tmp, lenient=lenient)
    msg = _bi(
        f"「{shown}」中没有 Shapefile（.shp）、KML 或 Excel 表；"
        f"其中有：{_names(e.path for e in useful)}。",
        f"'{shown}' holds no Shapefile (.shp), KML or Excel sheet; it holds: "
        f"{_names(e.path for e in useful) or 'nothing'}.",
    )
    raise UploadError(msg)


def _open_shapefile(
    zf: zipfile.ZipFile,
    entries: list[_Entry],
    shown: str,
    options: ReadOptions,
    tmp: Path,
    *,
    budget: _Budget,
    lenient: bool,
) -> _Source:
    shps = [e for e in entries if e.suffix == ".shp"]
    stems = [PurePosixPath(e.path).stem for e in shps]
    if len(set(stems)) < len(stems):  # the same name in two folders: name them by path
        stems = [e.path[: -len(".shp")] for e in shps]
    layer = _choose(stems, options.layer, shown, lenient=lenient)
    shp = shps[stems.index(layer)]
    base = shp.path[: -len(".shp")].casefold()
    parts = {e.suffix: e for e in entries if e.path[: -len(e.suffix) or None].casefold() == base}
    missing = [s for s in (".shx", ".dbf") if s not in parts]
    if missing:
        present = sorted(parts)
        msg = _bi(
            f"Shapefile「{_show(layer)}」缺少 {'、'.join(missing)} 文件（压缩包中有 "
            f"{'、'.join(present)}）；请把同名的 .shp、.shx、.dbf、.prj 一起压缩。",
            f"The Shapefile '{_show(layer)}' in '{shown}' has no {' and no '.join(missing)} "
            f"file (the zip holds {', '.join(present)} for it): zip the .shp, .shx, .dbf and "
            ".prj of the same name together.",
        )
        raise UploadError(msg)
    for suffix in (".shp", ".shx", ".dbf", ".cpg"):
        if suffix in parts:
            _extract(zf, parts[suffix], tmp / f"upload{suffix}", budget, shown)
    src = _Source(
        "shapefile_zip", tuple(stems), layer, path=tmp / "upload.shp", has_prj=".prj" in parts
    )
    if ".prj" in parts:
        # Parsed with pyproj, not GDAL: pyogrio fails on a .prj that is not UTF-8.
        _extract(zf, parts[".prj"], tmp / "prj.txt", budget, shown)
        src.prj_crs = _parse_prj((tmp / "prj.txt").read_bytes())
    src.encoding, src.encoding_from_cpg = _shapefile_encoding(tmp, options, layer, src.notes)
    src.gdal_encoding = src.encoding
    return src


# ---------------------------------------------------------------------------
# Shapefile encoding


def _dbf_text(dbf: bytes) -> bytes:
    """Return the DBF's field names and text cells, one per line, for encoding detection."""
    if len(dbf) < 33:
        return b""
    n_records = int.from_bytes(dbf[4:8], "little")
    header_len = int.from_bytes(dbf[8:10], "little")
    record_len = int.from_bytes(dbf[10:12], "little")
    names, cells, offset, pos = [], [], 1, 32
    while pos + 32 <= min(header_len, len(dbf)) and dbf[pos] != 0x0D:
        descriptor = dbf[pos : pos + 32]
        names.append(descriptor[:11].split(b"\0")[0])
        width = descriptor[16]
        if descriptor[11:12] == b"C":
            cells.append((offset, width))
        offset += width
        pos += 32
    if record_len <= 0 or header_len >= len(dbf):
        return b"\n".join(names)
    n = min(n_records, (len(dbf) - header_len) // record_len)
    records = np.frombuffer(dbf, dtype=np.uint8, count=n * record_len, offset=header_len)
    records = records.reshape(n, record_len)
    columns = [records[:, a : min(a + w, record_len)] for a, w in cells if a < record_len]
    newline = np.full((n, 1), 0x0A, dtype=np.uint8)  # never a trail byte in UTF-8 or GB18030
    body = np.hstack([c for col in columns for c in (col, newline)]) if columns else newline[:0]
    return b"\n".join(names) + b"\n" + body.tobytes()


def _shapefile_encoding(
    tmp: Path, options: ReadOptions, layer: str, notes: list[str]
) -> tuple[str, bool]:
    """Return the attribute encoding and whether a .cpg gave it; check it decodes."""
    text = _dbf_text((tmp / "upload.dbf").read_bytes())

    def _fits(encoding: str) -> bool:
        try:
            text.decode(encoding)
        except UnicodeDecodeError:
            return False
        return True

    if options.encoding is not None:
        encoding = _codec(options.encoding)
        if not _fits(encoding):
            msg = _bi(
                f"Shapefile「{_show(layer)}」的属性不是 {encoding} 编码。",
                f"The attributes of the Shapefile '{_show(layer)}' are not valid {encoding}: "
                "try 'gb18030' or 'utf-8', or leave the encoding unset to detect it.",
            )
            raise UploadError(msg)
        return encoding, False
    cpg = tmp / "upload.cpg"
    if cpg.exists():
        declared = cpg.read_bytes().decode("ascii", "replace").strip()
        try:
            encoding = _codec(declared)
        except UploadError:
            notes.append(
                f".cpg 中的编码 '{_show(declared, 30)}' 无法识别，改为自动检测。 / The .cpg names "
                f"an unknown encoding '{_show(declared, 30)}'; the encoding was detected instead."
            )
        else:
            if _fits(encoding):
                return encoding, True
            notes.append(
                f".cpg 声明 {encoding}，但属性不是该编码，改为自动检测。 / The .cpg says "
                f"{encoding} but the attributes are not; the encoding was detected instead."
            )
    for encoding in ("utf-8", "gb18030"):
        if _fits(encoding):
            if encoding == "gb18030":
                notes.append(
                    "没有 .cpg：属性按 GB18030（GBK）解码。 / No .cpg: the attributes were decoded "
                    "as GB18030 (GBK)."
                )
            return encoding, False
    msg = _bi(
        f"Shapefile「{_show(layer)}」的属性既不是 UTF-8 也不是 GBK/GB18030 编码。",
        f"The attributes of the Shapefile '{_show(layer)}' are neither UTF-8 nor GBK/GB18030: "
        "give the encoding (e.g. encoding='big5'), or add a .cpg file naming it.",
    )
    raise UploadError(msg)


# ---------------------------------------------------------------------------
# Tables


_X_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "point_x")
_Y_NAMES = ("lat", "latitude", "纬度", "y", "point_y")
_WKT_NAMES = ("wkt", "geometry", "geom", "几何")
_NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d+)?([eE][-+]?\d+)?")


def _keep_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns that are all plain numbers into numbers; leave ids like '007' as text."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.dropna()
        if len(text) and all(isinstance(v, str) and _NUMBER.fullmatch(v.strip()) for v in text):
            out[column] = pd.to_numeric(values.str.strip())
    return out


def _open_csv(content: bytes, shown: str, options: ReadOptions) -> _Source:
    text, encoding = _decode_text(content, options.encoding, shown)
    first = text.split("\n", 1)[0]
    sep = max((",", "\t", ";", "|"), key=first.count)
    try:
        # The csv module, not pandas: every value stays text until _keep_numbers, and a
        # row longer than the header is an error, not an index column or a warning.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        msg = _bi(
            f"「{shown}」不是可读的 CSV 表格。",
            f"'{shown}' is not a readable CSV table ({_scrub(exc, None)}).",
        )
        raise UploadError(msg) from exc
    header = _unique_header(rows[0]) if rows else []
    width = len(header)
    long = [i for i, r in enumerate(rows[1:]) if any(v.strip() for v in r[width:])]
    if long:
        msg = _bi(
            f"第 {_rows(long)} 行的字段比表头（{width} 列）多。",
            f"Rows {_rows(long)} have more fields than the header ({width} columns): check the "
            f"delimiter ('{sep}') and the quotes.",
        )
        raise UploadError(msg)
    body = [
        [v if v.strip() else None for v in r[:width]] + [None] * (width - len(r)) for r in rows[1:]
    ]
    table = pd.DataFrame(body, columns=header, dtype=object)
    layer = PurePosixPath(shown).stem
    src = _Source("csv", (layer,), layer, table=_keep_numbers(table), encoding=encoding)
    if encoding == "gb18030":
        src.notes.append("表格按 GB18030（GBK）解码。 / The table was decoded as GB18030 (GBK).")
    return src


def _unique_header(values: Sequence[object]) -> list[str]:
    header: list[str] = []
    for i, value in enumerate(values):
        name = str(value).strip() if value is not None and str(value).strip() else f"column_{i + 1}"
        base, k = name, 2
        while name in header:
            name, k = f"{base}_{k}", k + 1
        header.append(name)
    return header


def _open_xlsx(content: bytes, shown: str, options: ReadOptions, *, lenient: bool) -> _Source:
    sheets: dict[str, pd.DataFrame] = {}
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (styles, data validation).
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                for name in book.sheetnames:
                    rows = list(book[name].iter_rows(values_only=True))
                    header = _unique_header(rows[0]) if rows else []
                    body = [
                        [None if v == "" else v for v in r[: len(header)]]
                        + [None] * (len(header) - len(r))
                        for r in rows[1:]
                    ]
                    sheets[str(name)] = pd.DataFrame(body, columns=header, dtype=object)
            finally:
                book.close()
    except (
        *_READ_ERRORS,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        SyntaxError,
        InvalidFileException,
    ) as exc:
        msg = _bi(
            f"无法读取 Excel 文件「{shown}」。",
            f"The Excel file '{shown}' could not be read ({_scrub(exc, None)}): save it again "
            "as .xlsx, or as CSV.",
        )
        raise UploadError(msg) from exc
    names = list(sheets)
    with_geometry = [n for n in names if _has_geometry(sheets[n], options)]
    if options.layer is not None:
        layer = _choose(names, options.layer, shown, lenient=lenient)
    elif len(with_geometry) > 1:
        layer = _choose(with_geometry, None, shown, lenient=lenient)
    else:
        layer = (with_geometry or names or [""])[0]
    table = sheets.get(layer, pd.DataFrame()).infer_objects()
    return _Source("xlsx", tuple(names), layer or None, table=_keep_numbers(table))


def _has_geometry(table: pd.DataFrame, options: ReadOptions) -> bool:
    try:
        return _geometry_columns(table, options, strict=False)[0]
    except UploadError:  # a column named in the options is not in this sheet
        return False


def _find(columns: Sequence[str], wanted: str) -> str:
    if wanted in columns:
        return wanted
    msg = _bi(
        f"表格中没有列 '{_show(wanted)}'；现有列：{_names(columns, 20)}。",
        f"The table has no column '{_show(wanted)}'; its columns are: {_names(columns, 20)}.",
    )
    raise UploadError(msg)


def _geometry_columns(
    table: pd.DataFrame, options: ReadOptions, *, strict: bool
) -> tuple[bool, str | None, str | None, str | None]:
    """Return (found, x, y, wkt) columns from the options or the header names."""
    columns = [str(c) for c in table.columns]
    if options.wkt_column is not None:
        return True, None, None, _find(columns, options.wkt_column)
    if options.x_column is not None and options.y_column is not None:
        return True, _find(columns, options.x_column), _find(columns, options.y_column), None
    key = {c: c.strip().casefold() for c in columns}
    xs = [c for c in columns if key[c] in _X_NAMES]
    ys = [c for c in columns if key[c] in _Y_NAMES]
    ws = [c for c in columns if key[c] in _WKT_NAMES]
    for found, what in ((xs, "x / 经度"), (ys, "y / 纬度"), (ws, "WKT")):
        if len(found) > 1 and strict:
            msg = _bi(
                f"有多列可能是 {what}：{_names(found)}；"
                "请指定（x_column/y_column 或 wkt_column）。",
                f"Several columns could be the {what} column: {_names(found)}. Choose them "
                "with x_column/y_column or wkt_column.",
            )
            raise UploadError(msg)
    if xs and ys:
        return True, xs[0], ys[0], None
    if ws:
        return True, None, None, ws[0]
    if strict:
        seen = ("", "")
        if xs:
            seen = (
                f"有 x 列 '{xs[0]}' 但没有 y 列；",
                f"found x column '{xs[0]}' but no y column; ",
            )
        elif ys:
            seen = (
                f"有 y 列 '{ys[0]}' 但没有 x 列；",
                f"found y column '{ys[0]}' but no x column; ",
            )
        msg = _bi(
            f"表格中找不到坐标列：{seen[0]}需要 经度/纬度（lon/lat、lng、longitude/latitude、x/y）"
            f"或 WKT 列（wkt、geometry、geom、几何）；现有列：{_names(columns, 20)}。",
            f"No coordinate columns in the table: {seen[1]}it needs longitude/latitude columns "
            "(lon/lat, lng, longitude/latitude, 经度/纬度, x/y) or a WKT column (wkt, geometry, "
            f"geom, 几何); its columns are: {_names(columns, 20)}. Rename them, or name them "
            "with x_column/y_column or wkt_column.",
        )
        raise UploadError(msg)
    return False, None, None, None


def _rows(positions: Iterable[int]) -> str:
    """Return data-record positions (0 = the first after the header) as file rows."""
    rows = [str(int(i) + 2) for i in positions]
    return ", ".join(rows[:8]) + (f" … (+{len(rows) - 8})" if len(rows) > 8 else "")


def _table_frame(
    table: pd.DataFrame, options: ReadOptions, shown: str
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the table's rows as a GeoDataFrame without CRS (points or WKT geometries)."""
    table = table.dropna(how="all")
    if table.empty:
        msg = _bi(f"表格「{shown}」没有数据行。", f"The table '{shown}' has no data rows.")
        raise UploadError(msg)
    _, x, y, wkt = _geometry_columns(table, options, strict=True)
    notes = []
    if wkt is None:
        assert x is not None
        assert y is not None
        xs = pd.to_numeric(table[x].astype(str).str.strip(), errors="coerce")
        ys = pd.to_numeric(table[y].astype(str).str.strip(), errors="coerce")
        bad = np.flatnonzero(~(np.isfinite(xs) & np.isfinite(ys)).to_numpy())
        bad = table.index.to_numpy()[bad]
        if len(bad):
            msg = _bi(
                f"第 {_rows(bad)} 行的坐标（{x}、{y}）不是数字。",
                f"Rows {_rows(bad)} have coordinates ({x}, {y}) that are not numbers: fill "
                "them in or delete those rows.",
            )
            raise UploadError(msg)
        geometry = shapely.points(xs.to_numpy(float), ys.to_numpy(float))
        attributes = table
        notes.append(f"坐标取自列 {x}、{y}。 / Coordinates taken from columns {x}, {y}.")
    else:
        wkt_text = [None if pd.isna(v) else str(v) for v in table[wkt]]
        geometry = shapely.from_wkt(np.array(wkt_text, dtype=object), on_invalid="ignore")
        bad = table.index.to_numpy()[shapely.is_missing(geometry) | shapely.is_empty(geometry)]
        if len(bad):
            msg = _bi(
                f"第 {_rows(bad)} 行的 {wkt} 列不是有效的 WKT 几何。",
                f"Rows {_rows(bad)} have no valid WKT geometry in column {wkt} (e.g. "
                "'POINT (121.0 31.4)').",
            )
            raise UploadError(msg)
        # The WKT column becomes the geometry (and may be called "geometry").
        attributes = table.drop(columns=[wkt])
        notes.append(f"几何取自 WKT 列 {wkt}。 / Geometries taken from the WKT column {wkt}.")
    if "geometry" in attributes.columns:
        attributes = attributes.rename(columns={"geometry": "geometry_text"})
    frame = gpd.GeoDataFrame(
        attributes.reset_index(drop=True), geometry=np.asarray(geometry, dtype=object)
    )
    return frame, notes


# ---------------------------------------------------------------------------
# Opening and reading


def _check_size(content: bytes, filename: str, max_bytes: int) -> None:
    if len(content) > max_bytes:
        msg = _bi(
            f"文件「{_show(filename)}」过大（{_size(len(content))}，上限 {_size(max_bytes)}）；"
            "请裁剪或简化后再上传。",
            f"The file '{_show(filename)}' is too large ({_size(len(content))}; the limit is "
            f"{_size(max_bytes)}): clip or simplify it first.",
        )
        raise UploadError(msg)
    if not content:
        msg = _bi(f"文件「{_show(filename)}」是空的。", f"The file '{_show(filename)}' is empty.")
        raise UploadError(msg)


def _open(
    content: bytes,
    filename: str,
    options: ReadOptions,
    tmp: Path,
    limit: int,
    *,
    lenient: bool,
) -> _Source:
    shown = _show(filename)
    kind = _sniff(content, filename)
    if kind == "zip":
        return _open_zip_source(content, shown, options, tmp, limit, lenient=lenient)
    if kind == "gpkg":
        return _open_gpkg(content, shown, options, tmp, lenient=lenient)
    if kind == "kml":
        return _open_kml(content, shown, options, tmp, lenient=lenient)
    if kind == "geojson":
        return _open_geojson(content, shown, options, tmp)
    return _open_csv(content, shown, options)


def _parse_prj(raw: bytes) -> pyproj.CRS | None:
    """Return the CRS of a .prj (ESRI or OGC WKT), or ``None`` if it is not one."""
    text = raw.decode("utf-8", "replace").strip()
    if not text or len(text) > 65_536:
        return None
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return None


def _declared(src: _Source, gdal_crs: object) -> pyproj.CRS | None:
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
_KML_FIELDS = (
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


def _read_gdal(src: _Source, shown: str, tmp: Path) -> tuple[gpd.GeoDataFrame, pyproj.CRS | None]:
    """Read the source's layer with GDAL; return it without CRS, and the CRS it declares."""
    assert src.path is not None
    try:
        with _gdal_warnings(src.notes, tmp):
            info = pyogrio.read_info(src.path, layer=src.gdal_layer, encoding=src.gdal_encoding)
            frame = pyogrio.read_dataframe(
                src.path, layer=src.gdal_layer, encoding=src.gdal_encoding, force_2d=True
            )
    except UnicodeDecodeError as exc:
        msg = _bi(
            f"「{shown}」的属性不是 {src.encoding or 'UTF-8'} 编码。",
            f"The attributes of '{shown}' are not valid {src.encoding or 'UTF-8'}: give the "
            "encoding (e.g. encoding='gbk').",
        )
        raise UploadError(msg) from exc
    except _READ_ERRORS as exc:
        raise _unreadable(shown, exc, tmp) from exc
    if re.search(r"( Z| M| ZM)$|3D|Measured", str(info.get("geometry_type") or "")):
        if src.format not in ("kml", "kmz"):
            src.notes.append("高程（Z/M）已忽略。 / Heights and measures (Z/M) were dropped.")
    if src.format in ("kml", "kmz"):
        empty = [
            c
            for c in _KML_FIELDS
            if c in frame.columns and (frame[c].isna() | frame[c].isin([-1, ""])).all()
        ]
        frame = frame.drop(columns=empty)
    declared = _declared(src, frame.crs)
    return gpd.GeoDataFrame(
        frame.drop(columns=frame.geometry.name), geometry=frame.geometry.array
    ), declared


# ---------------------------------------------------------------------------
# Geometry


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


def _clean(
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
        msg = _bi(
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
        msg = _bi(
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
        msg = _bi(
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


def _sample_xy(geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the bounding-box centres of up to _SAMPLE_POINTS features (evenly spaced)."""
    bounds = shapely.bounds(geoms)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    if len(bounds) > _SAMPLE_POINTS:
        bounds = bounds[np.linspace(0, len(bounds) - 1, _SAMPLE_POINTS).astype(int)]
    return (bounds[:, 0] + bounds[:, 2]) / 2.0, (bounds[:, 1] + bounds[:, 3]) / 2.0


# ---------------------------------------------------------------------------
# Kunshan and the CRS guess


@cache
def _kunshan_box() -> tuple[float, float, float, float]:
    """Return Kunshan's outline bounds buffered by KUNSHAN_MARGIN_M, in WGS84."""
    from geo.boundaries import load_outline  # noqa: PLC0415 - only when a layer is checked

    minx, miny, maxx, maxy = load_outline().to_crs(ANALYSIS_CRS).total_bounds
    m = KUNSHAN_MARGIN_M
    box = gpd.GeoSeries([shapely.box(minx - m, miny - m, maxx + m, maxy + m)], crs=ANALYSIS_CRS)
    b = box.to_crs(DISPLAY_CRS).total_bounds
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _inside(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    minx, miny, maxx, maxy = _kunshan_box()
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def _lands_in_kunshan(crs: _Crs, x: NDArray[np.float64], y: NDArray[np.float64]) -> bool:
    if len(x) == 0:
        return False
    lon, lat = _to_lonlat(crs, x, y)
    return bool(_inside(lon, lat).mean() >= 0.5)


def _candidate_systems(x: NDArray[np.float64]) -> list[_Crs]:
    systems = [_named_crs(k) for k in _NAMED]
    zones = {int(v // 1_000_000) for v in x[np.isfinite(x)]} & set(_GK_ZONES)
    for zone in sorted(zones - {40}):
        systems.append(_crs_from_pyproj(pyproj.CRS.from_epsg(_GK_ZONE_EPSG0 + zone)))
    return systems


def _fits(crs: _Crs, x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[bool, str, str]:
    """Return whether the coordinates fit the system's range, with the reason (zh, en)."""
    y_ok = bool(((y > 1_500_000) & (y < 6_500_000)).all())  # China: 15-58 N in metres
    if crs.geographic:
        ok = bool(((np.abs(x) <= 180) & (np.abs(y) <= 90)).all())
        zh, en = ("坐标为经纬度范围", "the coordinates are in longitude/latitude range")
        if crs.shift == "gcj02":
            zh, en = (
                zh + "；高德、腾讯地图的坐标为 GCJ-02（偏约 500 米）",
                (en + "; Amap and Tencent maps give GCJ-02 (offset ~500 m)"),
            )
        elif crs.shift == "bd09":
            zh, en = zh + "；百度地图的坐标为 BD-09", en + "; Baidu maps give BD-09"
        elif crs.code == "EPSG:4490":
            zh, en = (
                zh + "；CGCS2000 与 WGS84 相差不到 1 米",
                (en + "; CGCS2000 is within 1 m of WGS84"),
            )
        return ok, zh, en
    zone = next((z for z in _GK_ZONES if crs.code == f"EPSG:{_GK_ZONE_EPSG0 + z}"), None)
    if zone is not None:
        ok = y_ok and bool(((x > zone * 1e6) & (x < (zone + 1) * 1e6)).all())
        return (
            ok,
            f"x 以带号 {zone} 开头（{zone},xxx,xxx）",
            f"x starts with zone {zone} ({zone},xxx,xxx)",
        )
    if crs.code == "EPSG:4549":
        ok = y_ok and bool(((x > 0) & (x < 1_000_000)).all())
        return (
            ok,
            "x 为 6 位数（约 500,000 上下）、y 为 7 位数",
            ("x has 6 digits (around 500,000) and y 7 digits"),
        )
    return True, "", ""


def _span(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[str, str]:
    xs, ys = f"x {_num(x.min())}–{_num(x.max())}", f"y {_num(y.min())}–{_num(y.max())}"
    return f"{xs}，{ys}", f"{xs}, {ys}"


def _judge(crs: _Crs, x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[int, str, str]:
    """Return 2 (fits, lands in Kunshan), 1 (fits) or 0, with the reason (zh, en)."""
    ok, zh, en = _fits(crs, x, y)
    here = ok and _lands_in_kunshan(crs, x, y)
    span = _span(x, y)
    if here:
        zh, en = zh + "，按此读取位于昆山", en + ", and read so they lie in Kunshan"
    elif ok:
        zh, en = zh + "，但按此读取不在昆山", en + ", but read so they are not in Kunshan"
    else:
        zh, en = "坐标范围不符", "the coordinates do not fit its range"
    return (2 if here else 1 if ok else 0), f"{zh}（{span[0]}）", f"{en} ({span[1]})"


def _rank(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[CrsCandidate, ...]:
    """Rank the coordinate systems for raw coordinates: in Kunshan, then fitting, then not."""
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if len(x) == 0:
        return ()
    ranked = []
    for order, crs in enumerate(_candidate_systems(x)):
        score, zh, en = _judge(crs, x, y)
        reason = f"{crs.code}：{zh}。 / {crs.code}: {en}."
        candidate = CrsCandidate(crs.choice, crs.code, score > 0, score == 2, reason)
        ranked.append((-score, order, candidate))
    return tuple(c for *_, c in sorted(ranked, key=lambda r: (r[0], r[1])))


def _fixes(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[LocationFix, ...]:
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    fixes = []
    for swap in (False, True):
        a, b = (y, x) if swap else (x, y)
        for crs in _candidate_systems(a):
            if _fits(crs, a, b)[0] and _lands_in_kunshan(crs, a, b):
                fixes.append(LocationFix(crs.choice, crs.code, swap))
    return tuple(fixes)


def _fix_text(fixes: Sequence[LocationFix]) -> tuple[str, str]:
    if not fixes:
        return (
            "没有哪种常用坐标系能把它放进昆山，请核对数据来源。",
            "None of the usual coordinate systems puts it in Kunshan: check where the data "
            "came from.",
        )
    best = fixes[0]
    zh = f"按 {best.code} 读取则位于昆山：请选择坐标系 {best.crs}"
    en = f"Read as {best.code} it lies in Kunshan: choose crs={best.crs!r}"
    if best.swap_xy:
        zh = (
            f"x 与 y 互换后按 {best.code} 读取则位于昆山："
            "请交换两列（表格可用 x_column/y_column 指定）"
        )
        en = (
            f"With x and y swapped and read as {best.code} it lies in Kunshan: swap them "
            "(for a table, name the columns with x_column/y_column)"
        )
    # Other readings, leaving out lon/lat variants of the best one (within ~1 km of it).
    lonlat = {"wgs84", "cgcs2000", "gcj02", "bd09"}
    others = [
        f
        for f in fixes[1:]
        if not (best.crs in lonlat and f.crs in lonlat and f.swap_xy == best.swap_xy)
    ][:3]
    if others:
        zh += "（也可能：" + "、".join(f.crs + ("，x/y 互换" if f.swap_xy else "") for f in others)
        en += " (also possible: " + ", ".join(
            f.crs + (" with x/y swapped" if f.swap_xy else "") for f in others
        )
        zh, en = zh + "）", en + ")"
    return zh + "。", en + "."


def location_check(
    gdf_wgs84: gpd.GeoDataFrame, raw: gpd.GeoDataFrame | None = None
) -> LocationCheck:
    """Check that a WGS84 layer lies in or near Kunshan; if not, say where and what would fix it.

    Parameters
    ----------
    gdf_wgs84
        The layer in WGS84 (EPSG:4326, or no CRS for raw lon/lat), any geometry type.
    raw
        The same features (same order) in their raw coordinates, before any
        transformation; the CRS readings that would put them in Kunshan are tried
        on these. Defaults to ``gdf_wgs84`` (e.g. a frame declared WGS84 that holds
        projected numbers).

    Returns
    -------
    LocationCheck
        In Kunshan if every feature's bounds meet Kunshan's outline box buffered
        by 20 km; otherwise the layer's centre, the features outside and the fixes.

    Raises
    ------
    CRSError
        If ``gdf_wgs84`` has a CRS other than WGS84.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.Point(31.38, 120.95)], crs="EPSG:4326")
    >>> check = location_check(frame)
    >>> check.in_kunshan, check.fixes[0].crs, check.fixes[0].swap_xy
    (False, 'wgs84', True)
    """
    if gdf_wgs84.crs is not None and gdf_wgs84.crs != pyproj.CRS.from_user_input(DISPLAY_CRS):
        msg = f"location_check needs a WGS84 (EPSG:4326) frame, got {gdf_wgs84.crs}."
        raise CRSError(msg)
    geoms = np.asarray(gdf_wgs84.geometry.array, dtype=object)
    bounds = shapely.bounds(geoms)
    has = np.isfinite(bounds).all(axis=1)
    n = int(has.sum())
    if n == 0:
        return LocationCheck(False, 0, 0, None, (), "图层没有几何。 / The layer has no geometry.")
    minx, miny, maxx, maxy = _kunshan_box()
    b = bounds[has]
    meets = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    n_outside = int((~meets).sum())
    lo, hi = b[:, :2].min(axis=0), b[:, 2:].max(axis=0)
    centre = (round(float(lo[0] + hi[0]) / 2, 3), round(float(lo[1] + hi[1]) / 2, 3))
    if n_outside == 0:
        return LocationCheck(True, n, 0, centre, (), None)
    source = raw if raw is not None and len(raw) == len(gdf_wgs84) else gdf_wgs84
    raw_geoms = np.asarray(source.geometry.array, dtype=object)[has][~meets]
    fixes = _fixes(*_sample_xy(raw_geoms))
    fix_zh, fix_en = _fix_text(fixes)
    lonlat = abs(centre[0]) <= 180 and abs(centre[1]) <= 90
    if n_outside < n:
        where = (
            f"{n} 个要素中有 {n_outside} 个不在昆山附近。",
            f"{n_outside} of {n} features are not in or near Kunshan.",
        )
    elif lonlat:
        where = (
            f"图层不在昆山附近：范围中心约为经度 {centre[0]}、纬度 {centre[1]}。",
            f"The layer is not in or near Kunshan: its centre is at about lon {centre[0]}, "
            f"lat {centre[1]}.",
        )
    else:
        where = (
            f"图层坐标不是有效的经纬度（中心 x={_num(centre[0])}、y={_num(centre[1])}）。",
            f"The layer's coordinates are not valid longitude/latitude (centre "
            f"x={_num(centre[0])}, y={_num(centre[1])}).",
        )
    message = f"{where[0]}{fix_zh} / {where[1]} {fix_en}"
    return LocationCheck(False, n, n_outside, centre, fixes, message)


# ---------------------------------------------------------------------------
# Reading into WGS84


def _resolve(
    frame: gpd.GeoDataFrame, declared: pyproj.CRS | None, options: ReadOptions
) -> tuple[_Crs, CrsSource, str | None]:
    """Return the CRS to read the raw coordinates in, where it came from, and a note."""
    if options.crs is not None:
        chosen = _parse_crs(options.crs)
        note = None
        if declared is not None and _crs_from_pyproj(declared).code != chosen.code:
            code = _crs_from_pyproj(declared).code
            note = (
                f"文件声明 {code}，按所选 {chosen.code} 读取。 / The file declares {code}; it was "
                f"read as {chosen.code}, as chosen."
            )
        return chosen, "chosen", note
    if declared is not None:
        return _crs_from_pyproj(declared), "declared", None
    x, y = _sample_xy(np.asarray(frame.geometry.array, dtype=object))
    ranked = [c for c in _rank(x, y) if c.plausible]
    if not ranked:
        fix_zh, fix_en = _fix_text(_fixes(x, y))
        msg = _bi(
            f"未声明坐标系，坐标（x {_num(x.min())}–{_num(x.max())}，y {_num(y.min())}–"
            f"{_num(y.max())}）也不符合任何常用坐标系。{fix_zh}",
            f"No CRS is declared and the coordinates (x {_num(x.min())}–{_num(x.max())}, y "
            f"{_num(y.min())}–{_num(y.max())}) fit none of the usual systems. {fix_en} Or "
            f"choose the CRS ({_CHOICES_TEXT}).",
        )
        raise UploadError(msg)
    best = _parse_crs(ranked[0].crs)
    _, zh, en = _judge(best, x, y)
    if best.geographic:
        zh += "；若坐标取自高德、腾讯地图请选 gcj02，取自百度地图请选 bd09"
        en += "; if they come from Amap or Tencent maps choose gcj02, from Baidu bd09"
    note = (
        f"未声明坐标系，按最可能的 {best.code}（{best.name_zh}）读取：{zh}。 / No CRS declared: "
        f"read as {best.code} ({best.name_en}; best guess): {en}."
    )
    return best, "guessed", note


def _to_wgs84(
    frame: gpd.GeoDataFrame, crs: _Crs, shown: str
) -> tuple[gpd.GeoDataFrame, str | None]:
    geoms = np.asarray(frame.geometry.array, dtype=object)
    note = None
    if crs.geographic:
        coords = shapely.get_coordinates(geoms)
        outside = ~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))
        if outside.any() and crs.shift != "none":
            fix_zh, fix_en = _fix_text(_fixes(*_sample_xy(geoms)))
            msg = _bi(
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
        msg = _bi(
            f"无法从 {crs.code} 转换到 WGS84。",
            f"The layer cannot be transformed from {crs.code} to WGS84 ({_scrub(exc, None)}).",
        )
        raise UploadError(msg) from exc
    moved = shapely.get_coordinates(np.asarray(out.geometry.array, dtype=object))
    if not np.isfinite(moved).all():
        fix_zh, fix_en = _fix_text(_fixes(*_sample_xy(geoms)))
        msg = _bi(
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
    _check_size(content, filename, max_bytes)
    shown = _show(filename)
    with tempfile.TemporaryDirectory(prefix="planmap-read-") as name:
        tmp = Path(name)
        src = _open(content, filename, options, tmp, max_unpacked_bytes, lenient=False)
        if src.table is not None:
            frame, table_notes = _table_frame(src.table, options, shown)
            declared = None
            src.notes.extend(table_notes)
        else:
            frame, declared = _read_gdal(src, shown, tmp)
    clean, n_repaired, geometry_notes = _clean(
        frame, shown, points_and_polygons=points_and_polygons
    )
    crs, crs_source, crs_note = _resolve(clean, declared, options)
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
    _check_size(content, filename, max_bytes)
    shown = _show(filename)
    with tempfile.TemporaryDirectory(prefix="planmap-read-") as name:
        tmp = Path(name)
        src = _open(content, filename, options, tmp, max_unpacked_bytes, lenient=True)
        if src.table is not None:
            return _inspect_table(src, options)
        assert src.path is not None
        try:
            with _gdal_warnings(src.notes, tmp):
                info = pyogrio.read_info(
                    src.path,
                    layer=src.gdal_layer,
                    encoding=src.gdal_encoding,
                    force_feature_count=True,
                    force_total_bounds=True,
                )
        except UnicodeDecodeError as exc:
            msg = _bi(
                f"「{shown}」的字段名不是 {src.encoding} 编码。",
                f"The field names of '{shown}' are not valid {src.encoding}: give the encoding.",
            )
            raise UploadError(msg) from exc
        except _READ_ERRORS as exc:
            raise _unreadable(shown, exc, tmp) from exc
    declared = _declared(src, info.get("crs"))
    bounds = np.asarray(info.get("total_bounds") or (np.nan,) * 4, dtype=np.float64)
    # The box's corners and centre stand for the coordinates.
    x = np.array([bounds[0], bounds[2], bounds[0], bounds[2], (bounds[0] + bounds[2]) / 2])
    y = np.array([bounds[1], bounds[3], bounds[3], bounds[1], (bounds[1] + bounds[3]) / 2])
    layers = src.layers or (str(info["layer_name"]),)
    columns = tuple(str(c) for c in info["fields"])
    if src.format in ("kml", "kmz"):
        columns = tuple(c for c in columns if c not in _KML_FIELDS)
    return FileInfo(
        format=src.format,
        layers=layers,
        layer=src.layer or str(info["layer_name"]),
        declared_crs=None if declared is None else _crs_from_pyproj(declared).code,
        encoding=src.encoding,
        encoding_from_cpg=src.encoding_from_cpg,
        columns=columns,
        n_features=int(info["features"]),
        geometry_type=None if info.get("geometry_type") is None else str(info["geometry_type"]),
        crs_candidates=_rank(x, y),
        notes=tuple(src.notes),
    )


def _inspect_table(src: _Source, options: ReadOptions) -> FileInfo:
    assert src.table is not None
    table = src.table.dropna(how="all")
    notes = list(src.notes)
    try:
        found, x_col, y_col, wkt_col = _geometry_columns(table, options, strict=True)
    except UploadError as exc:
        found, x_col, y_col, wkt_col = False, None, None, None
        notes.append(str(exc))
    candidates: tuple[CrsCandidate, ...] = ()
    if found and x_col is not None and y_col is not None:
        xs = pd.to_numeric(table[x_col].astype(str).str.strip(), errors="coerce").to_numpy(float)
        ys = pd.to_numeric(table[y_col].astype(str).str.strip(), errors="coerce").to_numpy(float)
        candidates = _rank(xs[:_SAMPLE_POINTS], ys[:_SAMPLE_POINTS])
    elif found and wkt_col is not None:
        text = [None if pd.isna(v) else str(v) for v in table[wkt_col].iloc[:_SAMPLE_POINTS]]
        geoms = shapely.from_wkt(np.array(text, dtype=object), on_invalid="ignore")
        candidates = _rank(*_sample_xy(geoms))
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
        msg = _bi(
            f"没有列 '{_show(column)}'；现有列：{_names(columns, 20)}。",
            f"There is no column '{_show(column)}'; the columns are: {_names(columns, 20)}.",
        )
        raise UploadError(msg)
    values = gdf[column]
    repeated = values[values.duplicated(keep=False) & values.notna()]
    return list(dict.fromkeys(repeated.tolist()))
