"""The data set: named layers in the shared schemas, each with where it came from.

The active data set is the bundled one, overlaid layer by layer by the OpenStreetMap
cache, overlaid by the planner's layers (the server's, then the session's own). Each
layer records its origin, a label (file name, cache and extract date, register), its
feature count and a content hash; the data set's version is the SHA-256 of its layers'
kinds and hashes, so anything computed from it (a figure, a snapshot) names exactly
the data it used.

Hashes are cheap to recompute: a bundled file's is memoised on its path, size and
modification time; an OpenStreetMap layer's is derived from the cache's random id
(a new import is a new id); a stored upload's is its store key.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from geo.errors import UnknownLayerError

__all__ = [
    "FILE_KINDS",
    "LAYER_KINDS",
    "OSM_LAYERS_OF",
    "DataSet",
    "LayerKind",
    "LayerSource",
    "Origin",
    "bundled_source",
    "compose_dataset",
    "file_sha256",
    "layer_kind",
    "osm_source",
]

Origin = Literal["bundled", "osm", "upload"]
Scope = Literal["", "server", "session"]


@dataclass(frozen=True)
class LayerKind:
    """A layer of the shared schema: its id, names, geometry family and required columns."""

    kind: str
    name_zh: str
    name_en: str
    geometry: Literal["point", "line", "polygon", "network", "any", "settings"]
    columns: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """Return the layer's name in ``lang`` ("zh" or "en")."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def is_setting(self) -> bool:
        """Whether this is a settings file (standards, unit table…), not a map layer."""
        return self.geometry == "settings"

    @property
    def mixes_points_and_polygons(self) -> bool:
        """Whether a file of this kind may hold points and polygons together (population)."""
        return self.geometry == "any"


LAYER_KINDS: dict[str, LayerKind] = {
    k.kind: k
    for k in (
        LayerKind("outline", "市界", "County outline", "polygon"),
        LayerKind("units", "规划单元", "Planning units", "polygon", ("unit_id",)),
        LayerKind("stations", "轨道站点", "Rail stations", "point", ("station_id", "name")),
        LayerKind("rail_lines", "轨道线路", "Rail lines", "line", ("line_id", "name")),
        LayerKind("roads", "道路", "Roads", "line", ("road_id", "name")),
        LayerKind("water_lines", "河道", "Waterways", "line", ("water_id",)),
        LayerKind("water_areas", "水面", "Water areas", "polygon", ("water_id",)),
        LayerKind("parks", "公园", "Parks", "polygon", ("park_id", "name", "area_m2")),
        LayerKind("park_entrances", "公园入口", "Park entrances", "point", ("park_id",)),
        LayerKind("walk_network", "步行路网", "Walk network", "network"),
        LayerKind("residential", "居住用地", "Residential land", "polygon", ("parcel_id",)),
        LayerKind("population", "人口", "Population", "any", ("population",)),
        LayerKind("plan_lines", "规划线网", "Plan lines", "line", ("name",)),
        # A scenario: planned parks on top of the data set (drawn, loaded, or suggested).
        LayerKind(
            "planned_parks", "规划公园（方案）", "Planned parks (scenario)", "polygon", ("name",)
        ),
        # Where new parks may go (vacant or green land of the 控规): limits suggested sites.
        LayerKind("candidate_land", "候选用地", "Candidate land for new parks", "polygon"),
        # Settings the figures depend on: part of the version like every layer, so a
        # cache keys on the version alone and a snapshot records which settings it used.
        LayerKind("unit_table", "规划单元表", "Planning-unit table", "settings"),
        LayerKind("clusters", "组团定义", "Cluster definitions", "settings"),
        LayerKind("park_standards", "公园标准", "Park standards", "settings"),
        LayerKind("access_rules", "公园入口规则", "Park-access rules", "settings"),
    )
}

# The kinds a planner's file can be (every kind but the settings).
FILE_KINDS: tuple[str, ...] = tuple(k for k, v in LAYER_KINDS.items() if not v.is_setting)

# The OpenStreetMap cache's layers that make up each kind.
OSM_LAYERS_OF: dict[str, tuple[str, ...]] = {
    "stations": ("rail_stations",),
    "rail_lines": ("rail_lines",),
    "roads": ("roads",),
    "water_lines": ("water_lines",),
    "water_areas": ("water_areas",),
    "parks": ("parks",),
    "park_entrances": ("park_access",),
    "walk_network": ("walk_nodes", "walk_edges"),
    "residential": ("residential",),
}


def layer_kind(kind: str) -> LayerKind:
    """Return the kind ``kind``; a bilingual error lists the kinds for an unknown one."""
    if kind not in LAYER_KINDS:
        known = ", ".join(LAYER_KINDS)
        msg = (
            f"未知的图层类型 {kind!r}（可用：{known}）。 / "
            f"Unknown layer kind {kind!r}; use {known}."
        )
        raise UnknownLayerError(msg)
    return LAYER_KINDS[kind]


