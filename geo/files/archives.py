"""Zip archives (zipped Shapefile, KMZ, XLSX) checked before anything is unpacked.

Entries with absolute paths or ``..`` (zip slip), links, encryption and
duplicates are refused, and so is a declared uncompressed total over
:data:`MAX_UNPACKED_BYTES` or over :data:`MAX_COMPRESSION_RATIO` times the
upload (above 10 MiB). Members are then copied in 1 MiB chunks while the bytes
actually produced are counted, so a header that lies is caught too.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import UploadError
from geo.files.text import bilingual, one_line, scrubbed, size_text

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_UNPACKED_BYTES",
    "Budget",
    "ZipEntry",
    "extract",
    "open_zip",
    "zip_entries",
]


MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


MAX_COMPRESSION_RATIO = 100


# Below this many unpacked bytes a high ratio is harmless (a small DBF of blanks
# compresses ~1000x); above it, a ratio over MAX_COMPRESSION_RATIO is a bomb.
_RATIO_FLOOR_BYTES = 10 * 1024 * 1024


_MAX_ZIP_ENTRIES = 10_000


_CHUNK_BYTES = 1024 * 1024


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
class ZipEntry:
    """One file in a zip: its header and its decoded, "/"-separated path."""

    info: zipfile.ZipInfo
    path: str  # decoded, "/"-separated

    @property
    def suffix(self) -> str:
        """The extension, lower case (``.shp``)."""
        return PurePosixPath(self.path).suffix.casefold()

    @property
    def ignorable(self) -> bool:
        """Whether macOS added it (``__MACOSX/``, ``._name``)."""
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


def zip_entries(zf: zipfile.ZipFile, shown: str, compressed: int, limit: int) -> list[ZipEntry]:
    """Return the file entries of a zip after the safety checks (nothing is extracted)."""
    infos = zf.infolist()
    if len(infos) > _MAX_ZIP_ENTRIES:
        msg = bilingual(
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
            msg = bilingual(
                f"「{shown}」中的条目 '{one_line(name)}' 指向压缩包之外（绝对路径或 ..），已拒绝。",
                f"'{shown}' has an entry '{one_line(name)}' that points outside the archive "
                "(an absolute path or '..'), so it was refused: zip the files again from "
                "their folder.",
            )
            raise UploadError(msg)
        if stat.S_ISLNK(info.external_attr >> 16):
            msg = bilingual(
                f"「{shown}」含符号链接 '{one_line(name)}'，已拒绝。",
                f"'{shown}' holds a symbolic link '{one_line(name)}', which is refused: zip the "
                "files themselves.",
            )
            raise UploadError(msg)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            msg = bilingual(
                f"「{shown}」有密码保护（'{one_line(name)}'）。",
                f"'{shown}' is password-protected ('{one_line(name)}'): zip it without a password.",
            )
            raise UploadError(msg)
        key = name.casefold()
        if key in seen:
            msg = bilingual(
                f"「{shown}」中 '{one_line(name)}' 出现了两次。",
                f"'{shown}' holds '{one_line(name)}' twice: zip one copy only.",
            )
            raise UploadError(msg)
        seen.add(key)
        entries.append(ZipEntry(info, name))
    total = sum(e.info.file_size for e in entries)
    ratio_bomb = total > _RATIO_FLOOR_BYTES and total > MAX_COMPRESSION_RATIO * compressed
    if total > limit or ratio_bomb:
        msg = bilingual(
            f"「{shown}」解压后达 {size_text(total)}（压缩包 {size_text(compressed)}），超过上限"
            f"（{size_text(limit)}，或 {MAX_COMPRESSION_RATIO} 倍压缩比），疑似压缩炸弹，已拒绝。",
            f"'{shown}' would unpack to {size_text(total)} from {size_text(compressed)} "
            f"(the limits are {size_text(limit)} and {MAX_COMPRESSION_RATIO}x), so it was "
            "refused as a possible zip bomb: upload only the layer's files.",
        )
        raise UploadError(msg)
    return entries


@dataclass
class Budget:
    """The bytes a zip may still unpack to (shared by all its members)."""

    left: int


def extract(zf: zipfile.ZipFile, entry: ZipEntry, dest: Path, budget: Budget, shown: str) -> None:
    """Copy one member to ``dest`` in bounded chunks, counting what it really unpacks to."""
    written = 0
    try:
        with zf.open(entry.info) as src, dest.open("wb") as out:
            while chunk := src.read(_CHUNK_BYTES):
                written += len(chunk)
                budget.left -= len(chunk)
                if written > entry.info.file_size or budget.left < 0:
                    msg = bilingual(
                        f"「{shown}」中 '{one_line(entry.path)}' 解压后超过其声明的大小"
                        f"（{size_text(entry.info.file_size)}）或总上限，已拒绝。",
                        f"'{one_line(entry.path)}' in '{shown}' unpacks to more than it declares "
                        f"({size_text(entry.info.file_size)}) or than the limit, so the zip was "
                        "refused as a possible zip bomb.",
                    )
                    raise UploadError(msg)
                out.write(chunk)
    except _ZIP_ERRORS as exc:
        msg = bilingual(
            f"「{shown}」已损坏，无法解压 '{one_line(entry.path)}'。",
            f"'{shown}' is damaged: '{one_line(entry.path)}' cannot be unpacked "
            f"({scrubbed(exc, dest.parent)}). Zip the files again.",
        )
        raise UploadError(msg) from exc
    except RuntimeError as exc:  # zipfile: "File is encrypted" and similar
        msg = bilingual(
            f"「{shown}」中 '{one_line(entry.path)}' 无法解压。",
            f"'{one_line(entry.path)}' in '{shown}' cannot be unpacked "
            f"({scrubbed(exc, dest.parent)}).",
        )
        raise UploadError(msg) from exc


def open_zip(content: bytes, shown: str) -> zipfile.ZipFile:
    """Open a zip held in memory, or say that it is not a complete one."""
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_OPEN_ERRORS as exc:
        msg = bilingual(
            f"「{shown}」不是完整的 zip 文件。",
            f"'{shown}' is not a complete zip file ({scrubbed(exc, None)}): zip it again.",
        )
        raise UploadError(msg) from exc
