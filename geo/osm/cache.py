"""The OpenStreetMap cache: one GeoPackage of normalised layers, its metadata and graph file.

Both ways in (:mod:`geo.osm.extract`) write the same normalised layers
(:mod:`geo.osm.normalise`) to one GeoPackage (default ``data/osm/kunshan.gpkg``,
git-ignored) with a ``metadata`` table: source, extract date, attribution (ODbL)
and counts, a random ``cache_id`` and the schema version. The cache is written to a
temporary file first and moved into place only when complete, so a failed or
cut-off download never replaces a good cache; a cache of an earlier schema is
upgraded in place (:func:`upgrade_cache`). Beside it, the walk network as arrays
(:mod:`geo.osm.walk_file`) and where the default grid starts on it
(:mod:`geo.osm.walk_places`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.atomic import replaced_atomically
from geo.boundaries import load_outline
from geo.crs import DISPLAY_CRS
from geo.errors import CacheVersionError, PlanningMapError
from geo.osm.entrances import load_access_rules, park_entrances
from geo.osm.normalise import (
    LAYER_COLUMNS,
)
from geo.osm.walk_file import (
    WalkArrays,
    read_walk_arrays,
    walk_arrays_from,
    walk_arrays_path,
    write_walk_arrays,
)
from geo.osm.walk_places import store_default_placement
from geo.paths import OSM_CACHE

__all__ = [
    "ATTRIBUTION",
    "CACHE_SCHEMA_VERSION",
    "DEFAULT_CACHE",
    "LAYERS",
    "Progress",
    "cache_is_current",
    "cache_tag",
    "load_walk_arrays",
    "read_cache",
    "read_cache_layer",
    "read_cache_metadata",
    "upgrade_cache",
    "write_cache",
]

DEFAULT_CACHE = OSM_CACHE
ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0, https://www.openstreetmap.org/copyright)"
LAYERS = tuple(LAYER_COLUMNS)
# 2 (2026-12): entrances along park edges and at gates (geo.osm.entrances), no stored park
# tier, a fast graph file beside the GeoPackage (geo.osm.walk_file). 1: the first caches.
CACHE_SCHEMA_VERSION = "2"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def _stringify(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make object columns writable to GeoPackage (lists and dicts become JSON text)."""
    out = gdf.copy()
    for column in out.columns:
        if column != "geometry" and out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
            )
    return out


def _cache_tag(metadata: dict[str, str]) -> str:
    """Return the identity a graph file must carry to belong to a cache (id and schema)."""
    return f"{metadata.get('cache_id', '')}/{metadata.get('schema_version', '1')}"


def write_cache(
    layers: dict[str, gpd.GeoDataFrame], metadata: dict[str, str], path: Path = DEFAULT_CACHE
) -> Path:
    """Write all layers, the metadata and the walk graph file atomically (temp file, rename).

    The metadata gains a fresh ``cache_id`` and the ``schema_version``; the graph
    file (:mod:`geo.osm.walk_file`) is tagged with both.
    """
    path = Path(path)
    metadata = {**metadata, "cache_id": uuid.uuid4().hex, "schema_version": CACHE_SCHEMA_VERSION}
    with replaced_atomically(path) as tmp:
        for name in LAYERS:
            gdf = layers[name]
            gdf = gdf if not gdf.empty else gdf.set_crs(DISPLAY_CRS, allow_override=True)
            pyogrio.write_dataframe(
                _stringify(gdf), tmp, layer=name, driver="GPKG", append=tmp.exists()
            )
        counts = {name: str(len(layers[name])) for name in LAYERS}
        rows = {**metadata, **{f"count_{k}": v for k, v in counts.items()}}
        table = pd.DataFrame({"key": list(rows), "value": list(rows.values())})
        pyogrio.write_dataframe(table, tmp, layer="metadata", driver="GPKG", append=True)
    if not layers["walk_edges"].empty:
        arrays = walk_arrays_from(layers["walk_nodes"], layers["walk_edges"])
        write_walk_arrays(arrays, walk_arrays_path(path), tag=_cache_tag(metadata))
        _store_default_placement(path, layers, arrays, _cache_tag(metadata))
    return path


def _store_default_placement(
    path: Path, layers: dict[str, gpd.GeoDataFrame], arrays: WalkArrays, tag: str
) -> None:
    """Store where the parks page's default grid starts on the network, if it meets it."""
    outline = load_outline()
    area = outline.to_crs(arrays.crs).total_bounds
    net = (*arrays.coords.min(axis=0), *arrays.coords.max(axis=0))
    overlaps = net[0] <= area[2] and area[0] <= net[2] and net[1] <= area[3] and area[1] <= net[3]
    if not overlaps:  # an extract elsewhere (a test city): nothing of the county to place
        return
    store_default_placement(
        path,
        tag=tag,
        arrays=arrays,
        area=outline,
        parks=layers["parks"],
        entrances=layers["park_access"],
        water=layers["water_areas"],
        rules=load_access_rules(),
    )


def read_cache_metadata(path: Path = DEFAULT_CACHE) -> dict[str, str]:
    """Return the cache's metadata table as a dict (empty if there is no cache)."""
    if not Path(path).is_file():
        return {}
    try:
        table = pyogrio.read_dataframe(path, layer="metadata")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise CacheVersionError(_unreadable_message(path)) from exc
    return dict(zip(table["key"], table["value"], strict=True))


