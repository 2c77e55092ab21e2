"""A snapshot: one view of a page, its figures and what they were computed from, as data.

A snapshot is immutable: saving again makes a new one. Its payload is plain JSON
(``Snapshot.payload``) with a ``schema_version``; a payload from an older schema
is migrated when it is read (:func:`snapshot_from_payload`), one from a newer one
is refused with a message.

The figures are stored as tables (``Figure``), in both languages, exactly as the
page showed them, so a snapshot opened months later shows the saved numbers even
when the data have changed since.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from geo.errors import SnapshotError, SnapshotNotFoundError
from views.choices import PAGES, Page
from views.table import Figure

__all__ = [
    "AUTHOR_MAX",
    "NOTE_MAX",
    "SCHEMA_VERSION",
    "TITLE_MAX",
    "MapView",
    "Snapshot",
    "check_id",
    "clean_text",
    "new_id",
    "snapshot_from_payload",
    "unguessable",
]

SCHEMA_VERSION = 3
TITLE_MAX = 120
NOTE_MAX = 2000
AUTHOR_MAX = 60
FIGURES_MAX = 20
_ID_BYTES = 16  # secrets.token_urlsafe(16): 22 characters, 128 random bits
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")


def unguessable(nbytes: int) -> str:
    """Return ``secrets.token_urlsafe(nbytes)``, drawn again while it starts with "-".

    A leading "-" reads as an option on a command line (``python -m share export
    -abc…`` fails, and so does ``--token -abc…``); one draw in 64 starts so. Only the
    first character loses that one value out of 64.
    """
    while (token := secrets.token_urlsafe(nbytes)).startswith("-"):
        pass
    return token


def new_id() -> str:
    """Return a new unguessable snapshot id (22 URL-safe characters, 128 random bits)."""
    return unguessable(_ID_BYTES)


def check_id(snapshot_id: object) -> str:
    """Return ``snapshot_id`` if it is shaped like a snapshot id, else raise "not found"."""
    if not isinstance(snapshot_id, str) or not _ID.match(snapshot_id):
        msg = "未找到该快照。 / No such snapshot."
        raise SnapshotNotFoundError(msg)
    return snapshot_id


def clean_text(value: object, *, limit: int, what_zh: str, what_en: str, required: bool) -> str:
    """Return ``value`` as one trimmed text of at most ``limit`` characters.

    Control characters (other than line breaks and tabs) are removed; the text is
    kept as typed otherwise (it is escaped wherever it is shown, never here).
    """
    text = "" if value is None else str(value)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    ).strip()
    if required and not text:
        msg = f"请填写{what_zh}。 / Please give a {what_en}."
        raise SnapshotError(msg)
    if len(text) > limit:
        msg = (
            f"{what_zh}最多 {limit} 个字符（现为 {len(text)}）。 / "
            f"The {what_en} may have at most {limit} characters ({len(text)} given)."
        )
        raise SnapshotError(msg)
    return text


@dataclass(frozen=True)
class MapView:
    """Where the map looked: basemap; centre, zoom and bounds when the browser reported them.

    ``bounds`` is what the planner saw, (min lon, min lat, max lon, max lat) in
    WGS84: a smaller screen (a phone) or a printed sheet shows that area whole
    rather than the centre at a zoom where it would not fit.
    """

    basemap: str = "osm"
    center: tuple[float, float] | None = None  # (lat, lon), WGS84
    zoom: float | None = None
    bounds: tuple[float, float, float, float] | None = None  # (min lon, min lat, max lon, max lat)

    def __post_init__(self) -> None:
        """Check the centre and bounds lie on the globe and the zoom is a map zoom."""
        if self.center is not None:
            lat, lon = self.center
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                msg = "地图中心不在地球上。 / The map centre is not on the globe."
                raise SnapshotError(msg)
        if self.zoom is not None and not 0 <= self.zoom <= 22:
            msg = "地图缩放级别无效。 / The map zoom is not valid."
            raise SnapshotError(msg)
        if self.bounds is not None:
            min_lon, min_lat, max_lon, max_lat = self.bounds
            if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
                msg = "地图范围无效。 / The map bounds are not valid."
                raise SnapshotError(msg)

    @property
    def restore(self) -> tuple[tuple[float, float], float] | None:
        """The centre and zoom to reopen at, when the browser reported the whole view."""
        if self.center is None or self.zoom is None or self.bounds is None:
            return None
        return self.center, self.zoom

    @property
    def reported(self) -> bool:
        """Whether the browser reported where the map looked (centre, zoom and bounds)."""
        return self.restore is not None

    def as_dict(self) -> dict[str, Any]:
        """Return the view as JSON-ready values."""
        return {
            "basemap": self.basemap,
            "center": list(self.center) if self.center is not None else None,
            "zoom": self.zoom,
            "bounds": list(self.bounds) if self.bounds is not None else None,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> MapView:
        """Rebuild a view from :meth:`as_dict`'s output."""
        center = raw.get("center")
        zoom = raw.get("zoom")
        bounds = raw.get("bounds")
        return cls(
            basemap=str(raw.get("basemap") or "osm"),
            center=(float(center[0]), float(center[1])) if center else None,
            zoom=float(zoom) if zoom is not None else None,
            bounds=(
                (float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3]))
                if bounds
                else None
            ),
        )

    @classmethod
    def from_browser(cls, basemap: str, value: Mapping[str, Any]) -> MapView:
        """Return the view streamlit-folium reported (``center``, ``zoom``, ``bounds``).

        Values that are missing or off the globe (a map not drawn yet) give a view
        without position.
        """
        try:
            center = value["center"]
            sw, ne = value["bounds"]["_southWest"], value["bounds"]["_northEast"]
            return cls(
                basemap=basemap,
                center=(float(center["lat"]), float(center["lng"])),
                zoom=float(value["zoom"]),
                bounds=(float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])),
            )
        except (KeyError, TypeError, ValueError, SnapshotError):
            return cls(basemap=basemap)


