"""Bilingual message pieces and text encodings shared by the readers of :mod:`geo.files`."""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import shapely

from geo.errors import UploadError

__all__ = [
    "BOM",
    "READ_ERRORS",
    "bilingual",
    "codec",
    "decode_text",
    "names_text",
    "number_text",
    "one_line",
    "scrubbed",
    "size_text",
]


def bilingual(zh: str, en: str) -> str:
    """Return a bilingual message: ``中文。 / English.``."""
    return f"{zh} / {en}"


def one_line(name: str, limit: int = 80) -> str:
    """Return a name for a message: one line, cut to ``limit`` characters."""
    flat = " ".join(str(name).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def size_text(n: float) -> str:
    """Return a byte count for a message (``1.2 MB``, ``3.4 kB``)."""
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def names_text(items: Iterable[str], limit: int = 10) -> str:
    """Return names for a message, quoted, the first ``limit`` of them."""
    items = list(items)
    shown = ", ".join(f"'{one_line(i, 60)}'" for i in items[:limit])
    return shown + (f" … (+{len(items) - limit})" if len(items) > limit else "")


def number_text(v: float) -> str:
    """Return a coordinate for a message (4 decimals below 1000, else grouped digits)."""
    if abs(v) < 1000:
        return f"{v:.4f}"
    return f"{v:,.0f}" if abs(v) < 1e12 else f"{v:.3g}"


def codec(name: str) -> str:
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


def scrubbed(exc: object, tmp: Path | None) -> str:
    """Return a reader's message without GDAL's in-memory or temporary paths."""
    text = str(exc)
    if tmp is not None:
        for root in {str(tmp), str(tmp.resolve())}:
            text = text.replace(root + "/", "").replace(root, "")
    text = re.sub(r"/vsi[a-z]+/\S*", "", text)
    text = " ".join(text.split()).strip(" :;'\"")
    return one_line(text or type(exc).__name__, 160)


# Raised by GDAL (pyogrio.errors.* are RuntimeErrors), by decoding and by Python's
# own parsers on damaged input. UnboundLocalError: pyogrio 0.13's get_crs on a CRS
# definition that is not UTF-8.
READ_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError,
    UnboundLocalError,
    ValueError,
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    shapely.errors.GEOSException,
)


BOM = b"\xef\xbb\xbf"


def decode_text(content: bytes, override: str | None, shown: str) -> tuple[str, str]:
    """Decode a text file: the override, else UTF-8 (BOM or not), else GB18030."""
    body = content.removeprefix(BOM)
    tried = [codec(override)] if override else ["utf-8", "gb18030"]
    for encoding in tried:
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    msg = bilingual(
        f"「{shown}」的文字不是 {'、'.join(tried)} 编码。",
        f"The text of '{shown}' is not valid {' or '.join(tried)}: save it as UTF-8, or give "
        "the right encoding (e.g. encoding='big5').",
    )
    raise UploadError(msg)