def _unreadable_message(path: Path) -> str:
    return (
        f"OpenStreetMap 缓存 {Path(path).name} 无法读取或已损坏，请重新导入（python -m geo.osm "
        f"import 文件.osm.pbf 或 refresh）。 / The OpenStreetMap cache {Path(path).name} cannot "
        "be read or is damaged: import it again (python -m geo.osm import FILE.osm.pbf, or "
        "refresh)."
    )


def cache_tag(path: Path = DEFAULT_CACHE) -> str:
    """Return the identity of the cache at ``path`` (its random id and schema version)."""
    return _cache_tag(read_cache_metadata(path))


def cache_is_current(path: Path = DEFAULT_CACHE) -> bool:
    """Whether the cache at ``path`` was written with this version's schema."""
    return read_cache_metadata(path).get("schema_version") == CACHE_SCHEMA_VERSION


def read_cache_layer(name: str, path: Path = DEFAULT_CACHE) -> gpd.GeoDataFrame:
    """Read one normalised layer from the cache (bilingual error if it cannot be read)."""
    if name not in LAYERS:
        msg = f"Unknown OpenStreetMap layer {name!r}; use one of {list(LAYERS)}."
        raise PlanningMapError(msg)
    try:
        return gpd.read_file(path, layer=name)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise CacheVersionError(_unreadable_message(path)) from exc


def read_cache(path: Path = DEFAULT_CACHE) -> dict[str, gpd.GeoDataFrame]:
    """Read every normalised layer from the cache."""
    return {name: read_cache_layer(name, path) for name in LAYERS}


@contextlib.contextmanager
def _cache_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache while it is upgraded (one server, many sessions)."""
    lock = Path(path).with_name(f".{Path(path).name}.lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_cache(path: Path = DEFAULT_CACHE, *, progress: Progress = _quiet) -> dict[str, str]:
    """Bring a cache written by an earlier version up to this schema; return its metadata.

    Schema 1 (before 2026-12) stored park tiers and entrances only where a path
    crossed a park boundary, and no graph file. The upgrade keeps every layer,
    drops the stored tier, recomputes the entrances by today's rule (no gate or
    fence data was kept, so every park gets the edge rule; re-import the extract
    for gates) and writes the graph file. A current cache is left as it is.

    Raises
    ------
    CacheVersionError
        If the cache cannot be read, or was written by a newer version.
    """
    if not Path(path).is_file():
        raise CacheVersionError(_unreadable_message(path))
    if cache_is_current(path):  # nothing to do: no lock (a shared cache may be read-only)
        return read_cache_metadata(path)
    with _cache_lock(path):
        meta = read_cache_metadata(path)
        version = meta.get("schema_version", "1")
        if version == CACHE_SCHEMA_VERSION:
            return meta
        if not version.isdigit() or int(version) > int(CACHE_SCHEMA_VERSION):
            msg = (
                f"OpenStreetMap 缓存由更新版本（结构 {version}）写入，本版本无法使用，"
                "请重新导入。 / "
                f"The OpenStreetMap cache was written by a newer version (schema {version}); "
                "this version cannot use it: import the extract again."
            )
            raise CacheVersionError(msg)
        progress(f"upgrading the cache from schema {version} to {CACHE_SCHEMA_VERSION}")
        layers = read_cache(path)
        parks = layers["parks"].drop(columns=["tier"], errors="ignore")
        if "barrier" not in parks.columns:
            parks["barrier"] = None
        layers["parks"] = parks[[*LAYER_COLUMNS["parks"], "geometry"]]
        layers["park_access"] = park_entrances(
            layers["parks"], layers["walk_edges"], rules=load_access_rules()
        )
        kept = {k: v for k, v in meta.items() if not k.startswith("count_")}
        write_cache(layers, {**kept, "upgraded_from_schema": version}, path)
        return read_cache_metadata(path)


def load_walk_arrays(path: Path = DEFAULT_CACHE) -> WalkArrays:
    """Return the cache's walk network as arrays, from its graph file (fast).

    A missing or stale graph file (another cache's, or none yet) is rebuilt from
    the GeoPackage once and saved.

    Raises
    ------
    CacheVersionError
        If the cache is from an earlier schema (call :func:`upgrade_cache`) or unreadable.
    """
    meta = read_cache_metadata(path)
    if meta.get("schema_version") != CACHE_SCHEMA_VERSION:
        msg = (
            "OpenStreetMap 缓存版本较旧，需要先升级。 / The OpenStreetMap cache is from an "
            "earlier version and must be upgraded first (geo.osm.upgrade_cache)."
        )
        raise CacheVersionError(msg)
    tag = _cache_tag(meta)
    graph_file = walk_arrays_path(path)
    arrays = read_walk_arrays(graph_file, tag=tag)
    if arrays is not None:
        return arrays
    with _cache_lock(path):
        arrays = read_walk_arrays(graph_file, tag=tag)
        if arrays is None:
            nodes = read_cache_layer("walk_nodes", path)
            edges = read_cache_layer("walk_edges", path)
            arrays = walk_arrays_from(nodes, edges)
            write_walk_arrays(arrays, graph_file, tag=tag)
    return arrays


def _metadata(source: str, extract_date: str, clip_buffer_m: float | None) -> dict[str, str]:
    return {
        "source": source,
        "extract_date": extract_date,
        "built_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "attribution": ATTRIBUTION,
        "licence": "ODbL-1.0",
        "crs": DISPLAY_CRS,
        "clip_buffer_m": "" if clip_buffer_m is None else f"{clip_buffer_m:g}",
    }
