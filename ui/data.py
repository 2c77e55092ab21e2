"""Cached loaders, keyed on file paths and modification times (never on frames)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.catchments import (
    catchment_coverage,
    features_per_zone_within,
    network_catchments,
    points_per_zone,
    straight_line_catchments,
)
from analysis.clusters import cluster_polygons, cluster_summary
from analysis.demand import (
    DemandGrid,
    demand_grid,
    population_weights,
    residential_weights,
)
from analysis.distances import (
    ParkReach,
    PreparedReach,
    park_reach,
    placement_key,
    prepare_reach,
)
from analysis.indicators import coverage_by_zone, per_capita_park_area, two_step_fca
from analysis.network import EdgePositions, WalkGraph, walk_graph_from_arrays
from analysis.standards import StandardSettings, standards_from_dict
from geo.active_layers import bundled_sources, osm_sources, upload_sources
from geo.boundaries import (
    Cluster,
    load_clusters,
    load_outline,
    load_sources,
    load_units,
    read_unit_table,
)
from geo.dataset import DataSet, compose_dataset
from geo.entrances import load_access_rules
from geo.layer_schema import apply_mapping
from geo.layer_store import (
    StoredLayer,
    data_dir,
    read_stored,
    server_layers,
    set_server_layer,
    store_layer,
    stored_layers,
)
from geo.osm import (
    LAYERS,
    cache_is_current,
    cache_tag,
    load_walk_arrays,
    read_cache_layer,
    upgrade_cache,
)
from geo.parks import PARKS_DIR, ParkCompleteness, bundled_parks, park_completeness
from geo.paths import CLUSTERS_PATH, OUTLINE_PATH, SOURCES_PATH, UNIT_TABLE_PATH
from geo.readers import FileInfo, ReadOptions, ReadResult, inspect_file, read_layer
from geo.standards import read_standards_file
from geo.transit import (
    TRANSIT_DIR,
    load_ecological_corridors,
    load_line_stations,
    load_lines,
    load_stations,
    stations_from_layer,
    stations_from_osm,
)
from geo.uploads import demand_layer_from_upload
from geo.walk_places import read_placement, write_placement
from layers.cluster_view import ClusterMapInputs, cluster_map_inputs
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


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else -1.0


@st.cache_data(show_spinner=False)
def _bundle(
    units_file: str, mtimes: tuple[float, ...]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    table = read_unit_table(UNIT_TABLE_PATH)
    return (
        load_outline(OUTLINE_PATH),
        load_units(Path(units_file), unit_table=table),
        table,
        load_clusters(CLUSTERS_PATH, unit_table=table),
    )


def _key(units_file: Path) -> tuple[str, tuple[float, ...]]:
    paths = (units_file, OUTLINE_PATH, UNIT_TABLE_PATH, CLUSTERS_PATH)
    return str(units_file), tuple(_mtime(p) for p in paths)


def bundle(
    units_file: Path,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    """Return outline, units, unit table and clusters (cached per file version)."""
    return _bundle(*_key(units_file))


@st.cache_data(show_spinner=False)
def _map_inputs(units_file: str, mtimes: tuple[float, ...], lang: str) -> ClusterMapInputs:
    outline, units, _, clusters = _bundle(units_file, mtimes)
    return cluster_map_inputs(outline, units, clusters, lang=lang)  # type: ignore[arg-type]


def map_inputs(units_file: Path, lang: Lang) -> ClusterMapInputs:
    """Return the cluster map's display layers in ``lang`` (cached)."""
    return _map_inputs(*_key(units_file), lang)


@st.cache_data(show_spinner=False)
def _summary(units_file: str, mtimes: tuple[float, ...]) -> pd.DataFrame:
    _, units, table, clusters = _bundle(units_file, mtimes)
    return cluster_summary(units, table, clusters)


def summary(units_file: Path) -> pd.DataFrame:
    """Return the side-by-side cluster comparison (cached)."""
    return _summary(*_key(units_file))


