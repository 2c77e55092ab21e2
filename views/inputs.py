"""What the pages draw on, once per data version: boundaries, clusters, transit, catchments.

Every function takes the data set (the whole one: each keeps only the layers it
reads, so a computation is reused when other layers change) and is remembered
by :func:`views.memo.memo` on the version of those layers. Results are shared:
tables come as copies, layers and graphs as the one read-only object.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.catchments import (
    StationReach,
    network_catchments,
    points_within,
    station_coverage_table,
    station_reach,
    straight_line_catchments,
)
from analysis.clusters import cluster_polygons, cluster_summary
from analysis.network import WalkGraph, walk_graph_from_arrays
from geo.boundaries import Cluster, load_clusters, read_unit_table
from geo.store.active import (
    ParkLayer,
    data_extent,
    load_layer,
    optional_layer,
    parks_of,
    setting_path,
    stations_of,
    units_of,
    walk_arrays_of,
)
from geo.store.dataset import DataSet, file_sha256
from geo.transit import (
    TRANSIT_DIR,
    load_ecological_corridors,
    load_line_stations,
    load_lines,
)
from layers.cluster_view import ClusterMapInputs, cluster_map_inputs, fit_to_data
from layers.corridors_view import TransitMapInputs, transit_map_inputs
from layers.labels import Lang
from views.memo import memo

__all__ = [
    "BOUNDARY_KINDS",
    "GRID_KINDS",
    "PARK_KINDS",
    "Bundle",
    "bundle",
    "catchments",
    "cluster_polygon_frame",
    "coverage",
    "ecological_corridors",
    "has_walk_network",
    "layer",
    "map_inputs",
    "map_view_bounds",
    "parks",
    "parks_counted",
    "plan_lines",
    "station_reach_of",
    "stations",
    "stations_in_cluster",
    "summary",
    "transit",
    "transit_inputs",
    "unit_table",
    "walk_graph",
]

BOUNDARY_KINDS = ("outline", "units", "unit_table", "clusters")
GRID_KINDS = (*BOUNDARY_KINDS, "water_areas", "residential", "population")
PARK_KINDS = ("parks", "park_entrances")

Bundle = tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]


def _kept(ds: DataSet, *kinds: str) -> DataSet:
    return ds.subset(*(k for k in kinds if k in ds.kinds()))


# --- layers, read once per content -----------------------------------------------------------


@memo(max_entries=32, copy=False)
def _layer_of(ds: DataSet, kind: str) -> gpd.GeoDataFrame | None:
    return optional_layer(ds, kind)


def layer(ds: DataSet, kind: str) -> gpd.GeoDataFrame | None:
    """Return the layer ``kind`` of ``ds`` (shared, read-only: never mutate), None without one."""
    return _layer_of(ds.subset(kind), kind)


@memo(max_entries=8, copy=False)
def _parks(ds: DataSet) -> ParkLayer:
    return parks_of(ds)


def parks(ds: DataSet) -> ParkLayer:
    """Return the parks in use, their stored entrances and their origin (shared, read-only)."""
    return _parks(ds.subset(*PARK_KINDS))


@memo(max_entries=4, copy=False)
def _walk_graph(ds: DataSet) -> WalkGraph | None:
    arrays = walk_arrays_of(ds)
    return walk_graph_from_arrays(arrays) if arrays is not None else None


def walk_graph(ds: DataSet) -> WalkGraph | None:
    """Return the data set's walk network as a graph (None without one; shared)."""
    return _walk_graph(ds.subset("walk_network"))


def has_walk_network(ds: DataSet) -> bool:
    """Whether the data set has a walk network (walking figures are offered)."""
    return ds.source("walk_network") is not None


def plan_lines(ds: DataSet) -> gpd.GeoDataFrame | None:
    """Return the planner's plan networks (lines with names) when the data set has them."""
    return layer(ds, "plan_lines")


