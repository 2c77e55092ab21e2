"""Which data set a page shows: bundled or OSM, with the server's and the session's layers.

A session (a browser tab, a snapshot being exported, a command line) names its
data by a :class:`DataChoice`: the base (bundled or OpenStreetMap) and its own
layers by content hash. :func:`dataset_for` composes the data set from that
choice and the server's settings (:mod:`geo.settings`): bundled layers and
settings, the cache's layers when chosen, the server's layers, the session's.

Only composing looks at files: a rewritten OpenStreetMap cache or ``server.json``
is noticed by its size and time, and the layers' hashes then say whether
anything changed (bundled files are hashed by content, memoised).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from geo import settings
from geo.errors import PlanningMapError
from geo.osm.cache import cache_is_current, upgrade_cache
from geo.paths import ACCESS_RULES_PATH, CLUSTERS_PATH, UNIT_TABLE_PATH, data_dir
from geo.store.active import bundled_sources, osm_sources, upload_sources
from geo.store.dataset import FILE_KINDS, DataSet, compose_dataset
from geo.store.local import server_layers
from views.memo import memo

__all__ = [
    "BUNDLED",
    "OSM",
    "DataChoice",
    "dataset_for",
    "osm_cache_needs_upgrade",
    "upgrade_osm_cache",
]

BUNDLED: Literal["bundled"] = "bundled"
OSM: Literal["osm"] = "osm"
Base = Literal["bundled", "osm"]


@dataclass(frozen=True)
class DataChoice:
    """A session's data: the base set and its own layers (kind -> stored hash, "" : below).

    >>> DataChoice.of("osm", {"parks": "ab" * 32}).layers
    (('parks', 'abababababababababababababababababababababababababababababababab'),)
    """

    base: Base = BUNDLED
    layers: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        """Check the base and the kinds."""
        if self.base not in {BUNDLED, OSM}:
            msg = (
                f"数据集只能是 bundled 或 osm，收到 {self.base!r}。 / "
                f"The data set is bundled or osm, not {self.base!r}."
            )
            raise PlanningMapError(msg)
        bad = [kind for kind, _ in self.layers if kind not in FILE_KINDS]
        if bad:
            msg = f"未知的图层类型：{bad}。 / Unknown layer kinds: {bad}."
            raise PlanningMapError(msg)

    @classmethod
    def of(cls, base: str, layers: Mapping[str, str] | None = None) -> DataChoice:
        """Return the choice of ``base`` with the session's ``layers`` (any order)."""
        return cls(base, tuple(sorted((layers or {}).items())))  # type: ignore[arg-type]

    @property
    def layer_map(self) -> dict[str, str]:
        """The session's layers as a dict."""
        return dict(self.layers)


def _stat(path: Path) -> tuple[int, int]:
    """Return a file's size and modification time: only to notice that it was rewritten."""
    if not path.is_file():
        return -1, -1
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@memo(max_entries=8, copy=False)
def _is_current(path: str, stat: tuple[int, int]) -> bool:
    del stat  # a rewritten cache is checked again
    return cache_is_current(Path(path))


def osm_cache_needs_upgrade() -> bool:
    """Whether the server's OpenStreetMap cache exists but was written by an earlier version."""
    path = settings.osm_cache_path()
    return path.is_file() and not _is_current(str(path), _stat(path))


def upgrade_osm_cache() -> None:
    """Bring the server's OpenStreetMap cache up to this version's schema (once)."""
    path = settings.osm_cache_path()
    if osm_cache_needs_upgrade():
        upgrade_cache(path)


@memo(max_entries=16)
def _server_layers(root: str, stat: tuple[int, int]) -> tuple[tuple[str, str], ...]:
    del root, stat  # server.json rewritten: read again
    return tuple(sorted(server_layers().items()))


@memo(max_entries=32, copy=False)
def _dataset(
    root: str,
    *,
    files: tuple[str, str],
    settings_stat: tuple[tuple[int, int], ...],
    osm: tuple[str, tuple[int, int]],
    server: tuple[tuple[str, str], ...],
    session: tuple[tuple[str, str], ...],
) -> DataSet:
    del root, settings_stat  # the layer store in use; rewritten settings are hashed again
    units_file, standards_file = files
    osm_path = osm[0]
    found = osm_sources(Path(osm_path)) if osm_path else {}
    # The session's own choices: an upload of its own, or "" to go below the server's.
    back = {kind for kind, content in session if not content}
    shared = upload_sources(dict(server), scope="server")
    own = upload_sources({k: c for k, c in session if c}, scope="session")
    kept = {k: v for k, v in shared.items() if k not in back}
    bundled = bundled_sources(Path(units_file), standards_file=Path(standards_file))
    return compose_dataset(bundled, found, kept, own)


# Bundled settings a planner may edit while the server runs (checked at each composition).
_SETTINGS_FILES = (UNIT_TABLE_PATH, CLUSTERS_PATH, ACCESS_RULES_PATH)


def dataset_for(choice: DataChoice) -> DataSet:
    """Return the data set of ``choice`` on this server (upgrading an old OSM cache first).

    The OpenStreetMap layers are used when the choice's base is ``osm`` and the
    cache exists; without it the bundled layers show.
    """
    cache = settings.osm_cache_path()
    osm: tuple[str, tuple[int, int]] = ("", (-1, -1))
    if choice.base == OSM and cache.is_file():
        upgrade_osm_cache()
        osm = (str(cache), _stat(cache))
    units, standards = settings.units_path(), settings.park_standards_path()
    root = data_dir()
    return _dataset(
        str(root),
        files=(str(units), str(standards)),
        settings_stat=tuple(_stat(p) for p in (units, standards, *_SETTINGS_FILES)),
        osm=osm,
        server=_server_layers(str(root), _stat(root / "server.json")),
        session=choice.layers,
    )