@st.cache_data(show_spinner=False)
def sources(mtime_value: float) -> pd.DataFrame:
    """Return the source register (cached per file version)."""
    return load_sources(SOURCES_PATH)


def sources_table() -> pd.DataFrame:
    """Return the source register."""
    return sources(_mtime(SOURCES_PATH))


@st.cache_data(show_spinner=False)
def _cluster_polygons(units_file: str, mtimes: tuple[float, ...]) -> gpd.GeoDataFrame:
    _, units, _, clusters = _bundle(units_file, mtimes)
    return cluster_polygons(units, clusters)


def cluster_polygon_frame(units_file: Path) -> gpd.GeoDataFrame:
    """Return one polygon per cluster (WGS84), cached per file version."""
    return _cluster_polygons(*_key(units_file))


@st.cache_data(show_spinner=False)
def _transit(mtimes: tuple[float, ...]) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    del mtimes  # cache key only
    return load_lines(), load_line_stations(), load_stations()


def transit() -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Return the bundled rail lines, line orders and located stations (cached)."""
    files = sorted(TRANSIT_DIR.glob("*.csv"))
    return _transit(tuple(_mtime(p) for p in files))


@st.cache_resource(show_spinner=False)
def _osm_layer(path: str, mtime: float, name: str) -> gpd.GeoDataFrame:
    del mtime  # cache key only
    return read_cache_layer(name, Path(path))


class _LazyLayers(Mapping[str, gpd.GeoDataFrame]):
    """The cache's layers, each read on first use (the walk network only when needed)."""

    def __init__(self, path: str, mtime: float) -> None:
        self._path, self._mtime = path, mtime

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        return _osm_layer(self._path, self._mtime, name)

    def __iter__(self) -> Iterator[str]:
        return iter(LAYERS)

    def __len__(self) -> int:
        return len(LAYERS)


def _osm_layers(path: str, mtime: float) -> Mapping[str, gpd.GeoDataFrame]:
    return _LazyLayers(path, mtime)


def osm_layers(path: Path) -> Mapping[str, gpd.GeoDataFrame]:
    """Return the OpenStreetMap layers of the cache (shared, read-only; never mutate)."""
    return _osm_layers(str(path), _mtime(path))


@st.cache_resource(show_spinner=False)
def _walk_graph(path: str, mtime: float) -> WalkGraph:
    del mtime  # cache key only
    return walk_graph_from_arrays(load_walk_arrays(Path(path)))


def walk_graph(path: Path) -> WalkGraph:
    """Return the shortest-path graph of the cached walk network (shared, read-only)."""
    return _walk_graph(str(path), _mtime(path))


@st.cache_data(show_spinner=False, max_entries=4)
def _is_current(path: str, mtime: float) -> bool:
    del mtime  # cache key only: a rewritten cache is checked again
    return cache_is_current(Path(path))


def _current_cache(path: Path) -> None:
    """Upgrade a cache written by an earlier version, once (a spinner says so)."""
    if not _is_current(str(path), _mtime(path)):
        with st.spinner(tr("upgrading_cache", st.session_state.get(state.LANG, "zh"))):
            upgrade_cache(path)


def active_osm_layers() -> Mapping[str, gpd.GeoDataFrame] | None:
    """Return the OpenStreetMap layers when that data set is active and cached, else None."""
    path = settings.osm_cache_path()
    if st.session_state.get(state.DATASET) == state.OSM and path.is_file():
        _current_cache(path)
        return osm_layers(path)
    return None