@dataclass(frozen=True)
class Snapshot:
    """The full state of a view, its figures and their provenance (immutable)."""

    snapshot_id: str
    page: Page
    choices: Mapping[str, Any]
    title: str
    note: str = ""
    author: str = ""
    lang: str = "zh"
    view: MapView = field(default_factory=MapView)
    dataset: str = "bundled"  # "bundled" or "osm": the base the layers sit on
    session_layers: Mapping[str, str] = field(default_factory=dict)  # kind -> upload hash
    layer_hashes: Mapping[str, str] = field(default_factory=dict)  # kind -> content hash
    dataset_version: str = ""
    app_version: str = ""
    created_at: str = ""  # ISO 8601, UTC
    figures: tuple[Figure, ...] = ()
    # Kinds whose hash the snapshot's version did not record (settings before schema 3).
    unrecorded: tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        """Check every field against its limits (the texts are trimmed, never escaped)."""
        check_id(self.snapshot_id)
        if self.page not in PAGES:
            msg = f"未知页面 {self.page!r}。 / Unknown page {self.page!r}."
            raise SnapshotError(msg)
        object.__setattr__(
            self, "title", clean_text(self.title, limit=TITLE_MAX, what_zh="标题",
                                      what_en="title", required=True)
        )  # fmt: skip
        object.__setattr__(
            self, "note", clean_text(self.note, limit=NOTE_MAX, what_zh="说明",
                                     what_en="note", required=False)
        )  # fmt: skip
        object.__setattr__(
            self, "author", clean_text(self.author, limit=AUTHOR_MAX, what_zh="作者",
                                       what_en="author name", required=False)
        )  # fmt: skip
        if len(self.figures) > FIGURES_MAX:
            msg = f"图表过多（最多 {FIGURES_MAX}）。 / Too many figures (at most {FIGURES_MAX})."
            raise SnapshotError(msg)
        for kind, content in {**self.session_layers, **self.layer_hashes}.items():
            if not isinstance(kind, str) or not isinstance(content, str):
                msg = "图层引用无效。 / A layer reference is not valid."
                raise SnapshotError(msg)
        for content in self.session_layers.values():
            if content and not _HASH.match(content):
                msg = "上传图层的引用无效。 / An uploaded layer's reference is not valid."
                raise SnapshotError(msg)

    @property
    def uploads(self) -> dict[str, str]:
        """The planner's uploaded layers this snapshot needs (kind -> content hash)."""
        return {k: v for k, v in self.session_layers.items() if v}

    def figure(self, key: str) -> Figure | None:
        """Return the figure called ``key``, if the snapshot has it."""
        return next((f for f in self.figures if f.key == key), None)

    @property
    def payload(self) -> dict[str, Any]:
        """Return the snapshot as JSON-ready values (what the store keeps)."""
        return {
            "schema_version": self.schema_version,
            "id": self.snapshot_id,
            "page": self.page,
            "choices": dict(self.choices),
            "title": self.title,
            "note": self.note,
            "author": self.author,
            "lang": self.lang,
            "view": self.view.as_dict(),
            "dataset": self.dataset,
            "session_layers": dict(self.session_layers),
            "layer_hashes": dict(self.layer_hashes),
            "dataset_version": self.dataset_version,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "figures": [f.as_dict() for f in self.figures],
            "unrecorded": list(self.unrecorded),
        }

    def changed_layers(self, current: Mapping[str, str]) -> tuple[str, ...]:
        """Return the layer kinds whose content differs from ``current`` (kind -> hash).

        A layer present on one side only counts as changed; a kind the snapshot's
        version did not record (:attr:`unrecorded`) cannot be compared and is left out.
        """
        kinds = sorted((set(self.layer_hashes) | set(current)) - set(self.unrecorded))
        return tuple(k for k in kinds if self.layer_hashes.get(k) != current.get(k))


