"""Tables (CSV, XLSX): their coordinate or WKT columns found, their rows made features."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import shapely
from openpyxl.utils.exceptions import InvalidFileException

from geo.errors import UploadError
from geo.files.source import Source, choose_layer
from geo.files.text import READ_ERRORS, bilingual, decode_text, names_text, one_line, scrubbed

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["geometry_columns", "open_csv", "open_xlsx", "row_numbers", "table_frame"]


_X_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "point_x")


_Y_NAMES = ("lat", "latitude", "纬度", "y", "point_y")


_WKT_NAMES = ("wkt", "geometry", "geom", "几何")


# A datum named in a coordinate column's header (gcj_lng, 高德经度, lat_bd09, wgs84_x): the
# column is still the longitude or latitude, and the name is a hint (geo.files.datum_hints).
_DATUM_WORDS = re.compile(r"(gcj-?0?2|bd-?0?9|wgs-?84|gps|高德|百度|腾讯|火星|gcj|bd|wgs)[_\-\s]*")


def _coordinate_key(column: str) -> str:
    """Return a header without a datum word or separators, in lower case (``gcj_lng`` -> lng)."""
    key = column.strip().casefold()
    bare = _DATUM_WORDS.sub("", key).strip("_- ")
    return bare if bare in (*_X_NAMES, *_Y_NAMES) else key


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


def open_csv(content: bytes, shown: str, options: ReadOptions) -> Source:
    """Read a CSV (delimiter from its header line) as a table of text, numbers made numbers."""
    text, encoding = decode_text(content, options.encoding, shown)
    first = text.split("\n", 1)[0]
    sep = max((",", "\t", ";", "|"), key=first.count)
    try:
        # The csv module, not pandas: every value stays text until _keep_numbers, and a
        # row longer than the header is an error, not an index column or a warning.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        msg = bilingual(
            f"「{shown}」不是可读的 CSV 表格。",
            f"'{shown}' is not a readable CSV table ({scrubbed(exc, None)}).",
        )
        raise UploadError(msg) from exc
    header = _unique_header(rows[0]) if rows else []
    width = len(header)
    long = [i for i, r in enumerate(rows[1:]) if any(v.strip() for v in r[width:])]
    if long:
        msg = bilingual(
            f"第 {row_numbers(long)} 行的字段比表头（{width} 列）多。",
            f"Rows {row_numbers(long)} have more fields than the header ({width} columns): "
            f"check the delimiter ('{sep}') and the quotes.",
        )
        raise UploadError(msg)
    body = [
        [v if v.strip() else None for v in r[:width]] + [None] * (width - len(r)) for r in rows[1:]
    ]
    table = pd.DataFrame(body, columns=header, dtype=object)
    layer = PurePosixPath(shown).stem
    table = table if options.keep_text else _keep_numbers(table)
    src = Source("csv", (layer,), layer, table=table, encoding=encoding)
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


def open_xlsx(content: bytes, shown: str, options: ReadOptions, *, lenient: bool) -> Source:
    """Read an XLSX workbook and choose its sheet: the one named, or the one with coordinates."""
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
        *READ_ERRORS,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        SyntaxError,
        InvalidFileException,
    ) as exc:
        msg = bilingual(
            f"无法读取 Excel 文件「{shown}」。",
            f"The Excel file '{shown}' could not be read ({scrubbed(exc, None)}): save it again "
            "as .xlsx, or as CSV.",
        )
        raise UploadError(msg) from exc
    names = list(sheets)
    with_geometry = [n for n in names if _has_geometry(sheets[n], options)]
    if options.layer is not None:
        layer = choose_layer(names, options.layer, shown, lenient=lenient)
    elif len(with_geometry) > 1:
        layer = choose_layer(with_geometry, None, shown, lenient=lenient)
    else:
        layer = (with_geometry or names or [""])[0]
    table = sheets.get(layer, pd.DataFrame()).infer_objects()
    table = table if options.keep_text else _keep_numbers(table)
    return Source("xlsx", tuple(names), layer or None, table=table)


def _has_geometry(table: pd.DataFrame, options: ReadOptions) -> bool:
    try:
        return geometry_columns(table, options, strict=False)[0]
    except UploadError:  # a column named in the options is not in this sheet
        return False


def _find(columns: Sequence[str], wanted: str) -> str:
    if wanted in columns:
        return wanted
    msg = bilingual(
        f"表格中没有列 '{one_line(wanted)}'；现有列：{names_text(columns, 20)}。",
        f"The table has no column '{one_line(wanted)}'; its columns are: "
        f"{names_text(columns, 20)}.",
    )
    raise UploadError(msg)


def geometry_columns(
    table: pd.DataFrame, options: ReadOptions, *, strict: bool
) -> tuple[bool, str | None, str | None, str | None]:
    """Return (found, x, y, wkt) columns from the options or the header names."""
    columns = [str(c) for c in table.columns]
    if options.wkt_column is not None:
        return True, None, None, _find(columns, options.wkt_column)
    if options.x_column is not None and options.y_column is not None:
        return True, _find(columns, options.x_column), _find(columns, options.y_column), None
    key = {c: _coordinate_key(c) for c in columns}
    xs = [c for c in columns if key[c] in _X_NAMES]
    ys = [c for c in columns if key[c] in _Y_NAMES]
    ws = [c for c in columns if key[c] in _WKT_NAMES]
    for found, what in ((xs, "x / 经度"), (ys, "y / 纬度"), (ws, "WKT")):
        if len(found) > 1 and strict:
            msg = bilingual(
                f"有多列可能是 {what}：{names_text(found)}；"
                "请指定（x_column/y_column 或 wkt_column）。",
                f"Several columns could be the {what} column: {names_text(found)}. Choose them "
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
        msg = bilingual(
            f"表格中找不到坐标列：{seen[0]}需要 经度/纬度（lon/lat、lng、longitude/latitude、x/y）"
            f"或 WKT 列（wkt、geometry、geom、几何）；现有列：{names_text(columns, 20)}。",
            f"No coordinate columns in the table: {seen[1]}it needs longitude/latitude columns "
            "(lon/lat, lng, longitude/latitude, 经度/纬度, x/y) or a WKT column (wkt, geometry, "
            f"geom, 几何); its columns are: {names_text(columns, 20)}. Rename them, or name them "
            "with x_column/y_column or wkt_column.",
        )
        raise UploadError(msg)
    return False, None, None, None


def row_numbers(positions: Iterable[int]) -> str:
    """Return data-record positions (0 = the first after the header) as file rows."""
    rows = [str(int(i) + 2) for i in positions]
    return ", ".join(rows[:8]) + (f" … (+{len(rows) - 8})" if len(rows) > 8 else "")


def table_frame(
    table: pd.DataFrame, options: ReadOptions, shown: str
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the table's rows as a GeoDataFrame without CRS (points or WKT geometries)."""
    table = table.dropna(how="all")
    if table.empty:
        msg = bilingual(f"表格「{shown}」没有数据行。", f"The table '{shown}' has no data rows.")
        raise UploadError(msg)
    _, x, y, wkt = geometry_columns(table, options, strict=True)
    notes = []
    if wkt is None:
        assert x is not None
        assert y is not None
        xs = pd.to_numeric(table[x].astype(str).str.strip(), errors="coerce")
        ys = pd.to_numeric(table[y].astype(str).str.strip(), errors="coerce")
        bad = np.flatnonzero(~(np.isfinite(xs) & np.isfinite(ys)).to_numpy())
        bad = table.index.to_numpy()[bad]
        if len(bad):
            msg = bilingual(
                f"第 {row_numbers(bad)} 行的坐标（{x}、{y}）不是数字。",
                f"Rows {row_numbers(bad)} have coordinates ({x}, {y}) that are not numbers: fill "
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
            msg = bilingual(
                f"第 {row_numbers(bad)} 行的 {wkt} 列不是有效的 WKT 几何。",
                f"Rows {row_numbers(bad)} have no valid WKT geometry in column {wkt} (e.g. "
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
