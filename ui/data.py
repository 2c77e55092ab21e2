"""A thin cache over the data set: every entry is keyed on layer hashes, never on files.

Each cached computation takes the data set (or the subset of its layers it reads):
Streamlit hashes a :class:`~geo.dataset.DataSet` by its version, so a figure is
recomputed exactly when one of the layers it depends on changes and is shared by
every session on the same layers. Which layers are in use, and in what schema, is
decided in :mod:`geo.active_layers`; what is computed from them, in ``analysis``.

Only composing the data set looks at files: a rewritten OpenStreetMap cache or
``server.json`` is noticed by its size and time, and the layers' hashes then say
whether anything changed (bundled files are hashed by content, memoised).
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.catchments import (
    network_catchments,
    station_coverage_table,
    straight_line_catchments,
)
from analysis.clusters import cluster_park_table, cluster_polygons, cluster_summary
from analysis.demand import (
    DemandGrid,
    demand_grid,
)
from analysis.distances import (
    ParkReach,
    PreparedReach,
    park_reach,
    placement_key,
    prepare_reach,
    with_planned_park,
)
from analysis.indicators import per_capita_park_area, two_step_fca
from analysis.network import EdgePositions, WalkGraph, walk_graph_from_arrays
from analysis.siting import (
    SitingResult,
    WalkCoverage,
    exact_sites,
    greedy_sites,
    site_footprints,
    siting_problem,
    walk_coverage,
)
from analysis.standards import StandardSettings, standards_from_dict
from geo.active_layers import (
    bundled_sources,
    data_extent,
    load_layer,
    optional_layer,
    osm_cache_of,
    osm_sources,
    parks_of,
    stations_of,
    units_of,
    upload_sources,
    walk_arrays_of,
)
from geo.boundaries import Cluster, load_clusters, load_sources, read_unit_table
from geo.dataset import DataSet, compose_dataset, file_sha256, layer_kind
from geo.entrances import load_access_rules
from geo.files.reading import FileInfo, ReadOptions, ReadResult, inspect_file, read_layer
from geo.files.schema import apply_mapping, planned_parks
from geo.layer_store import (
    StoredLayer,
    data_dir,
    layer_hash,
    server_layers,
    set_server_layer,
    store_layer,
    stored_layers,
)
from geo.osm import cache_is_current, cache_tag, upgrade_cache
from geo.parks import PARKS_DIR, ParkCompleteness, bundled_parks, park_completeness
from geo.paths import CLUSTERS_PATH, SOURCES_PATH, UNIT_TABLE_PATH
from geo.standards import read_standards_file
from geo.transit import (
    TRANSIT_DIR,
    load_ecological_corridors,
    load_line_stations,
    load_lines,
    load_stations,
)
from geo.walk_places import read_placement, write_placement
from layers.cluster_view import ClusterMapInputs, cluster_map_inputs, fit_to_data
from layers.corridors_view import TransitMapInputs, transit_map_inputs
from layers.labels import Lang, tr
from layers.parks_view import (
    SurfaceRaster,
    entrance_features,
    park_features,
    park_shapes,
    surface_raster,
)
from ui import settings, state

# A data set is hashed by its version (the hash of its layers' hashes) in every cache key.
_BY_VERSION: dict[Any, Any] = {DataSet: lambda ds: ds.version}
_data = st.cache_data(show_spinner=False, hash_funcs=_BY_VERSION)
_data_few = st.cache_data(show_spinner=False, hash_funcs=_BY_VERSION, max_entries=8)
_resource = st.cache_resource(show_spinner=False, hash_funcs=_BY_VERSION, max_entries=8)
_resource_few = st.cache_resource(show_spinner=False, hash_funcs=_BY_VERSION, max_entries=4)

_BOUNDARY_KINDS = ("outline", "units")
_GRID_KINDS = (*_BOUNDARY_KINDS, "water_areas", "residential", "population")
_PARK_KINDS = ("parks", "park_entrances")


def _files_hash(*paths: Path) -> str:
    """Return one hash of the files' bytes (memoised per file while it stays the same)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(file_sha256(path).encode() if path.is_file() else f"-{path}".encode())
    return digest.hexdigest()


