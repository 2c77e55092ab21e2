"""Zipped Shapefiles: the parts of one layer unpacked, its .prj parsed, its encoding found.

The attribute encoding comes from the ``.cpg``; without one the DBF's text is
tried as UTF-8 (strict), else GB18030 (a superset of GBK);
``ReadOptions.encoding`` overrides both.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import numpy as np
import pyproj

from geo.errors import UploadError
from geo.files.archives import Budget, ZipEntry, extract
from geo.files.source import Source, choose_layer
from geo.files.text import bilingual, codec, one_line

if TYPE_CHECKING:
    from geo.files.reading import ReadOptions

__all__ = ["open_shapefile", "parse_prj"]


def open_shapefile(
    zf: zipfile.ZipFile,
    entries: list[ZipEntry],
    shown: str,
    options: ReadOptions,
    tmp: Path,
    *,
    budget: Budget,
    lenient: bool,
) -> Source:
    """Unpack the chosen Shapefile's parts into ``tmp``; parse its .prj; find its encoding."""
    shps = [e for e in entries if e.suffix == ".shp"]
    stems = [PurePosixPath(e.path).stem for e in shps]
    if len(set(stems)) < len(stems):  # the same name in two folders: name them by path
        stems = [e.path[: -len(".shp")] for e in shps]
    layer = choose_layer(stems, options.layer, shown, lenient=lenient)
    shp = shps[stems.index(layer)]
    base = shp.path[: -len(".shp")].casefold()
    parts = {e.suffix: e for e in entries if e.path[: -len(e.suffix) or None].casefold() == base}
    missing = [s for s in (".shx", ".dbf") if s not in parts]
    if missing:
        present = sorted(parts)
        msg = bilingual(
            f"Shapefile「{one_line(layer)}」缺少 {'、'.join(missing)} 文件（压缩包中有 "
            f"{'、'.join(present)}）；请把同名的 .shp、.shx、.dbf、.prj 一起压缩。",
            f"The Shapefile '{one_line(layer)}' in '{shown}' has no {' and no '.join(missing)} "
            f"file (the zip holds {', '.join(present)} for it): zip the .shp, .shx, .dbf and "
            ".prj of the same name together.",
        )
        raise UploadError(msg)
    for suffix in (".shp", ".shx", ".dbf", ".cpg"):
        if suffix in parts:
            extract(zf, parts[suffix], tmp / f"upload{suffix}", budget, shown)
    src = Source(
        "shapefile_zip", tuple(stems), layer, path=tmp / "upload.shp", has_prj=".prj" in parts
    )
    if ".prj" in parts:
        # Parsed with pyproj, not GDAL: pyogrio fails on a .prj that is not UTF-8.
        extract(zf, parts[".prj"], tmp / "prj.txt", budget, shown)
        src.prj_crs = parse_prj((tmp / "prj.txt").read_bytes())
    src.encoding, src.encoding_from_cpg = _shapefile_encoding(tmp, options, layer, src.notes)
    src.gdal_encoding = src.encoding
    return src


def parse_prj(raw: bytes) -> pyproj.CRS | None:
    """Return the CRS of a .prj (ESRI or OGC WKT), or ``None`` if it is not one."""
    text = raw.decode("utf-8", "replace").strip()
    if not text or len(text) > 65_536:
        return None
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return None


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
        encoding = codec(options.encoding)
        if not _fits(encoding):
            msg = bilingual(
                f"Shapefile「{one_line(layer)}」的属性不是 {encoding} 编码。",
                f"The attributes of the Shapefile '{one_line(layer)}' are not valid {encoding}: "
                "try 'gb18030' or 'utf-8', or leave the encoding unset to detect it.",
            )
            raise UploadError(msg)
        return encoding, False
    cpg = tmp / "upload.cpg"
    if cpg.exists():
        declared = cpg.read_bytes().decode("ascii", "replace").strip()
        try:
            encoding = codec(declared)
        except UploadError:
            notes.append(
                f".cpg 中的编码 '{one_line(declared, 30)}' 无法识别，改为自动检测。 / The .cpg "
                f"names an unknown encoding '{one_line(declared, 30)}'; the encoding was detected "
                "instead."
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
    msg = bilingual(
        f"Shapefile「{one_line(layer)}」的属性既不是 UTF-8 也不是 GBK/GB18030 编码。",
        f"The attributes of the Shapefile '{one_line(layer)}' are neither UTF-8 nor GBK/GB18030: "
        "give the encoding (e.g. encoding='big5'), or add a .cpg file naming it.",
    )
    raise UploadError(msg)