@dataclass(frozen=True)
class LayerSource:
    """Where one layer of a data set comes from (see the module docstring)."""

    kind: str
    origin: Origin
    label: str
    content_hash: str
    n_features: int = 0
    scope: Scope = ""
    added_by: str = ""
    added_at: str = ""
    crs: str = ""
    encoding: str = ""
    # Where to read it from (a file, the cache, the store's folder); not part of the version.
    location: str = ""

    def __post_init__(self) -> None:
        """Check the kind."""
        layer_kind(self.kind)


@functools.lru_cache(maxsize=256)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # the cache key: a changed file is hashed again
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (memoised while its size and mtime stay)."""
    stat = Path(path).stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


def bundled_source(
    kind: str, files: tuple[Path, ...], label: str, n_features: int, location: str = ""
) -> LayerSource:
    """Return a bundled layer's source: its content hash is that of its files.

    A missing file hashes as its path (reading it then says what is wrong).
    """
    digest = hashlib.sha256()
    for path in files:
        digest.update(file_sha256(path).encode() if path.is_file() else f"missing:{path}".encode())
    return LayerSource(kind, "bundled", label, digest.hexdigest(), n_features, location=location)


def osm_source(
    kind: str, cache_tag: str, label: str, n_features: int, location: str = ""
) -> LayerSource:
    """Return an OpenStreetMap layer's source: named by the cache's identity and the kind."""
    content = hashlib.sha256(f"osm:{cache_tag}:{kind}".encode()).hexdigest()
    return LayerSource(kind, "osm", label, content, n_features, location=location)


@dataclass(frozen=True)
class DataSet:
    """Layers by kind, each from one source; the version names them all."""

    layers: tuple[LayerSource, ...]

    @property
    def version(self) -> str:
        """SHA-256 of the layers' kinds and content hashes (order does not matter)."""
        text = "\n".join(sorted(f"{s.kind}={s.content_hash}" for s in self.layers))
        return hashlib.sha256(text.encode()).hexdigest()

    def kinds(self) -> tuple[str, ...]:
        """Return the kinds present, in the schema's order."""
        have = {s.kind for s in self.layers}
        return tuple(k for k in LAYER_KINDS if k in have)

    def source(self, kind: str) -> LayerSource | None:
        """Return the source of ``kind`` (None when the data set has no such layer)."""
        layer_kind(kind)
        return next((s for s in self.layers if s.kind == kind), None)

    def subset(self, *kinds: str) -> DataSet:
        """Return the data set of ``kinds`` only: its version names just those layers.

        A computation keyed on ``subset(...)`` is reused when other layers change.
        """
        for kind in kinds:
            layer_kind(kind)
        return DataSet(tuple(s for s in self.layers if s.kind in kinds))

    def with_layer(self, source: LayerSource) -> DataSet:
        """Return the data set with ``source`` replacing any layer of its kind."""
        kept = tuple(s for s in self.layers if s.kind != source.kind)
        return replace(self, layers=(*kept, source))


def compose_dataset(*levels: dict[str, LayerSource]) -> DataSet:
    """Overlay the levels in order (bundled, OpenStreetMap, server, session): later wins.

    >>> a = LayerSource("parks", "bundled", "register", "a")
    >>> b = LayerSource("parks", "upload", "公园名录.zip", "b", scope="session")
    >>> o = LayerSource("outline", "bundled", "outline", "o")
    >>> ds = compose_dataset({"parks": a, "outline": o}, {}, {"parks": b})
    >>> ds.source("parks").label, ds.kinds()
    ('公园名录.zip', ('outline', 'parks'))
    >>> e = LayerSource("park_entrances", "osm", "OpenStreetMap", "e")
    >>> p = LayerSource("parks", "osm", "OpenStreetMap", "p")
    >>> compose_dataset({"parks": p, "park_entrances": e}).kinds()
    ('parks', 'park_entrances')
    >>> compose_dataset({"parks": p, "park_entrances": e}, {"parks": b}).kinds()
    ('parks',)
    """
    merged: dict[str, LayerSource] = {}
    for level in levels:
        merged.update(level)
    # Entrances are derived from their parks: a cache's entrances do not belong to parks
    # from elsewhere (those get theirs by the same rule when needed).
    entrances, parks = merged.get("park_entrances"), merged.get("parks")
    if entrances is not None and (parks is None or parks.origin != entrances.origin):
        del merged["park_entrances"]
    return DataSet(tuple(merged[k] for k in LAYER_KINDS if k in merged))