# --- the data set in use -----------------------------------------------------------------


def _stat(path: Path) -> tuple[int, int]:
    """A file's size and modification time: only to notice that it was rewritten."""
    if not path.is_file():
        return -1, -1
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@st.cache_data(show_spinner=False, max_entries=4)
def _is_current(path: str, stat: tuple[int, int]) -> bool:
    del stat  # a rewritten cache is checked again
    return cache_is_current(Path(path))


def _osm_cache_in_use() -> Path | None:
    """The OpenStreetMap cache when the planner chose it and it exists (upgraded once)."""
    path = settings.osm_cache_path()
    if st.session_state.get(state.DATASET) != state.OSM or not path.is_file():
        return None
    if not _is_current(str(path), _stat(path)):
        with st.spinner(tr("upgrading_cache", st.session_state.get(state.LANG, "zh"))):
            upgrade_cache(path)
    return path


@st.cache_data(show_spinner=False, max_entries=16)
def _dataset(
    units_file: str,
    osm: tuple[str, tuple[int, int]],
    server: tuple[tuple[str, str], ...],
    session: tuple[tuple[str, str], ...],
) -> DataSet:
    osm_path = osm[0]
    found = osm_sources(Path(osm_path)) if osm_path else {}
    # The session's own choices: an upload of its own, or "" to go below the server's.
    back = {kind for kind, content in session if not content}
    shared = upload_sources(dict(server), scope="server")
    own = upload_sources({k: c for k, c in session if c}, scope="session")
    kept = {k: v for k, v in shared.items() if k not in back}
    return compose_dataset(bundled_sources(Path(units_file)), found, kept, own)


@st.cache_data(show_spinner=False, max_entries=4)
def _server_layers(stat: tuple[int, int]) -> tuple[tuple[str, str], ...]:
    del stat  # server.json rewritten: read again
    return tuple(sorted(server_layers().items()))


def active_dataset() -> DataSet:
    """Return the data set in use: bundled, OSM (when chosen), the server's and the session's."""
    cache = _osm_cache_in_use()
    osm = (str(cache), _stat(cache)) if cache is not None else ("", (-1, -1))
    server = _server_layers(_stat(data_dir() / "server.json"))
    session = tuple(sorted((st.session_state.get(state.SESSION_LAYERS) or {}).items()))
    return _dataset(str(settings.units_path()), osm, server, session)


def active_upload(kind: str) -> str:
    """Return the content hash of the planner's layer of ``kind`` in use ("" for none)."""
    source = active_dataset().source(kind)
    return source.content_hash if source is not None and source.origin == "upload" else ""


@_data
def _extent(ds: DataSet) -> tuple[float, float, float, float] | None:
    return data_extent(ds)


def map_view_bounds() -> tuple[float, float, float, float]:
    """Return the bounds a page's map opens on: the county, or the data when it covers part."""
    ds = active_dataset()
    outline = tuple(float(v) for v in _bundle(*_boundaries(ds))[0].total_bounds)
    kinds = ("walk_network", "parks", "stations", "residential", "population", "units")
    return fit_to_data(outline, _extent(ds.subset(*kinds)))  # type: ignore[arg-type]


def has_walk_network() -> bool:
    """Whether the data set in use has a walk network (walking figures are offered)."""
    return active_dataset().source("walk_network") is not None


# --- boundaries and clusters ---------------------------------------------------------------


@_data
def _unit_table(table_hash: str) -> pd.DataFrame:
    del table_hash  # cache key only
    return read_unit_table(UNIT_TABLE_PATH)


