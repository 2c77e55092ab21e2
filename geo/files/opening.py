"""Recognise a planner's file by its content and open it by its format (a zip by its members).

The format is recognised from the content (zip, SQLite, JSON, XML), the
members of a zip (``.shp``, ``.kml``, ``xl/workbook.xml``) and, for CSV, the
file name. Only the members needed are written, under fixed ASCII names, in
the caller's private temporary directory; GDAL never sees the zip.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from geo.errors import UploadError
from geo.files.archives import Budget, extract, open_zip, zip_entries
from geo.files.geojson import open_geojson
from geo.files.geopackage import open_gpkg
from geo.files.kml import open_kml, open_kml_path
from geo.files.shapefile import open_shapefile
from geo.files.source import Source
from geo.files.tables import open_csv, open_xlsx
from geo.files.text import BOM, bilingual, names_text, one_line, size_text

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["check_size", "open_source"]


_FORMAT_HELP = (
    "GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ、CSV 或 XLSX",
    "GeoJSON, a zipped Shapefile, GeoPackage, KML/KMZ, CSV or XLSX",
)


_TABLE_SUFFIXES = (".csv", ".txt", ".tsv")


def check_size(content: bytes, filename: str, max_bytes: int) -> None:
    """Refuse a file that is empty or larger than ``max_bytes``."""
    if len(content) > max_bytes:
        msg = bilingual(
            f"文件「{one_line(filename)}」过大（{size_text(len(content))}，"
            f"上限 {size_text(max_bytes)}）；请裁剪或简化后再上传。",
            f"The file '{one_line(filename)}' is too large ({size_text(len(content))}; the "
            f"limit is {size_text(max_bytes)}): clip or simplify it first.",
        )
        raise UploadError(msg)
    if not content:
        msg = bilingual(
            f"文件「{one_line(filename)}」是空的。", f"The file '{one_line(filename)}' is empty."
        )
        raise UploadError(msg)


def _sniff(content: bytes, filename: str) -> Literal["zip", "gpkg", "geojson", "kml", "csv"]:
    """Return the container kind from the bytes (zip members are classified later)."""
    shown = one_line(filename)
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.casefold()
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if content.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if content[:4] == b"\x00\x00\x27\x0a" or suffix in (".shp", ".shx", ".dbf", ".prj"):
        msg = bilingual(
            f"「{shown}」是 Shapefile 的单个部件；请把 .shp、.shx、.dbf、.prj（及 .cpg）一起压缩成"
            " zip 上传。",
            f"'{shown}' is one part of a Shapefile: zip the .shp, .shx, .dbf and .prj (and .cpg) "
            "together and upload the zip.",
        )
        raise UploadError(msg)
    if content[:4] == b"\xd0\xcf\x11\xe0":
        msg = bilingual(
            f"「{shown}」是旧版 Excel（.xls）文件；请另存为 .xlsx 或 CSV。",
            f"'{shown}' is an old Excel (.xls) file: save it as .xlsx or CSV.",
        )
        raise UploadError(msg)
    head = content[:4096].removeprefix(BOM).lstrip()
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<") and b"<kml" in head.lower():
        return "kml"
    if suffix in _TABLE_SUFFIXES:
        return "csv"
    msg = bilingual(
        f"无法识别「{shown}」的格式（扩展名 '{suffix or '无'}'，内容不是{_FORMAT_HELP[0]}）。",
        f"The format of '{shown}' is not recognised (extension '{suffix or 'none'}'; the "
        f"content is not {_FORMAT_HELP[1]}). Upload one of those.",
    )
    raise UploadError(msg)


def open_source(
    content: bytes,
    filename: str,
    options: ReadOptions,
    tmp: Path,
    limit: int,
    *,
    lenient: bool,
) -> Source:
    """Open a file in ``tmp`` by its format (a zip by its members); nothing is read yet.

    ``limit`` bounds what a zip may unpack to; ``lenient`` takes the first of
    several layers instead of asking which.
    """
    shown = one_line(filename)
    kind = _sniff(content, filename)
    if kind == "zip":
        return _open_zip_source(content, shown, options, tmp, limit, lenient=lenient)
    if kind == "gpkg":
        return open_gpkg(content, shown, options, tmp, lenient=lenient)
    if kind == "kml":
        return open_kml(content, shown, options, tmp, lenient=lenient)
    if kind == "geojson":
        return open_geojson(content, shown, options, tmp)
    return open_csv(content, shown, options)


def _open_zip_source(
    content: bytes,
    shown: str,
    options: ReadOptions,
    tmp: Path,
    limit: int,
    *,
    lenient: bool,
) -> Source:
    with open_zip(content, shown) as zf:
        entries = zip_entries(zf, shown, len(content), limit)
        names = {e.path.casefold() for e in entries}
        if "[content_types].xml" in names and "xl/workbook.xml" in names:
            # openpyxl opens the same bytes; their declared sizes were checked above, and
            # zipfile never unpacks a member beyond its declared size.
            return open_xlsx(content, shown, options, lenient=lenient)
        useful = [e for e in entries if not e.ignorable]
        budget = Budget(limit)
        if any(e.suffix == ".shp" for e in useful):
            return open_shapefile(zf, useful, shown, options, tmp, budget=budget, lenient=lenient)
        kmls = [e for e in useful if e.suffix == ".kml"]
        if kmls:
            # KMZ: the main document is doc.kml, else the first .kml at the root.
            root = [e for e in kmls if "/" not in e.path]
            main = next((e for e in root if e.path.casefold() == "doc.kml"), (root or kmls)[0])
            path = tmp / "upload.kml"
            extract(zf, main, path, budget, shown)
            return open_kml_path(path, "kmz", shown, options, tmp, lenient=lenient)
    msg = bilingual(
        f"「{shown}」中没有 Shapefile（.shp）、KML 或 Excel 表；"
        f"其中有：{names_text(e.path for e in useful)}。",
        f"'{shown}' holds no Shapefile (.shp), KML or Excel sheet; it holds: "
        f"{names_text(e.path for e in useful) or 'nothing'}.",
    )
    raise UploadError(msg)