def stations_in_use(outline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the stations of the data set in use (planners', OSM or cited)."""
    return active_stations(active_osm_layers(), outline, active_upload("stations"))


def active_stations(
    osm: Mapping[str, gpd.GeoDataFrame] | None, outline: gpd.GeoDataFrame, upload: str = ""
) -> gpd.GeoDataFrame:
    """The planners' stations, else the OpenStreetMap stations in the county, else the cited."""
    if upload:
        return stations_from_layer(_stored(upload))
    if osm is not None and not osm["rail_stations"].empty:
        return stations_from_osm(osm["rail_stations"], outline)
    return transit()[2]


@st.cache_data(show_spinner=False)
def _corridors(mtime: float) -> pd.DataFrame:
    del mtime  # cache key only
    return load_ecological_corridors()


def ecological_corridors() -> pd.DataFrame:
    """Return the cited ecological-corridor rivers (cached per file version)."""
    return _corridors(_mtime(TRANSIT_DIR / "ecological_corridors.csv"))


@st.cache_data(show_spinner=False, max_entries=32)
def _catchments(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    radius_m: int,
    method: str,
) -> gpd.GeoDataFrame:
    osm_path, osm_mtime, uploads = osm
    outline = _bundle(units_file, mtimes)[0]
    layers = _osm_layers(osm_path, osm_mtime) if osm_path else None
    stations = active_stations(layers, outline, _upload_in(uploads, "stations"))
    if method == "network" and layers is not None:
        graph = _walk_graph(osm_path, osm_mtime)
        return network_catchments(graph, stations, radius_m=radius_m)
    return straight_line_catchments(stations, radius_m=radius_m)


# What the cached computations depend on besides the bundled files: the OpenStreetMap
# cache (path and version; "" when not active) and the planners' layers in use
# ("parks=<hash>;stations=<hash>", empty for OSM/bundled ones).
DataKey = tuple[str, float, str]


def _osm_key() -> DataKey:
    path = settings.osm_cache_path()
    osm_active = st.session_state.get(state.DATASET) == state.OSM and path.is_file()
    if osm_active:
        _current_cache(path)
    uploads = ";".join(f"{k}={h}" for k in UPLOAD_KINDS if (h := active_upload(k)))
    return (str(path), _mtime(path), uploads) if osm_active else ("", -1.0, uploads)


# The kinds a planner's layer can replace in the pages (others are stored for later use).
UPLOAD_KINDS = ("parks", "stations", "residential", "population")


def _upload_in(uploads: str, kind: str) -> str:
    """Return the stored layer hash of ``kind`` in a data key's uploads ("" for none)."""
    for item in uploads.split(";"):
        name, _, content = item.partition("=")
        if name == kind:
            return content
    return ""


@st.cache_data(show_spinner=False)
def _server_layers(mtime: float) -> dict[str, str]:
    del mtime  # cache key only
    return server_layers()


def active_upload(kind: str) -> str:
    """Return the content hash of the planner's layer of ``kind`` in use ("" for none).

    The session's own choice (an upload, or "" to go back to OSM/bundled) wins over
    the server's layer.
    """
    session = st.session_state.get(state.SESSION_LAYERS) or {}
    if kind in session:
        return str(session[kind])
    path = data_dir() / "server.json"
    return _server_layers(_mtime(path)).get(kind, "")


@st.cache_resource(show_spinner=False, max_entries=8)
def _stored(content_hash: str) -> gpd.GeoDataFrame:
    return read_stored(content_hash)


@st.cache_data(show_spinner=False, max_entries=16)
def _dataset(osm_path: str, osm_mtime: float, server_mtime: float, session: tuple) -> DataSet:
    del osm_mtime, server_mtime  # cache keys only
    osm = osm_sources(Path(osm_path)) if osm_path else {}
    # The session's own choices: an upload of its own, or "" to go below the server's.
    back = {kind for kind, content in session if not content}
    server = upload_sources(server_layers(), scope="server")
    own = upload_sources({k: c for k, c in session if c}, scope="session")
    kept = {k: v for k, v in server.items() if k not in back}
    return compose_dataset(bundled_sources(), osm, kept, own)


def active_dataset() -> DataSet:
    """Return the data set in use: bundled, OSM (when chosen), the server's and the session's."""
    key = _osm_key()
    session = tuple(sorted((st.session_state.get(state.SESSION_LAYERS) or {}).items()))
    return _dataset(key[0], key[1], _mtime(data_dir() / "server.json"), session)


@st.cache_data(show_spinner=False, max_entries=4)
def inspect_upload(content: bytes, file_name: str) -> FileInfo:
    """Look into an uploaded file once (format, layers, CRS, encoding, columns)."""
    return inspect_file(content, file_name)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_upload(
    content: bytes, file_name: str, crs: str | None, encoding: str | None, layer: str | None
) -> ReadResult:
    return read_layer(content, file_name, ReadOptions(crs=crs, encoding=encoding, layer=layer))


def read_upload(content: bytes, file_name: str, options: ReadOptions) -> ReadResult:
    """Read an uploaded file with the planner's choices (cached per file and choices)."""
    return _read_upload(content, file_name, options.crs, options.encoding, options.layer)


@st.cache_data(show_spinner=False, max_entries=4)
def _fitted_upload(  # noqa: PLR0917 - a cache key: every argument counts
    content: bytes,
    file_name: str,
    crs: str | None,
    encoding: str | None,
    layer: str | None,
    kind: str,
    mapping: tuple[tuple[str, str], ...],
) -> gpd.GeoDataFrame:
    result = _read_upload(content, file_name, crs, encoding, layer)
    prefix = f"upload:{hashlib.sha256(content).hexdigest()[:8]}"
    return apply_mapping(result.gdf, kind, dict(mapping), id_prefix=prefix)


def fitted_upload(
    content: bytes,
    file_name: str,
    options: ReadOptions,
    kind: str,
    mapping: tuple[tuple[str, str], ...],
) -> gpd.GeoDataFrame:
    """Return the uploaded layer in the schema of ``kind`` with the planner's column mapping."""
    return _fitted_upload(
        content, file_name, options.crs, options.encoding, options.layer, kind, mapping
    )


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


def catchments(units_file: Path, radius_m: int, method: str) -> gpd.GeoDataFrame:
    """Return the active stations' catchments (cached per data version, radius and method)."""
    return _catchments(*_key(units_file), _osm_key(), radius_m, method)


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(
    units_file: str, mtimes: tuple[float, ...], osm: DataKey, radius_m: int, method: str
) -> pd.DataFrame:
    outline = _bundle(units_file, mtimes)[0]
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    polygons = _cluster_polygons(units_file, mtimes)
    reach = _catchments(units_file, mtimes, osm, radius_m, method)
    residential = layers["residential"] if layers is not None else None
    coverage = catchment_coverage(polygons, reach, residential=residential)
    stations = active_stations(layers, outline, _upload_in(osm[2], "stations"))
    coverage["stations"] = points_per_zone(polygons, stations).to_numpy()
    if layers is not None or osm[2]:
        parks, _ = _active_parks(layers, _upload_in(osm[2], "parks"))
        parks = features_per_zone_within(polygons, reach, parks)
        coverage["parks_within"] = parks.to_numpy()
    return coverage


def coverage(units_file: Path, radius_m: int, method: str) -> pd.DataFrame:
    """Return per-cluster station coverage (cached per data version, radius and method)."""
    return _coverage(*_key(units_file), _osm_key(), radius_m, method)


@st.cache_data(show_spinner=False, max_entries=8)
def _transit_inputs(
    units_file: str, mtimes: tuple[float, ...], osm: DataKey, lang: str
) -> TransitMapInputs:
    outline = _bundle(units_file, mtimes)[0]
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    lines, line_stations, _ = transit()
    return transit_map_inputs(
        lines=lines,
        line_stations=line_stations,
        stations=active_stations(layers, outline, _upload_in(osm[2], "stations")),
        lang=lang,  # type: ignore[arg-type]
        osm=layers,
        corridors=ecological_corridors(),
    )


def transit_inputs(units_file: Path, lang: Lang) -> TransitMapInputs:
    """Return the corridors map's transit layers in ``lang`` (cached per data version)."""
    return _transit_inputs(*_key(units_file), _osm_key(), lang)


# --- parks within reach ---------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _load_standards(path: str, mtime: float) -> StandardSettings:
    del mtime  # cache key only
    return standards_from_dict(read_standards_file(Path(path)))


def _standards(key: tuple[str, float]) -> StandardSettings:
    return _load_standards(*key)


def _standards_key() -> tuple[str, float]:
    path = settings.park_standards_path()
    return str(path), _mtime(path)


def park_standards() -> StandardSettings:
    """Return the park standards (cached per file version; bilingual error if broken)."""
    return _standards(_standards_key())


@st.cache_data(show_spinner=False)
def _bundled_parks(mtimes: tuple[float, ...]) -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    del mtimes  # cache key only
    return bundled_parks(PARKS_DIR), park_completeness(PARKS_DIR)


def bundled_park_set() -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    """Return the bundled located parks and the register's completeness (cached)."""
    return _bundled_parks(tuple(_mtime(p) for p in sorted(PARKS_DIR.glob("*.csv"))))


def _active_parks(
    osm: Mapping[str, gpd.GeoDataFrame] | None, upload: str = ""
) -> tuple[gpd.GeoDataFrame, Any]:
    """The parks in use and their stored entrances (None: found by the rule when needed)."""
    if upload:
        return _stored(upload), None
    if osm is not None and not osm["parks"].empty:
        return osm["parks"], osm["park_access"]
    return bundled_park_set()[0], None


def active_parks() -> tuple[gpd.GeoDataFrame, str]:
    """Return the parks in use and where they come from ("upload", "osm" or "bundled")."""
    osm = active_osm_layers()
    upload = active_upload("parks")
    parks, access = _active_parks(osm, upload)
    return parks, "upload" if upload else "osm" if access is not None else "bundled"


ParkGrid = DemandGrid


@st.cache_resource(show_spinner=False, max_entries=4)
def _park_grid(
    units_file: str, mtimes: tuple[float, ...], osm: DataKey, cell_m: int
) -> DemandGrid:
    outline, units, table, _ = _bundle(units_file, mtimes)
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    upload = _upload_in(osm[2], "residential")
    residential = _stored(upload) if upload else layers["residential"] if layers else None
    people = _upload_in(osm[2], "population")
    return demand_grid(
        outline,
        units,
        table,
        _cluster_polygons(units_file, mtimes),
        cell_m=cell_m,
        water=layers["water_areas"] if layers is not None else None,
        residential=residential,
        population=_stored(people) if people else None,
    )


def park_grid(units_file: Path, cell_m: int) -> ParkGrid:
    """Return the demand grid of the active data set (cached per data version and cell size)."""
    return _park_grid(*_key(units_file), _osm_key(), cell_m)


@st.cache_resource(show_spinner=False, max_entries=4)
def _prepared(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    cell_m: int,
    standards_key: tuple[str, float],
    *,
    network: bool,
) -> PreparedReach:
    """Prepare the parks once per grid (entrances and origins on the network when asked)."""
    grid = _park_grid(units_file, mtimes, osm, cell_m)
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    parks, entrances = _active_parks(layers, _upload_in(osm[2], "parks"))
    rules = load_access_rules()
    limit = _standards(standards_key).search_limit_m
    if not network or layers is None:
        return prepare_reach(grid.origins, parks, rules=rules, limit_m=limit)
    # Where the grid's origins start on the network is stored beside the cache once.
    cache = Path(osm[0])
    key = placement_key(cache_tag(cache), grid.origins, parks, rules)
    stored = read_placement(cache, key)
    prepared = prepare_reach(
        grid.origins,
        parks,
        graph=_walk_graph(osm[0], osm[1]),
        entrances=entrances,
        rules=rules,
        limit_m=limit,
        origin_positions=None if stored is None else EdgePositions.from_arrays(stored),
        boundaries=_prepared(
            units_file, mtimes, osm, cell_m, standards_key, network=False
        ).boundaries,
    )
    if stored is None and prepared.walk is not None:
        with contextlib.suppress(OSError):  # a read-only cache folder: recompute next time
            write_placement(cache, key, prepared.walk.origins.as_arrays())
    return prepared


@st.cache_resource(show_spinner=False, max_entries=8)
def _park_reach(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    *,
    cell_m: int,
    standards_key: tuple[str, float],
    standard_id: str,
    network: bool,
    basis: str = "area",
) -> ParkReach:
    prepared = _prepared(
        units_file, mtimes, osm, cell_m, standards_key, network=network and bool(osm[0])
    )
    standard = _standards(standards_key).standard(standard_id)
    return park_reach(prepared, standard, basis=basis)  # type: ignore[arg-type]


def park_reach_for(
    units_file: Path, cell_m: int, standard_id: str, *, network: bool, basis: str = "area"
) -> ParkReach:
    """Return every origin's distances to the standard's parks (cached; network when asked)."""
    return _park_reach(
        *_key(units_file),
        _osm_key(),
        cell_m=cell_m,
        standards_key=_standards_key(),
        standard_id=standard_id,
        network=network,
        basis=basis,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def _park_shapes(osm: DataKey, park_mtimes: tuple[float, ...]) -> dict[str, Any]:
    del park_mtimes  # cache key only
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    return park_shapes(_active_parks(layers, _upload_in(osm[2], "parks"))[0])


@st.cache_data(show_spinner=False, max_entries=16)
def _park_display(
    osm: DataKey,
    park_mtimes: tuple[float, ...],
    standards_key: tuple[str, float],
    standard_id: str,
    lang: str,
    *,
    basis: str,
) -> dict[str, Any]:
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    parks, _ = _active_parks(layers, _upload_in(osm[2], "parks"))
    standard = _standards(standards_key).standard(standard_id)
    shapes = _park_shapes(osm, park_mtimes)
    return park_features(parks, standard, lang, shapes=shapes, basis=basis)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=4)
def _entrance_display(osm: DataKey, lang: str) -> dict[str, Any]:
    layers = _osm_layers(osm[0], osm[1])
    return entrance_features(layers["park_access"], layers["parks"], lang)  # type: ignore[arg-type]


def entrance_display(lang: Lang) -> dict[str, Any] | None:
    """Return the active OpenStreetMap parks' entrances as map features (None without OSM)."""
    osm = _osm_key()
    return _entrance_display(osm, lang) if osm[0] else None


def park_display(standard_id: str, lang: Lang, basis: str = "area") -> dict[str, Any]:
    """Return the active parks as map features coloured by the standard's tiers (cached)."""
    park_mtimes = tuple(_mtime(p) for p in sorted(PARKS_DIR.glob("*.csv")))
    return _park_display(
        _osm_key(), park_mtimes, _standards_key(), standard_id, lang, basis=basis
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _park_surface_raster(
    units_file: str, mtimes: tuple[float, ...], osm: DataKey, cell_m: int
) -> SurfaceRaster:
    return surface_raster(_park_grid(units_file, mtimes, osm, cell_m).origins)


def park_surface_raster(units_file: Path, cell_m: int) -> SurfaceRaster:
    """Return the pixel-to-origin lookup of the grid's map image (cached per grid)."""
    return _park_surface_raster(*_key(units_file), _osm_key(), cell_m)


DEFAULT_PARK_CELL_M = 100


@st.cache_data(show_spinner=False, max_entries=4)
def _cluster_park_figures(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    standards_key: tuple[str, float],
) -> pd.DataFrame:
    standard = _standards(standards_key).default
    grid = _park_grid(units_file, mtimes, osm, DEFAULT_PARK_CELL_M)
    reach = _park_reach(
        units_file,
        mtimes,
        osm,
        cell_m=DEFAULT_PARK_CELL_M,
        standards_key=standards_key,
        standard_id=standard.standard_id,
        network=False,
    )
    demand = "residential" if "residential" in grid.demands else "land"
    origins = grid.origins.with_weights(grid.demands[demand], demand)  # type: ignore[arg-type]
    table = coverage_by_zone(origins, reach, grid.cluster_of).set_index("zone")
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    parks, _ = _active_parks(layers, _upload_in(osm[2], "parks"))
    polygons = _cluster_polygons(units_file, mtimes)
    spots = gpd.GeoDataFrame(geometry=parks.representative_point(), crs=parks.crs)
    per_cluster = points_per_zone(polygons, spots).set_axis(polygons["cluster_id"])
    table["parks"] = per_cluster.reindex(table.index).fillna(len(parks)).astype(int)
    table["standard_id"] = standard.standard_id
    table["demand"] = demand
    return table


def cluster_park_figures(units_file: Path) -> pd.DataFrame:
    """Return per-cluster park coverage by the default standard, buffer method (cached)."""
    return _cluster_park_figures(*_key(units_file), _osm_key(), _standards_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _uploaded_demand(
    units_file: str, mtimes: tuple[float, ...], osm: DataKey, cell_m: int, content: bytes
) -> tuple[Any, float, str]:
    grid = _park_grid(units_file, mtimes, osm, cell_m)
    layer, kind = demand_layer_from_upload(content)
    if kind == "residential":
        total = float(layer.to_crs(grid.origins.crs).area.sum())
        return residential_weights(grid.origins, layer), total, kind
    return population_weights(grid.origins, layer), float(layer["population"].sum()), kind


def uploaded_demand(units_file: Path, cell_m: int, content: bytes) -> tuple[Any, float, str]:
    """Return an uploaded demand on the grid, the file's total and its kind (cached)."""
    return _uploaded_demand(*_key(units_file), _osm_key(), cell_m, content)


@st.cache_data(show_spinner=False, max_entries=4)
def _unit_per_capita(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    park_mtimes: tuple[float, ...],
) -> pd.Series:
    del park_mtimes  # cache key only
    _, units, table, _ = _bundle(units_file, mtimes)
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    parks, _ = _active_parks(layers, _upload_in(osm[2], "parks"))
    population = table.set_index("unit_id")["population"].astype(float)
    frame = per_capita_park_area(parks, units, population, id_column="unit_id")
    return frame.set_index("unit_id")["per_capita_m2"]


def unit_per_capita(units_file: Path) -> pd.Series:
    """Return each unit's park area per person where its population is cited (cached)."""
    park_mtimes = tuple(_mtime(p) for p in sorted(PARKS_DIR.glob("*.csv")))
    return _unit_per_capita(*_key(units_file), _osm_key(), park_mtimes)


@st.cache_data(show_spinner=False, max_entries=4)
def uploaded_demand_kind(content: bytes) -> str:
    """Read an uploaded demand file once and return its kind (a bad file raises each time)."""
    return demand_layer_from_upload(content)[1]


@st.cache_data(show_spinner=False, max_entries=8)
def _two_sfca(
    units_file: str,
    mtimes: tuple[float, ...],
    osm: DataKey,
    *,
    cell_m: int,
    radius_m: float,
    people: Any,
) -> Any:
    grid = _park_grid(units_file, mtimes, osm, cell_m)
    layers = _osm_layers(osm[0], osm[1]) if osm[0] else None
    parks, _ = _active_parks(layers, _upload_in(osm[2], "parks"))
    return two_step_fca(grid.origins, parks, radius_m=radius_m, population=people)


def two_sfca_scores(units_file: Path, cell_m: int, radius_m: float, people: Any) -> Any:
    """Return each origin's 2SFCA score for ``people`` on the grid (cached per input)."""
    return _two_sfca(*_key(units_file), _osm_key(), cell_m=cell_m, radius_m=radius_m, people=people)
