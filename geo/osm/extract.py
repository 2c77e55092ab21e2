"""Getting OpenStreetMap data for Kunshan: a refresh from Overpass or a local ``.osm.pbf``.

:func:`refresh_cache` downloads the buffered county through osmnx (needs the
internet; ``KUNSHAN_OVERPASS_URL`` names another server); :func:`import_pbf_to_cache`
reads a local extract with pyrosm (an intranet). Both normalise the raw features
(:mod:`geo.osm.normalise`) and write the cache (:func:`geo.osm.cache.write_cache`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.boundaries import load_outline
from geo.crs import ANALYSIS_CRS, DISPLAY_CRS
from geo.errors import OSMDownloadError, PlanningMapError
from geo.osm.cache import (
    DEFAULT_CACHE,
    Progress,
    _metadata,
    _quiet,
    read_cache_metadata,
    write_cache,
)
from geo.osm.entrances import FENCE_BARRIERS, GATE_BARRIERS, load_access_rules, park_entrances
from geo.osm.normalise import (
    parks_from_features,
    rail_from_features,
    residential_from_features,
    roads_from_features,
    walk_network_from,
    water_from_features,
)

__all__ = [
    "DEFAULT_BUFFER_M",
    "OSMExtract",
    "clip_polygon",
    "import_pbf_to_cache",
    "layers_from_overpass",
    "layers_from_pbf",
    "refresh_cache",
]

OVERPASS_URL_ENV = "KUNSHAN_OVERPASS_URL"
DEFAULT_BUFFER_M = 1000.0

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