# --- boundaries and clusters -----------------------------------------------------------------


@memo(max_entries=8)
def _unit_table(ds: DataSet) -> pd.DataFrame:
    return read_unit_table(setting_path(ds, "unit_table"))


def unit_table(ds: DataSet) -> pd.DataFrame:
    """Return the planning-unit table (names, seats, cited areas and populations)."""
    return _unit_table(ds.subset("unit_table"))


@memo(max_entries=8)
def _bundle(ds: DataSet) -> Bundle:
    table = _unit_table(ds.subset("unit_table"))
    return (
        load_layer(ds, "outline"),
        units_of(ds),
        table,
        load_clusters(setting_path(ds, "clusters"), unit_table=table),
    )


def bundle(ds: DataSet) -> Bundle:
    """Return the outline, units, unit table and clusters of ``ds``."""
    return _bundle(ds.subset(*BOUNDARY_KINDS))


@memo(max_entries=16)
def _map_inputs(ds: DataSet, lang: Lang) -> ClusterMapInputs:
    outline, units, _, clusters = _bundle(ds)
    return cluster_map_inputs(outline, units, clusters, lang=lang)


def map_inputs(ds: DataSet, lang: Lang) -> ClusterMapInputs:
    """Return the cluster map's display layers in ``lang``."""
    return _map_inputs(ds.subset(*BOUNDARY_KINDS), lang)


@memo(max_entries=8)
def _summary(ds: DataSet) -> pd.DataFrame:
    _, units, table, clusters = _bundle(ds)
    return cluster_summary(units, table, clusters)


def summary(ds: DataSet) -> pd.DataFrame:
    """Return the side-by-side cluster comparison."""
    return _summary(ds.subset(*BOUNDARY_KINDS))


@memo(max_entries=8)
def _cluster_polygons(ds: DataSet) -> gpd.GeoDataFrame:
    _, units, _, clusters = _bundle(ds)
    return cluster_polygons(units, clusters)


def cluster_polygon_frame(ds: DataSet) -> gpd.GeoDataFrame:
    """Return one polygon per cluster (WGS84)."""
    return _cluster_polygons(ds.subset(*BOUNDARY_KINDS))


@memo(max_entries=8)
def _extent(ds: DataSet) -> tuple[float, float, float, float] | None:
    return data_extent(ds)


_EXTENT_KINDS = ("walk_network", "parks", "stations", "residential", "population", "units")


def map_view_bounds(ds: DataSet) -> tuple[float, float, float, float]:
    """Return the bounds a page's map opens on: the county, or the data when it covers part."""
    outline = bundle(ds)[0]
    box = tuple(float(v) for v in outline.total_bounds)
    return fit_to_data(box, _extent(_kept(ds, *_EXTENT_KINDS)))  # type: ignore[arg-type]


# --- transit ---------------------------------------------------------------------------------


def _files_hash(*paths: Path) -> str:
    """One hash of the bundled registers' bytes (memoised per file while it stays the same)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(file_sha256(path).encode() if path.is_file() else f"-{path}".encode())
    return digest.hexdigest()


@memo(max_entries=4)
def _transit(content: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    del content  # the key: the register's files
    return load_lines(), load_line_stations()


def transit() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the bundled rail lines and their station orders (the cited register)."""
    return _transit(_files_hash(*sorted(TRANSIT_DIR.glob("*.csv"))))


@memo(max_entries=4)
def _corridors(content: str) -> pd.DataFrame:
    del content  # the key: the register's file
    return load_ecological_corridors()


def ecological_corridors() -> pd.DataFrame:
    """Return the cited ecological-corridor rivers."""
    return _corridors(_files_hash(TRANSIT_DIR / "ecological_corridors.csv"))


@memo(max_entries=8)
def _stations(ds: DataSet) -> gpd.GeoDataFrame:
    return stations_of(ds, load_layer(ds, "outline"))


