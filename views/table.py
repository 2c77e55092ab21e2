"""A figure: one table a page shows, in both languages, as plain values a snapshot can keep.

The page models build figures (:mod:`views.figures`); the pages draw them and a
snapshot stores them, so a permalink shows the numbers the page showed when it
was saved, even when the data have changed since.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import SnapshotError

__all__ = ["ROWS_MAX", "Figure"]

ROWS_MAX = 2000


def _cell(value: Any) -> Any:
    """Return a table value as JSON (numbers stay numbers; NaN becomes None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return int(value) if isinstance(value, int) else number
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return str(value)


@dataclass(frozen=True)
class Figure:
    """One table the page showed, in both languages (headers per language, rows too).

    ``rows`` are the Chinese table's; ``rows_en`` the English table's where any of
    its text differs (a zone's name, a verdict), else empty: the same values.
    """

    key: str
    title_zh: str
    title_en: str
    columns_zh: tuple[str, ...]
    columns_en: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    rows_en: tuple[tuple[Any, ...], ...] = ()

    def __post_init__(self) -> None:
        """Check that both headers fit the rows."""
        width = len(self.columns_zh)
        shapes_differ = bool(self.rows_en) and len(self.rows_en) != len(self.rows)
        if (
            len(self.columns_en) != width
            or any(len(r) != width for r in (*self.rows, *self.rows_en))
            or shapes_differ
        ):
            msg = (
                f"图表 {self.key} 的列与行不一致。 / The figure {self.key}'s headers and rows "
                "do not match."
            )
            raise SnapshotError(msg)

    @classmethod
    def from_frames(cls, key: str, titles: tuple[str, str], zh: Any, en: Any) -> Figure:
        """Build a figure from the same table built in Chinese (``zh``) and English (``en``)."""
        if zh.shape != en.shape:
            msg = f"图表 {key} 的中英文表不一致。 / The figure {key}'s two languages differ."
            raise SnapshotError(msg)
        rows = tuple(tuple(_cell(v) for v in row) for row in zh.itertuples(index=False))
        rows_en = tuple(tuple(_cell(v) for v in row) for row in en.itertuples(index=False))
        return cls(
            key=key,
            title_zh=titles[0],
            title_en=titles[1],
            columns_zh=tuple(str(c) for c in zh.columns),
            columns_en=tuple(str(c) for c in en.columns),
            rows=rows[:ROWS_MAX],
            rows_en=() if rows_en == rows else rows_en[:ROWS_MAX],
        )

    def title(self, lang: str) -> str:
        """Return the figure's title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en

    def columns(self, lang: str) -> tuple[str, ...]:
        """Return the headers in ``lang``."""
        return self.columns_zh if lang == "zh" else self.columns_en

    def rows_in(self, lang: str) -> tuple[tuple[Any, ...], ...]:
        """Return the rows in ``lang`` (a figure saved before English rows: the Chinese)."""
        return self.rows_en if lang == "en" and self.rows_en else self.rows

    def as_dict(self) -> dict[str, Any]:
        """Return the figure as JSON-ready values (``rows_en`` only where they differ)."""
        out: dict[str, Any] = {
            "key": self.key,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "columns": {"zh": list(self.columns_zh), "en": list(self.columns_en)},
            "rows": [list(r) for r in self.rows],
        }
        if self.rows_en:
            out["rows_en"] = [list(r) for r in self.rows_en]
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Figure:
        """Rebuild a figure from :meth:`as_dict`'s output."""
        return cls(
            key=str(raw["key"]),
            title_zh=str(raw["title"]["zh"]),
            title_en=str(raw["title"]["en"]),
            columns_zh=tuple(str(c) for c in raw["columns"]["zh"]),
            columns_en=tuple(str(c) for c in raw["columns"]["en"]),
            rows=tuple(tuple(_cell(v) for v in r) for r in raw["rows"]),
            rows_en=tuple(tuple(_cell(v) for v in r) for r in raw.get("rows_en") or ()),
        )