def now_iso() -> str:
    """Return the current time, UTC, to the second (ISO 8601)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2: a view's centre, zoom and bounds are where the browser said the map looked.

    Version 1 stored the server's estimate of the page's fitted view (a centre and
    zoom for a desktop window), not what the planner saw; it is dropped, and the
    map fits the snapshot's saved selection as it did then. A version-1 view that
    already carries the browser's bounds (saved by the first builds that reported
    them) is kept whole.
    """
    view = dict(data.get("view") or {})
    if not view.get("bounds"):
        view = {"basemap": view.get("basemap") or "osm", "center": None, "zoom": None}
    view.setdefault("bounds", None)
    return {**data, "view": view, "schema_version": 2}


# The settings a version-2 snapshot did not record (they became layers of the data set).
_SETTINGS_SINCE_V3 = ("access_rules", "clusters", "park_standards", "unit_table")


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3: the settings (standards, unit table, clusters, access rules) are recorded.

    A version-2 snapshot has no hash of them: what it used cannot be known, so they
    are marked unrecorded and left out of "what changed since".
    """
    kept = [k for k in _SETTINGS_SINCE_V3 if k not in (data.get("layer_hashes") or {})]
    return {**data, "unrecorded": kept, "schema_version": 3}


# Each entry upgrades a payload of schema version v to v + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def snapshot_from_payload(raw: Mapping[str, Any]) -> Snapshot:
    """Rebuild a snapshot from its stored payload, migrating an older schema on the way.

    Raises
    ------
    SnapshotError
        If the payload was saved by a newer version of the app, or is damaged.
    """
    data = dict(raw)
    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        msg = "快照数据已损坏（无版本号）。 / The snapshot is damaged (no schema version)."
        raise SnapshotError(msg)
    if version > SCHEMA_VERSION:
        msg = (
            f"此快照由更新版本的应用保存（格式 {version}，本应用支持到 {SCHEMA_VERSION}），"
            "请升级后再打开。 / This snapshot was saved by a newer version of the app "
            f"(schema {version}; this one reads up to {SCHEMA_VERSION}). Please upgrade to open it."
        )
        raise SnapshotError(msg)
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = int(data["schema_version"])
    try:
        return Snapshot(
            snapshot_id=str(data["id"]),
            page=cast("Page", data["page"]),
            choices=dict(data.get("choices") or {}),
            title=str(data["title"]),
            note=str(data.get("note") or ""),
            author=str(data.get("author") or ""),
            lang=str(data.get("lang") or "zh"),
            view=MapView.from_dict(data.get("view") or {}),
            dataset=str(data.get("dataset") or "bundled"),
            session_layers=dict(data.get("session_layers") or {}),
            layer_hashes=dict(data.get("layer_hashes") or {}),
            dataset_version=str(data.get("dataset_version") or ""),
            app_version=str(data.get("app_version") or ""),
            created_at=str(data.get("created_at") or ""),
            figures=tuple(Figure.from_dict(f) for f in data.get("figures") or ()),
            unrecorded=tuple(str(k) for k in data.get("unrecorded") or ()),
            schema_version=version,
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        msg = f"快照数据已损坏：{exc}。 / The snapshot is damaged: {exc}."
        raise SnapshotError(msg) from exc


def figure_rows(figures: Sequence[Figure], lang: str) -> list[dict[str, Any]]:
    """Return every figure's rows as records ``{figure, <headers in lang>…}`` (for CSV)."""
    out: list[dict[str, Any]] = []
    for fig in figures:
        cols = fig.columns(lang)
        out.extend(
            {"figure": fig.title(lang), **dict(zip(cols, r, strict=True))}
            for r in fig.rows_in(lang)
        )
    return out