@_data
def _bundle(
    ds: DataSet, table_hash: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    table = _unit_table(table_hash)
    return (
        load_layer(ds, "outline"),
        units_of(ds),
        table,
        load_clusters(CLUSTERS_PATH, unit_table=table),
    )


def _boundaries(ds: DataSet) -> tuple[DataSet, str]:
    return ds.subset(*_BOUNDARY_KINDS), _files_hash(UNIT_TABLE_PATH, CLUSTERS_PATH)


def bundle() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    """Return outline, units, unit table and clusters of the data set in use (cached)."""
    return _bundle(*_boundaries(active_dataset()))


@_data
def _map_inputs(ds: DataSet, table_hash: str, lang: str) -> ClusterMapInputs:
    outline, units, _, clusters = _bundle(ds, table_hash)
    return cluster_map_inputs(outline, units, clusters, lang=lang)  # type: ignore[arg-type]


def map_inputs(lang: Lang) -> ClusterMapInputs:
    """Return the cluster map's display layers in ``lang`` (cached)."""
    return _map_inputs(*_boundaries(active_dataset()), lang)


@_data
def _summary(ds: DataSet, table_hash: str) -> pd.DataFrame:
    _, units, table, clusters = _bundle(ds, table_hash)
    return cluster_summary(units, table, clusters)


def summary() -> pd.DataFrame:
    """Return the side-by-side cluster comparison (cached)."""
    return _summary(*_boundaries(active_dataset()))


@st.cache_data(show_spinner=False)
def _sources(content: str) -> pd.DataFrame:
    del content  # cache key only
    return load_sources(SOURCES_PATH)


def sources_table() -> pd.DataFrame:
    """Return the source register."""
    return _sources(_files_hash(SOURCES_PATH))


@_data
def _cluster_polygons(ds: DataSet, table_hash: str) -> gpd.GeoDataFrame:
    _, units, _, clusters = _bundle(ds, table_hash)
    return cluster_polygons(units, clusters)


def cluster_polygon_frame() -> gpd.GeoDataFrame:
    """Return one polygon per cluster (WGS84), cached per units."""
    return _cluster_polygons(*_boundaries(active_dataset()))


# --- transit -------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _transit(content: str) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    del content  # cache key only
    return load_lines(), load_line_stations(), load_stations()


def transit() -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Return the bundled rail lines, line orders and located stations (cached)."""
    return _transit(_files_hash(*sorted(TRANSIT_DIR.glob("*.csv"))))


@st.cache_data(show_spinner=False)
def _corridors(content: str) -> pd.DataFrame:
    del content  # cache key only
    return load_ecological_corridors()


def ecological_corridors() -> pd.DataFrame:
    """Return the cited ecological-corridor rivers (cached per file content)."""
    return _corridors(_files_hash(TRANSIT_DIR / "ecological_corridors.csv"))


@_data
def _stations(ds: DataSet) -> gpd.GeoDataFrame:
    return stations_of(ds, load_layer(ds, "outline"))


def _station_set(ds: DataSet) -> DataSet:
    return ds.subset("outline", "stations")


def stations_in_use() -> gpd.GeoDataFrame:
    """Return the stations of the data set in use (planners', OSM or cited)."""
    return _stations(_station_set(active_dataset()))


@_resource_few
def _walk_graph(ds: DataSet) -> WalkGraph | None:
    arrays = walk_arrays_of(ds)
    return walk_graph_from_arrays(arrays) if arrays is not None else None


@_data_few
def _catchments(ds: DataSet, radius_m: int, method: str) -> gpd.GeoDataFrame:
    stations = _stations(_station_set(ds))
    graph = _walk_graph(ds.subset("walk_network")) if method == "network" else None
    if graph is not None:
        return network_catchments(graph, stations, radius_m=radius_m)
    return straight_line_catchments(stations, radius_m=radius_m)


def _catchment_set(ds: DataSet) -> DataSet:
    return ds.subset("outline", "stations", "walk_network")


def catchments(radius_m: int, method: str) -> gpd.GeoDataFrame:
    """Return the active stations' catchments (cached per stations, network, radius, method)."""
    return _catchments(_catchment_set(active_dataset()), radius_m, method)


@_data_few
def _coverage(ds: DataSet, table_hash: str, radius_m: int, method: str) -> pd.DataFrame:
    polygons = _cluster_polygons(ds.subset(*_BOUNDARY_KINDS), table_hash)
    reach = _catchments(_catchment_set(ds), radius_m, method)
    parks = ds.source("parks")
    counted = parks is not None and parks.origin != "bundled"  # 2 located parks: no count
    return station_coverage_table(
        polygons,
        reach,
        _stations(_station_set(ds)),
        residential=_layer(ds, "residential"),
        parks=_parks(ds.subset(*_PARK_KINDS)).parks if counted else None,
    )


def coverage(radius_m: int, method: str) -> pd.DataFrame:
    """Return per-cluster station coverage (cached per data version, radius and method)."""
    ds = active_dataset()
    kinds = (*_BOUNDARY_KINDS, "stations", "walk_network", "residential", *_PARK_KINDS)
    return _coverage(ds.subset(*kinds), _boundaries(ds)[1], radius_m, method)


@_data_few
def _transit_inputs(ds: DataSet, lang: str) -> TransitMapInputs:
    lines, line_stations, _ = transit()
    kinds = ("rail_lines", "roads", "water_lines", "water_areas")
    found = {kind: _layer(ds, kind) for kind in kinds}
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    osm: dict[str, gpd.GeoDataFrame] | None = {
        k: v if v is not None else empty for k, v in found.items()
    }
    if all(v is None for v in found.values()):
        osm = None
    return transit_map_inputs(
        lines=lines,
        line_stations=line_stations,
        stations=_stations(_station_set(ds)),
        lang=lang,  # type: ignore[arg-type]
        osm=osm,
        corridors=ecological_corridors(),
    )


def transit_inputs(lang: Lang) -> TransitMapInputs:
    """Return the corridors map's transit layers in ``lang`` (cached per data version)."""
    kinds = ("outline", "stations", "rail_lines", "roads", "water_lines", "water_areas")
    return _transit_inputs(active_dataset().subset(*kinds), lang)


def plan_lines() -> gpd.GeoDataFrame | None:
    """Return the planner's plan networks (lines with names) when the data set has them."""
    return _layer(active_dataset(), "plan_lines")


# --- layers, read once per content ---------------------------------------------------------


@_resource
def _layer_of(ds: DataSet, kind: str) -> gpd.GeoDataFrame | None:
    return optional_layer(ds, kind)


def _layer(ds: DataSet, kind: str) -> gpd.GeoDataFrame | None:
    """The layer ``kind`` of ``ds`` (shared, read-only: never mutate), None without one."""
    return _layer_of(ds.subset(kind), kind)


# --- planners' uploads ------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def inspect_upload(content: bytes, file_name: str) -> FileInfo:
    """Look into an uploaded file once (format, layers, CRS, encoding, columns)."""
    return inspect_file(content, file_name)


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(content: bytes, file_name: str, options: ReadOptions, kind: str) -> ReadResult:
    """Read an uploaded file of ``kind`` with the planner's choices (cached per file, choices)."""
    return read_layer(
        content,
        file_name,
        options,
        points_and_polygons=layer_kind(kind).mixes_points_and_polygons,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def fitted_upload(
    content: bytes,
    file_name: str,
    options: ReadOptions,
    kind: str,
    mapping: tuple[tuple[str, str], ...],
) -> tuple[gpd.GeoDataFrame, str]:
    """Return the uploaded layer in the schema of ``kind`` and the store key it would get.

    The key tells the panel that this very layer is already in use.
    """
    result = read_upload(content, file_name, options, kind)
    prefix = f"upload:{hashlib.sha256(content).hexdigest()[:8]}"
    fitted = apply_mapping(result.gdf, kind, dict(mapping), id_prefix=prefix)
    return fitted, layer_hash(fitted)


def accept_upload(
    kind: str, content: bytes, file_name: str, fitted: gpd.GeoDataFrame, result: ReadResult
) -> StoredLayer:
    """Keep an accepted upload in the layer store (the session then uses it)."""
    return store_layer(
        fitted,
        kind=kind,
        original=content,
        file_name=file_name,
        crs=result.crs_used,
        encoding=result.encoding_used or "",
        notes=tuple(result.notes),
    )


def make_server_layer(kind: str, content_hash: str) -> None:
    """Make a stored layer the server's layer of ``kind`` for everyone."""
    set_server_layer(kind, content_hash)


def upload_record(content_hash: str) -> StoredLayer | None:
    """Return the stored layer's record (file name, who added it, when), None if unknown."""
    return next((r for r in stored_layers() if r.content_hash == content_hash), None)


# --- parks within reach ---------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _load_standards(path: str, content: str) -> StandardSettings:
    del content  # cache key only
    return standards_from_dict(read_standards_file(Path(path)))


def _standards_key() -> tuple[str, str]:
    path = settings.park_standards_path()
    return str(path), _files_hash(path)


def _standards(key: tuple[str, str]) -> StandardSettings:
    return _load_standards(*key)


def park_standards() -> StandardSettings:
    """Return the park standards (cached per file content; bilingual error if broken)."""
    return _standards(_standards_key())


@st.cache_data(show_spinner=False)
def _bundled_parks(content: str) -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    del content  # cache key only
    return bundled_parks(PARKS_DIR), park_completeness(PARKS_DIR)


def bundled_park_set() -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    """Return the bundled located parks and the register's completeness (cached)."""
    return _bundled_parks(_files_hash(*sorted(PARKS_DIR.glob("*.csv"))))


@_resource
def _parks(ds: DataSet) -> Any:
    """The parks of ``ds`` (a subset of parks and entrances) and their stored entrances."""
    return parks_of(ds)


def active_parks() -> tuple[gpd.GeoDataFrame, str]:
    """Return the parks in use and where they come from ("upload", "osm" or "bundled")."""
    found = _parks(active_dataset().subset(*_PARK_KINDS))
    return found.parks, found.origin


ParkGrid = DemandGrid


@_resource_few
def _park_grid(ds: DataSet, table_hash: str, cell_m: int) -> DemandGrid:
    outline, units, table, _ = _bundle(ds.subset(*_BOUNDARY_KINDS), table_hash)
    return demand_grid(
        outline,
        units,
        table,
        _cluster_polygons(ds.subset(*_BOUNDARY_KINDS), table_hash),
        cell_m=cell_m,
        water=_layer(ds, "water_areas"),
        residential=_layer(ds, "residential"),
        population=_layer(ds, "population"),
    )


def _grid_args(ds: DataSet) -> tuple[DataSet, str]:
    return ds.subset(*_GRID_KINDS), _boundaries(ds)[1]


def park_grid(cell_m: int) -> ParkGrid:
    """Return the demand grid of the active data set (cached per its layers and cell size)."""
    return _park_grid(*_grid_args(active_dataset()), cell_m)


@_resource_few
def _prepared(
    ds: DataSet, table_hash: str, cell_m: int, standards_key: tuple[str, str]
) -> PreparedReach:
    """Prepare the parks once per grid (entrances and origins on the network when it has one)."""
    grid = _park_grid(ds.subset(*_GRID_KINDS), table_hash, cell_m)
    found = _parks(ds.subset(*_PARK_KINDS))
    rules = load_access_rules()
    limit = _standards(standards_key).search_limit_m
    graph = _walk_graph(ds.subset("walk_network"))
    cache = osm_cache_of(ds)
    if graph is None or cache is None:
        return prepare_reach(grid.origins, found.parks, rules=rules, limit_m=limit)
    # Where the grid's origins start on the network is stored beside the cache once.
    key = placement_key(cache_tag(cache), grid.origins, found.parks, rules)
    stored = read_placement(cache, key)
    straight = _prepared(ds.subset(*_GRID_KINDS, *_PARK_KINDS), table_hash, cell_m, standards_key)
    prepared = prepare_reach(
        grid.origins,
        found.parks,
        graph=graph,
        entrances=found.entrances,
        rules=rules,
        limit_m=limit,
        origin_positions=None if stored is None else EdgePositions.from_arrays(stored),
        boundaries=straight.boundaries,
    )
    if stored is None and prepared.walk is not None:
        with contextlib.suppress(OSError):  # a read-only cache folder: recompute next time
            write_placement(cache, key, prepared.walk.origins.as_arrays())
    return prepared


def _reach_set(ds: DataSet, *, network: bool) -> DataSet:
    kinds = (*_GRID_KINDS, *_PARK_KINDS, *(("walk_network",) if network else ()))
    return ds.subset(*kinds)


@_resource
def _park_reach(
    ds: DataSet,
    table_hash: str,
    *,
    cell_m: int,
    standards_key: tuple[str, str],
    standard_id: str,
    basis: str = "area",
) -> ParkReach:
    prepared = _prepared(ds, table_hash, cell_m, standards_key)
    standard = _standards(standards_key).standard(standard_id)
    return park_reach(prepared, standard, basis=basis)  # type: ignore[arg-type]


def _without(ds: DataSet, *kinds: str) -> DataSet:
    """The data set less ``kinds`` (e.g. the existing parks' figures, before the scenario)."""
    return ds.subset(*(k for k in ds.kinds() if k not in kinds))


def active_planned() -> gpd.GeoDataFrame | None:
    """Return the scenario's planned parks (WGS84), None when no scenario is in use."""
    return _layer(active_dataset(), "planned_parks")


@_resource
def _scenario_reach(
    ds: DataSet,
    table_hash: str,
    *,
    cell_m: int,
    standards_key: tuple[str, str],
    standard_id: str,
    basis: str,
) -> ParkReach:
    base = _without(ds, "planned_parks")
    before = _park_reach(
        base,
        table_hash,
        cell_m=cell_m,
        standards_key=standards_key,
        standard_id=standard_id,
        basis=basis,
    )
    prepared = _prepared(base, table_hash, cell_m, standards_key)
    planned = _layer(ds, "planned_parks")
    if planned is None:
        return before
    return with_planned_park(before, prepared, planned)


def scenario_reach_for(
    cell_m: int, standard_id: str, *, network: bool, basis: str = "area"
) -> ParkReach | None:
    """Return the distances with the scenario's planned parks (None without a scenario).

    One pass from the planned parks' entrances on top of the cached distances
    (:func:`analysis.distances.with_planned_park`), cached per scenario.
    """
    ds = active_dataset()
    if "planned_parks" not in ds.kinds():
        return None
    return _scenario_reach(
        ds.subset(*_reach_set(ds, network=network).kinds(), "planned_parks"),
        _boundaries(ds)[1],
        cell_m=cell_m,
        standards_key=_standards_key(),
        standard_id=standard_id,
        basis=basis,
    )


def save_scenario(frame: gpd.GeoDataFrame, name: str) -> StoredLayer:
    """Keep a scenario's planned parks in the layer store (normalised; named ``name``)."""
    fitted = planned_parks(frame)
    fitted["scenario"] = name
    return store_layer(
        fitted,
        kind="planned_parks",
        original=fitted.to_json(drop_id=True).encode("utf-8"),
        file_name=name,
        notes=("方案 / scenario",),
    )


@_resource_few
def _site_coverage(
    ds: DataSet,
    table_hash: str,
    *,
    cell_m: int,
    standards_key: tuple[str, str],
    standard_id: str,
    tier_id: str | None,
) -> WalkCoverage:
    """Every candidate site's walking coverage (per network, grid, tier, candidate land)."""
    base = _without(ds, "candidate_land")
    prepared = _prepared(base, table_hash, cell_m, standards_key)
    reach = _park_reach(
        base, table_hash, cell_m=cell_m, standards_key=standards_key, standard_id=standard_id
    )
    problem = siting_problem(
        prepared,
        reach,
        tier_id=tier_id,
        method="network",
        candidate_area=_layer(ds, "candidate_land"),
    )
    return walk_coverage(problem)


@_data_few
def _suggestions(
    ds: DataSet,
    table_hash: str,
    *,
    cell_m: int,
    standards_key: tuple[str, str],
    standard_id: str,
    tier_id: str | None,
    method: str,
    basis: str,
    demand: str,
    k: int,
    exact: bool,
) -> tuple[SitingResult, gpd.GeoDataFrame]:
    base = _without(ds, "planned_parks", "candidate_land")
    prepared = _prepared(base, table_hash, cell_m, standards_key)
    reach = _scenario_reach(
        _without(ds, "candidate_land"),
        table_hash,
        cell_m=cell_m,
        standards_key=standards_key,
        standard_id=standard_id,
        basis=basis,
    )
    grid = _park_grid(ds.subset(*_GRID_KINDS), table_hash, cell_m)
    problem = siting_problem(
        prepared,
        reach,
        tier_id=tier_id,
        method=method,  # type: ignore[arg-type]
        weights=grid.demands[demand],
        candidate_area=_layer(ds, "candidate_land"),
    )
    coverage = None
    if method == "network":  # measured once per network, grid and tier; any demand, k, scenario
        kinds = (*_GRID_KINDS, *_PARK_KINDS, "walk_network", "candidate_land")
        coverage = _site_coverage(
            ds.subset(*(k for k in kinds if k in ds.kinds())),
            table_hash,
            cell_m=cell_m,
            standards_key=standards_key,
            standard_id=standard_id,
            tier_id=tier_id,
        )
    if exact:
        result = exact_sites(problem, k, time_limit_s=60, coverage=coverage)
    else:
        result = greedy_sites(problem, k, coverage=coverage)
    return result, site_footprints(problem, result)


def suggested_sites(
    cell_m: int,
    standard_id: str,
    tier_id: str | None,
    *,
    method: str,
    basis: str,
    demand: str,
    k: int,
    exact: bool = False,
) -> tuple[SitingResult, gpd.GeoDataFrame]:
    """Return k suggested pocket-park sites and their footprints (cached per question).

    Demand the scenario already covers does not count again.
    """
    ds = active_dataset()
    kinds = _reach_set(ds, network=method == "network").kinds()
    kinds = (*kinds, *(k for k in ("planned_parks", "candidate_land") if k in ds.kinds()))
    return _suggestions(
        ds.subset(*kinds),
        _boundaries(ds)[1],
        cell_m=cell_m,
        standards_key=_standards_key(),
        standard_id=standard_id,
        tier_id=tier_id,
        method=method,
        basis=basis,
        demand=demand,
        k=k,
        exact=exact,
    )


def park_reach_for(
    cell_m: int, standard_id: str, *, network: bool, basis: str = "area"
) -> ParkReach:
    """Return every origin's distances to the standard's parks (cached; network when asked)."""
    ds = active_dataset()
    return _park_reach(
        _reach_set(ds, network=network),
        _boundaries(ds)[1],
        cell_m=cell_m,
        standards_key=_standards_key(),
        standard_id=standard_id,
        basis=basis,
    )


@_data_few
def _park_shapes(ds: DataSet) -> dict[str, Any]:
    return park_shapes(_parks(ds).parks)


@_data
def _park_display(
    ds: DataSet, standards_key: tuple[str, str], standard_id: str, lang: str, *, basis: str
) -> dict[str, Any]:
    parks = _parks(ds).parks
    standard = _standards(standards_key).standard(standard_id)
    shapes = _park_shapes(ds)
    return park_features(parks, standard, lang, shapes=shapes, basis=basis)  # type: ignore[arg-type]


def park_display(standard_id: str, lang: Lang, basis: str = "area") -> dict[str, Any]:
    """Return the active parks as map features coloured by the standard's tiers (cached)."""
    ds = active_dataset().subset(*_PARK_KINDS)
    return _park_display(ds, _standards_key(), standard_id, lang, basis=basis)


@_data_few
def _entrance_display(ds: DataSet, lang: str) -> dict[str, Any] | None:
    found = _parks(ds)
    if found.entrances is None:
        return None
    return entrance_features(found.entrances, found.parks, lang)  # type: ignore[arg-type]


def entrance_display(lang: Lang) -> dict[str, Any] | None:
    """Return the parks' stored entrances as map features (None when they have none)."""
    return _entrance_display(active_dataset().subset(*_PARK_KINDS), lang)


@_resource_few
def _park_surface_raster(ds: DataSet, table_hash: str, cell_m: int) -> SurfaceRaster:
    return surface_raster(_park_grid(ds, table_hash, cell_m).origins)


def park_surface_raster(cell_m: int) -> SurfaceRaster:
    """Return the pixel-to-origin lookup of the grid's map image (cached per grid)."""
    return _park_surface_raster(*_grid_args(active_dataset()), cell_m)


DEFAULT_PARK_CELL_M = 100


@_data_few
def _cluster_park_figures(
    ds: DataSet, table_hash: str, standards_key: tuple[str, str]
) -> pd.DataFrame:
    standard = _standards(standards_key).default
    grid = _park_grid(ds.subset(*_GRID_KINDS), table_hash, DEFAULT_PARK_CELL_M)
    reach = _park_reach(
        _reach_set(ds, network=False),
        table_hash,
        cell_m=DEFAULT_PARK_CELL_M,
        standards_key=standards_key,
        standard_id=standard.standard_id,
    )
    polygons = _cluster_polygons(ds.subset(*_BOUNDARY_KINDS), table_hash)
    parks = _parks(ds.subset(*_PARK_KINDS)).parks
    return cluster_park_table(grid, reach, polygons, parks, standard_id=standard.standard_id)


def cluster_park_figures() -> pd.DataFrame:
    """Return per-cluster park coverage by the default standard, buffer method (cached)."""
    ds = active_dataset()
    return _cluster_park_figures(
        ds.subset(*_GRID_KINDS, *_PARK_KINDS), _boundaries(ds)[1], _standards_key()
    )


@_data_few
def _unit_per_capita(ds: DataSet, table_hash: str) -> pd.Series:
    _, units, table, _ = _bundle(ds.subset(*_BOUNDARY_KINDS), table_hash)
    parks = _parks(ds.subset(*_PARK_KINDS)).parks
    population = table.set_index("unit_id")["population"].astype(float)
    frame = per_capita_park_area(parks, units, population, id_column="unit_id")
    return frame.set_index("unit_id")["per_capita_m2"]


def unit_per_capita() -> pd.Series:
    """Return each unit's park area per person where its population is cited (cached)."""
    ds = active_dataset()
    return _unit_per_capita(ds.subset(*_BOUNDARY_KINDS, *_PARK_KINDS), _boundaries(ds)[1])


@_data_few
def _two_sfca(ds: DataSet, table_hash: str, *, cell_m: int, radius_m: float, people: Any) -> Any:
    grid = _park_grid(ds.subset(*_GRID_KINDS), table_hash, cell_m)
    parks = _parks(ds.subset(*_PARK_KINDS)).parks
    return two_step_fca(grid.origins, parks, radius_m=radius_m, population=people)


def two_sfca_scores(cell_m: int, radius_m: float, people: Any) -> Any:
    """Return each origin's 2SFCA score for ``people`` on the grid (cached per input)."""
    ds = active_dataset()
    return _two_sfca(
        ds.subset(*_GRID_KINDS, *_PARK_KINDS),
        _boundaries(ds)[1],
        cell_m=cell_m,
        radius_m=radius_m,
        people=people,
    )