def stations(ds: DataSet) -> gpd.GeoDataFrame:
    """Return the stations in use (planners', OSM or cited)."""
    return _stations(ds.subset("outline", "stations"))


@memo(max_entries=16)
def _stations_in(ds: DataSet, cluster_id: str) -> gpd.GeoDataFrame:
    polygons = _cluster_polygons(ds.subset(*BOUNDARY_KINDS)).set_index("cluster_id")
    return points_within(_stations(ds.subset("outline", "stations")), polygons.geometry[cluster_id])


def stations_in_cluster(ds: DataSet, cluster_id: str) -> gpd.GeoDataFrame:
    """Return the stations in use that lie inside the cluster ``cluster_id``."""
    return _stations_in(ds.subset(*BOUNDARY_KINDS, "stations"), cluster_id)


@memo(max_entries=8)
def _catchments(ds: DataSet, radius_m: int, method: str) -> gpd.GeoDataFrame:
    found = _stations(ds.subset("outline", "stations"))
    graph = _walk_graph(ds.subset("walk_network")) if method == "network" else None
    if graph is not None:
        return network_catchments(graph, found, radius_m=radius_m)
    return straight_line_catchments(found, radius_m=radius_m)


def catchments(ds: DataSet, radius_m: int, method: str) -> gpd.GeoDataFrame:
    """Return the stations' catchments for ``radius_m`` by ``method`` (straight or network)."""
    return _catchments(ds.subset("outline", "stations", "walk_network"), radius_m, method)


def parks_counted(ds: DataSet) -> bool:
    """Whether the data set's parks are complete enough to count (not the 2 bundled ones)."""
    source = ds.source("parks")
    return source is not None and source.origin != "bundled"


def station_reach_of(
    ds: DataSet, station_id: str | None, radius_m: int, method: str
) -> StationReach | None:
    """Return a station's catchment area and the parks it touches (None: no such catchment).

    The parks are listed only where they are counted (:func:`parks_counted`).
    """
    if station_id is None:
        return None
    found = catchments(ds, radius_m, method)
    return station_reach(station_id, found, parks(ds).parks if parks_counted(ds) else None)


@memo(max_entries=8)
def _coverage(ds: DataSet, radius_m: int, method: str) -> pd.DataFrame:
    counted = parks_counted(ds)  # 2 located parks: no count
    return station_coverage_table(
        _cluster_polygons(ds.subset(*BOUNDARY_KINDS)),
        catchments(ds, radius_m, method),
        stations(ds),
        residential=layer(ds, "residential"),
        parks=parks(ds).parks if counted else None,
    )


def coverage(ds: DataSet, radius_m: int, method: str) -> pd.DataFrame:
    """Return per-cluster station coverage for ``radius_m`` by ``method``."""
    kinds = (*BOUNDARY_KINDS, "stations", "walk_network", "residential", *PARK_KINDS)
    return _coverage(_kept(ds, *kinds), radius_m, method)


@memo(max_entries=8)
def _transit_inputs(ds: DataSet, lang: Lang) -> TransitMapInputs:
    lines, line_stations = transit()
    kinds = ("rail_lines", "roads", "water_lines", "water_areas")
    found = {kind: layer(ds, kind) for kind in kinds}
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    osm: dict[str, gpd.GeoDataFrame] | None = {
        k: v if v is not None else empty for k, v in found.items()
    }
    if all(v is None for v in found.values()):
        osm = None
    return transit_map_inputs(
        lines=lines,
        line_stations=line_stations,
        stations=stations(ds),
        lang=lang,
        osm=osm,
        corridors=ecological_corridors(),
    )


def transit_inputs(ds: DataSet, lang: Lang) -> TransitMapInputs:
    """Return the corridors map's transit layers in ``lang``."""
    kinds = ("outline", "stations", "rail_lines", "roads", "water_lines", "water_areas")
    return _transit_inputs(_kept(ds, *kinds), lang)
