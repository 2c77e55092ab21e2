"""OpenStreetMap layers for Kunshan: refresh from Overpass or import a .osm.pbf; cache them.

Usage::

    python -m geo.osm refresh                 # Overpass via osmnx (needs internet)
    python -m geo.osm import FILE.osm.pbf     # a local extract via pyrosm (intranet)
    python -m geo.osm info                    # what the cache holds

Both write the same normalised layers (:mod:`geo.osm_layers`) to one
GeoPackage (default ``data/osm/kunshan.gpkg``, git-ignored) with a
``metadata`` table: source, extract date, attribution (ODbL) and counts.
The cache is written to a temporary file first and moved into place only when
complete, so a failed or cut-off download never replaces a good cache.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.atomic import replaced_atomically
from geo.boundaries import load_outline
from geo.cli import CommandLineParser, report_error, run_command
from geo.crs import ANALYSIS_CRS, DISPLAY_CRS
from geo.entrances import FENCE_BARRIERS, GATE_BARRIERS, load_access_rules, park_entrances
from geo.errors import CacheVersionError, PlanningMapError
from geo.osm_layers import (
    LAYER_COLUMNS,
    parks_from_features,
    rail_from_features,
    residential_from_features,
    roads_from_features,
    walk_network_from,
    water_from_features,
)
from geo.paths import OSM_CACHE
from geo.walk_places import store_default_placement
from geo.walk_store import (
    WalkArrays,
    read_walk_arrays,
    walk_arrays_from,
    walk_arrays_path,
    write_walk_arrays,
)

__all__ = [
    "ATTRIBUTION",
    "CACHE_SCHEMA_VERSION",
    "DEFAULT_CACHE",
    "OSMDownloadError",
    "OSMExtract",
    "cache_is_current",
    "cache_tag",
    "clip_polygon",
    "import_pbf_to_cache",
    "layers_from_overpass",
    "layers_from_pbf",
    "load_walk_arrays",
    "main",
    "read_cache",
    "read_cache_layer",
    "read_cache_metadata",
    "refresh_cache",
    "upgrade_cache",
    "write_cache",
]

DEFAULT_CACHE = OSM_CACHE
ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0, https://www.openstreetmap.org/copyright)"
OVERPASS_URL_ENV = "KUNSHAN_OVERPASS_URL"
DEFAULT_BUFFER_M = 1000.0
LAYERS = tuple(LAYER_COLUMNS)
# 2 (2026-12): entrances along park edges and at gates (geo.entrances), no stored park
# tier, a fast graph file beside the GeoPackage (geo.walk_store). 1: the first caches.
CACHE_SCHEMA_VERSION = "2"

_FEATURE_TAGS: dict[str, bool | str | list[str]] = {
    "leisure": ["park", "garden", "nature_reserve"],
    "railway": [
        "rail",
        "subway",
        "light_rail",
        "monorail",
        "narrow_gauge",
        "tram",
        "construction",
        "proposed",
        "station",
        "halt",
    ],
    "highway": ["motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"],
    "waterway": ["river", "canal", "stream", "drain", "ditch", "riverbank"],
    "natural": ["water"],
    "landuse": ["residential", "reservoir", "basin"],
    # Park gates and entrances, and the fences and walls that close a park.
    "barrier": [*GATE_BARRIERS, *FENCE_BARRIERS],
    "entrance": True,
}

Progress = Callable[[str], None]


class OSMDownloadError(PlanningMapError, ConnectionError):
    """Overpass could not be reached or did not answer completely."""


def _quiet(_: str) -> None:
    return None


def clip_polygon(buffer_m: float = DEFAULT_BUFFER_M) -> shapely.Geometry:
    """Return the county outline buffered by ``buffer_m`` metres, in WGS84.

    Parks and paths just across the border still serve Kunshan residents.
    """
    outline = load_outline().to_crs(ANALYSIS_CRS)
    buffered = gpd.GeoSeries(outline.buffer(buffer_m), crs=ANALYSIS_CRS).to_crs(DISPLAY_CRS)
    return shapely.union_all(buffered.to_numpy())


@dataclass(frozen=True)
class OSMExtract:
    """Normalised layers and the date of the data (newest element or download day)."""

    layers: dict[str, gpd.GeoDataFrame]
    extract_date: str


def _newest_date(*frames: pd.DataFrame) -> str | None:
    """Return the date of the newest OSM element among ``frames`` (``timestamp`` columns)."""
    newest = None
    for frame in frames:
        if "timestamp" in frame.columns and not frame.empty:
            stamp = pd.to_numeric(frame["timestamp"], errors="coerce").max()
            if pd.notna(stamp) and (newest is None or stamp > newest):
                newest = float(stamp)
    if newest is None:
        return None
    return dt.datetime.fromtimestamp(newest, tz=dt.UTC).strftime("%Y-%m-%d")


def _normalise(
    *,
    walk_nodes: gpd.GeoDataFrame,
    walk_edges: gpd.GeoDataFrame,
    parks_raw: gpd.GeoDataFrame,
    rail_raw: gpd.GeoDataFrame,
    roads_raw: gpd.GeoDataFrame,
    water_raw: gpd.GeoDataFrame,
    residential_raw: gpd.GeoDataFrame,
    barriers_raw: gpd.GeoDataFrame,
    progress: Progress,
) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    layers["walk_nodes"], layers["walk_edges"] = walk_network_from(walk_nodes, walk_edges)
    progress(
        f"walk network: {len(layers['walk_nodes']):,} nodes, {len(layers['walk_edges']):,} edges"
    )
    layers["parks"] = parks_from_features(parks_raw)
    layers["park_access"] = park_entrances(
        layers["parks"], layers["walk_edges"], features=barriers_raw, rules=load_access_rules()
    )
    progress(f"parks: {len(layers['parks']):,}, entrances: {len(layers['park_access']):,}")
    layers["rail_lines"], layers["rail_stations"] = rail_from_features(rail_raw)
    layers["roads"] = roads_from_features(roads_raw)
    layers["water_lines"], layers["water_areas"] = water_from_features(water_raw)
    layers["residential"] = residential_from_features(residential_raw)
    progress(
        f"rail lines: {len(layers['rail_lines']):,}, stations: {len(layers['rail_stations']):,}, "
        f"roads: {len(layers['roads']):,}, water: {len(layers['water_lines']):,} lines + "
        f"{len(layers['water_areas']):,} areas, residential: {len(layers['residential']):,}"
    )
    return layers


def _none_to_empty(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if gdf is None:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=DISPLAY_CRS))
    return gdf


def layers_from_pbf(
    path: Path,
    *,
    clip: shapely.Geometry | None,
    progress: Progress = _quiet,
) -> OSMExtract:
    """Read and normalise every layer from a local ``.osm.pbf`` (pyrosm).

    Parameters
    ----------
    path
        The extract.
    clip
        WGS84 polygon to keep (``None`` keeps the whole extract).
    progress
        Called with a line of text after each step.
    """
    import pyrosm  # noqa: PLC0415 - heavy, only for imports

    if not Path(path).is_file():
        msg = f"OSM extract not found: {path}."
        raise PlanningMapError(msg)
    start = time.perf_counter()
    osm = pyrosm.OSM(str(path), bounding_box=clip)
    with warnings.catch_warnings():
        # pyrosm warns about pandas/shapely idioms it uses internally.
        warnings.simplefilter("ignore")
        nodes, edges = osm.get_network(network_type="walking", nodes=True)
        progress(f"read walk network ({time.perf_counter() - start:.1f} s)")
        if clip is not None and (edges is None or len(edges) == 0):
            msg = (
                f"{Path(path).name} 在昆山市界（含缓冲）内没有步行路网：这可能不是昆山的数据。"
                "如确需导入整个文件，请加 --no-clip。 / "
                f"{Path(path).name} holds no walk network inside Kunshan's outline (with its "
                "buffer): it is probably not an extract of Kunshan. To import the whole file "
                "anyway, add --no-clip."
            )
            raise PlanningMapError(msg)

        def features(
            criteria: dict[str, list[str] | bool], *, nodes_too: bool = False
        ) -> gpd.GeoDataFrame:
            return _none_to_empty(
                osm.get_data_by_custom_criteria(
                    custom_filter=criteria, filter_type="keep", keep_nodes=nodes_too
                )
            )

        parks_raw = features({"leisure": ["park", "garden", "nature_reserve"]})
        rail_raw = features({"railway": list(_FEATURE_TAGS["railway"])}, nodes_too=True)  # type: ignore[arg-type]
        roads_raw = features({"highway": list(_FEATURE_TAGS["highway"])})  # type: ignore[arg-type]
        water_raw = features(
            {
                "waterway": list(_FEATURE_TAGS["waterway"]),  # type: ignore[arg-type]
                "natural": ["water"],
                "landuse": ["reservoir", "basin"],
            }
        )
        residential_raw = features({"landuse": ["residential"]})
        barriers_raw = features(
            {"barrier": [*GATE_BARRIERS, *FENCE_BARRIERS], "entrance": True},
            nodes_too=True,
        )
    progress(f"read features ({time.perf_counter() - start:.1f} s)")
    edges = _none_to_empty(edges)
    layers = _normalise(
        walk_nodes=_none_to_empty(nodes),
        walk_edges=edges,
        parks_raw=parks_raw,
        rail_raw=rail_raw,
        roads_raw=roads_raw,
        water_raw=water_raw,
        residential_raw=residential_raw,
        barriers_raw=barriers_raw,
        progress=progress,
    )
    newest = _newest_date(edges, parks_raw, rail_raw, roads_raw, water_raw, residential_raw)
    file_day = dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=dt.UTC)
    return OSMExtract(layers, newest or file_day.strftime("%Y-%m-%d"))


def _overpass_url() -> str:
    return os.environ.get(OVERPASS_URL_ENV, "https://overpass-api.de/api").rstrip("/")


def _check_overpass(url: str, timeout_s: float = 10.0) -> None:
    import requests  # noqa: PLC0415 - only for refreshes

    try:
        response = requests.get(f"{url}/status", timeout=timeout_s)
        response.raise_for_status()
    except requests.RequestException as exc:
        msg = (
            f"无法连接 OpenStreetMap 数据服务（{url}），现有缓存未改动。请检查网络，或在内网使用 "
            f"`python -m geo.osm import 文件.osm.pbf`。 / Cannot reach the OpenStreetMap "
            f"Overpass service ({url}); the existing cache is untouched. Check the connection, "
            "or on an intranet use `python -m geo.osm import FILE.osm.pbf`. "
            f"({exc.__class__.__name__})"
        )
        raise OSMDownloadError(msg) from exc


OVERPASS_TIMEOUT_S = 180


def _refuse_unusable_answer(response: Any, *args: Any, **kwargs: Any) -> None:
    """Raise at once for a busy server (429/504) or an error page instead of JSON."""
    del args, kwargs
    if not response.url.rstrip("/").endswith("/interpreter"):
        return
    kind = response.headers.get("Content-Type", "")
    if response.status_code in {429, 504}:
        reason = f"HTTP {response.status_code} {response.reason}"
    elif response.ok and "json" not in kind:
        reason = f"an answer of type {kind or 'unknown'} instead of JSON"
    else:
        return
    msg = (
        f"OpenStreetMap 数据服务繁忙或返回错误（{reason}），已停止更新，现有缓存未改动；"
        "请稍后再试。 / "
        f"The Overpass server answered {reason}; the refresh stopped and the existing cache "
        "is untouched. Try again later."
    )
    raise OSMDownloadError(msg)


def layers_from_overpass(
    polygon: shapely.Geometry,
    *,
    progress: Progress = _quiet,
) -> OSMExtract:
    """Download and normalise every layer inside ``polygon`` from Overpass (osmnx).

    The Overpass endpoint is ``$KUNSHAN_OVERPASS_URL`` (default
    ``https://overpass-api.de/api``).

    Raises
    ------
    OSMDownloadError
        If Overpass cannot be reached or a download fails part-way.
    """
    import osmnx as ox  # noqa: PLC0415 - heavy, only for refreshes
    import requests  # noqa: PLC0415 - only for refreshes

    url = _overpass_url()
    _check_overpass(url)
    ox.settings.overpass_url = url
    ox.settings.use_cache = False
    ox.settings.log_console = False
    # osmnx pauses and retries a busy server (429/504) without end, and waits on the
    # status endpoint's advice: stop at the first such answer instead, and bound each
    # request, so that a refresh takes at most a stated time and then says why.
    ox.settings.overpass_rate_limit = False
    ox.settings.requests_timeout = OVERPASS_TIMEOUT_S
    ox.settings.requests_kwargs = {"hooks": {"response": _refuse_unusable_answer}}
    start = time.perf_counter()
    try:
        graph = ox.graph_from_polygon(polygon, network_type="walk", simplify=False, retain_all=True)
        progress(f"downloaded walk network ({time.perf_counter() - start:.1f} s)")
        # Walking has no direction: one edge per street segment, not one each way.
        nodes, edges = ox.graph_to_gdfs(ox.convert.to_undirected(graph))
        features = ox.features_from_polygon(polygon, tags=_FEATURE_TAGS)
        progress(f"downloaded features ({time.perf_counter() - start:.1f} s)")
    except (requests.RequestException, ox._errors.InsufficientResponseError) as exc:
        msg = (
            "OpenStreetMap 下载中断，现有缓存未改动。 / The OpenStreetMap download failed "
            f"part-way; the existing cache is untouched. ({exc})"
        )
        raise OSMDownloadError(msg) from exc
    nodes = nodes.reset_index().rename(columns={"osmid": "node_id"})
    edges = edges.reset_index()
    features = features.reset_index().rename(columns={"element": "osm_type"})
    layers = _normalise(
        walk_nodes=nodes,
        walk_edges=edges,
        parks_raw=features,
        rail_raw=features,
        roads_raw=features,
        water_raw=features,
        residential_raw=features,
        barriers_raw=features,
        progress=progress,
    )
    return OSMExtract(layers, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"))


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
    file (:mod:`geo.walk_store`) is tagged with both.
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


def refresh_cache(
    path: Path = DEFAULT_CACHE,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    progress: Progress = _quiet,
) -> dict[str, str]:
    """Download the county's layers from Overpass and replace the cache; return its metadata.

    Raises
    ------
    OSMDownloadError
        Without a working connection; the existing cache is left untouched.
    """
    extract = layers_from_overpass(clip_polygon(buffer_m), progress=progress)
    meta = _metadata(f"overpass:{_overpass_url()}", extract.extract_date, buffer_m)
    write_cache(extract.layers, meta, path)
    return read_cache_metadata(path)


def import_pbf_to_cache(
    pbf: Path,
    path: Path = DEFAULT_CACHE,
    *,
    buffer_m: float | None = DEFAULT_BUFFER_M,
    progress: Progress = _quiet,
) -> dict[str, str]:
    """Import a ``.osm.pbf`` (clipped to the buffered county unless ``buffer_m`` is None)."""
    clip = None if buffer_m is None else clip_polygon(buffer_m)
    extract = layers_from_pbf(pbf, clip=clip, progress=progress)
    meta = _metadata(f"pbf:{Path(pbf).name}", extract.extract_date, buffer_m)
    write_cache(extract.layers, meta, path)
    return read_cache_metadata(path)


def main(argv: list[str] | None = None) -> int:
    """Run the ``refresh``, ``import`` or ``info`` command; return the exit code."""
    return run_command(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    code = _run(args)
    if getattr(args, "exit_file", None) is not None:
        Path(args.exit_file).write_text(str(code), encoding="utf-8")
    return code


def _parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(prog="python -m geo.osm", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="download from Overpass (needs internet)")
    imp = sub.add_parser("import", help="import a local .osm.pbf extract")
    imp.add_argument("pbf", type=Path)
    imp.add_argument("--no-clip", action="store_true", help="keep the whole extract")
    info = sub.add_parser("info", help="show what the cache holds")
    for command in (refresh, imp, info):
        command.add_argument("--out", type=Path, default=DEFAULT_CACHE, help="GeoPackage cache")
    for command in (refresh, imp):
        command.add_argument(
            "--exit-file", type=Path, help="write the exit code here when done (for the app)"
        )
    for command in (refresh, imp):
        command.add_argument("--buffer-m", type=float, default=DEFAULT_BUFFER_M)
    return parser


def _run(args: argparse.Namespace) -> int:
    def progress(line: str) -> None:
        print(f"  · {line}", flush=True)

    try:
        if args.command == "info":
            meta = read_cache_metadata(args.out)
            if not meta:
                print(f"no cache at {args.out}")
                return 1
            for key, value in meta.items():
                print(f"{key}: {value}")
            return 0
        if args.command == "refresh":
            print(f"OpenStreetMap refresh -> {args.out}", flush=True)
            refresh_cache(args.out, buffer_m=args.buffer_m, progress=progress)
        else:
            print(f"OpenStreetMap import {args.pbf} -> {args.out}", flush=True)
            buffer_m = None if args.no_clip else args.buffer_m
            import_pbf_to_cache(args.pbf, args.out, buffer_m=buffer_m, progress=progress)
    except PlanningMapError as exc:  # reported here: the exit file still gets its code
        return report_error(exc)
    print(f"done: {args.out} ({ATTRIBUTION})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
