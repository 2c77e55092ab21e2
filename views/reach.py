"""Parks within reach, computed once per data version: standards, grid, distances, scenario, sites.

The chosen standard is resolved once (:func:`park_standards` then
:meth:`~analysis.standards.StandardSettings.standard`) and passed down as an
object; its settings file is a layer of the data set, so every result here is
keyed on the data set's version alone.
"""

from __future__ import annotations

import contextlib
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.clusters import cluster_park_table
from analysis.demand import DemandGrid, demand_grid
from analysis.distances import (
    ParkReach,
    PreparedReach,
    park_reach,
    prepare_reach,
    with_planned_park,
)
from analysis.indicators import per_capita_park_area, two_step_fca
from analysis.network import EdgePositions
from analysis.siting.problem import SitingResult, siting_problem
from analysis.siting.search import exact_sites, greedy_sites, site_footprints
from analysis.siting.walking import WalkCoverage, walk_coverage
from analysis.standards import ParkStandard, StandardSettings, TierBasis, standards_from_dict
from geo.crs import DISPLAY_CRS
from geo.osm.cache import cache_tag
from geo.osm.entrances import AccessRules, load_access_rules
from geo.osm.walk_places import placement_key, read_placement, write_placement
from geo.parks import PARKS_DIR, ParkCompleteness, bundled_parks, park_completeness
from geo.standards import read_standards_file
from geo.store.active import osm_cache_of, setting_path
from geo.store.dataset import DataSet
from layers.labels import Lang
from layers.parks_view import (
    SurfaceRaster,
    entrance_features,
    park_features,
    park_shapes,
    surface_raster,
)
from views.inputs import (
    BOUNDARY_KINDS,
    GRID_KINDS,
    PARK_KINDS,
    _files_hash,
    bundle,
    cluster_polygon_frame,
    layer,
    parks,
    walk_graph,
)
from views.memo import memo

__all__ = [
    "DEFAULT_PARK_CELL_M",
    "REACH_KINDS",
    "access_rules",
    "bundled_park_set",
    "cluster_park_figures",
    "entrance_display",
    "park_display",
    "park_grid",
    "park_reach_for",
    "park_standards",
    "park_surface_raster",
    "planned",
    "scenario_reach_for",
    "suggested_sites",
    "two_sfca_scores",
    "unit_per_capita",
    "without",
]

DEFAULT_PARK_CELL_M = 100
REACH_KINDS = (*GRID_KINDS, *PARK_KINDS, "park_standards", "access_rules")


def without(ds: DataSet, *kinds: str) -> DataSet:
    """Return the data set less ``kinds`` (e.g. the existing parks, before the scenario)."""
    return ds.subset(*(k for k in ds.kinds() if k not in kinds))


def _reach_set(ds: DataSet, *, network: bool, extra: tuple[str, ...] = ()) -> DataSet:
    return ds.subset(*REACH_KINDS, *(("walk_network",) if network else ()), *extra)


# --- settings --------------------------------------------------------------------------------


@memo(max_entries=8, copy=False)
def _standards(ds: DataSet) -> StandardSettings:
    return standards_from_dict(read_standards_file(setting_path(ds, "park_standards")))


def park_standards(ds: DataSet) -> StandardSettings:
    """Return the park standards of ``ds`` (bilingual error if the file is broken)."""
    return _standards(ds.subset("park_standards"))


@memo(max_entries=8, copy=False)
def _access_rules(ds: DataSet) -> AccessRules:
    return load_access_rules(setting_path(ds, "access_rules"))


def access_rules(ds: DataSet) -> AccessRules:
    """Return the park-access rules of ``ds`` (where walkers enter a park)."""
    return _access_rules(ds.subset("access_rules"))


@memo(max_entries=4)
def _bundled_parks(content: str) -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    del content  # the key: the register's files
    return bundled_parks(PARKS_DIR), park_completeness(PARKS_DIR)


def bundled_park_set() -> tuple[gpd.GeoDataFrame, ParkCompleteness]:
    """Return the bundled located parks and the register's completeness."""
    return _bundled_parks(_files_hash(*sorted(PARKS_DIR.glob("*.csv"))))


def planned(ds: DataSet) -> gpd.GeoDataFrame | None:
    """Return the scenario's planned parks (WGS84), None when no scenario is in use."""
    return layer(ds, "planned_parks")


# --- the demand grid and the distances ---------------------------------------------------------


@memo(max_entries=4, copy=False)
def _park_grid(ds: DataSet, cell_m: int) -> DemandGrid:
    outline, units, table, _ = bundle(ds)
    return demand_grid(
        outline,
        units,
        table,
        cluster_polygon_frame(ds),
        cell_m=cell_m,
        water=layer(ds, "water_areas"),
        residential=layer(ds, "residential"),
        population=layer(ds, "population"),
    )


def park_grid(ds: DataSet, cell_m: int) -> DemandGrid:
    """Return the demand grid of ``ds`` for cells of ``cell_m`` metres (shared, read-only)."""
    return _park_grid(ds.subset(*GRID_KINDS), cell_m)


@memo(max_entries=4, copy=False)
def _prepared(ds: DataSet, cell_m: int) -> PreparedReach:
    """Prepare the parks once per grid (entrances and origins on the network when it has one)."""
    grid = park_grid(ds, cell_m)
    found = parks(ds)
    rules = access_rules(ds)
    limit = park_standards(ds).search_limit_m
    graph = walk_graph(ds)
    cache = osm_cache_of(ds)
    if graph is None or cache is None:
        return prepare_reach(grid.origins, found.parks, rules=rules, limit_m=limit)
    # Where the grid's origins start on the network is stored beside the cache once.
    key = placement_key(cache_tag(cache), grid.origins, found.parks, rules)
    stored = read_placement(cache, key)
    straight = _prepared(without(ds, "walk_network"), cell_m)
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


@memo(max_entries=32, copy=False)
def _park_reach(ds: DataSet, standard: ParkStandard, *, cell_m: int, basis: TierBasis) -> ParkReach:
    return park_reach(_prepared(ds, cell_m), standard, basis=basis)


def park_reach_for(
    ds: DataSet,
    standard: ParkStandard,
    *,
    cell_m: int,
    network: bool,
    basis: TierBasis = "area",
) -> ParkReach:
    """Return every origin's distances to ``standard``'s parks (on foot too when ``network``)."""
    return _park_reach(_reach_set(ds, network=network), standard, cell_m=cell_m, basis=basis)


@memo(max_entries=16, copy=False)
def _scenario_reach(
    ds: DataSet, standard: ParkStandard, *, cell_m: int, basis: TierBasis
) -> ParkReach:
    base = without(ds, "planned_parks")
    before = _park_reach(base, standard, cell_m=cell_m, basis=basis)
    found = layer(ds, "planned_parks")
    if found is None:
        return before
    return with_planned_park(before, _prepared(base, cell_m), found)


def scenario_reach_for(
    ds: DataSet,
    standard: ParkStandard,
    *,
    cell_m: int,
    network: bool,
    basis: TierBasis = "area",
) -> ParkReach | None:
    """Return the distances with the scenario's planned parks (None without a scenario).

    One pass from the planned parks' entrances on top of the cached distances
    (:func:`analysis.distances.with_planned_park`), remembered per scenario.
    """
    if "planned_parks" not in ds.kinds():
        return None
    return _scenario_reach(
        _reach_set(ds, network=network, extra=("planned_parks",)),
        standard,
        cell_m=cell_m,
        basis=basis,
    )


# --- suggested sites ---------------------------------------------------------------------------


@memo(max_entries=4, copy=False)
def _site_coverage(
    ds: DataSet, standard: ParkStandard, *, cell_m: int, tier_id: str | None
) -> WalkCoverage:
    """Every candidate site's walking coverage (per network, grid, tier, candidate land)."""
    base = without(ds, "candidate_land")
    problem = siting_problem(
        _prepared(base, cell_m),
        _park_reach(base, standard, cell_m=cell_m, basis="area"),
        tier_id=tier_id,
        method="network",
        candidate_area=layer(ds, "candidate_land"),
    )
    return walk_coverage(problem)


@memo(max_entries=8)
def _suggestions(
    ds: DataSet,
    standard: ParkStandard,
    *,
    cell_m: int,
    tier_id: str | None,
    method: str,
    basis: TierBasis,
    demand: str,
    k: int,
    exact: bool,
) -> tuple[SitingResult, gpd.GeoDataFrame]:
    base = without(ds, "planned_parks", "candidate_land")
    prepared = _prepared(base, cell_m)
    with_scenario = without(ds, "candidate_land")
    reach = (
        _scenario_reach(with_scenario, standard, cell_m=cell_m, basis=basis)
        if "planned_parks" in ds.kinds()
        else _park_reach(base, standard, cell_m=cell_m, basis=basis)
    )
    grid = park_grid(ds, cell_m)
    problem = siting_problem(
        prepared,
        reach,
        tier_id=tier_id,
        method=method,  # type: ignore[arg-type]
        weights=grid.demands[demand],
        candidate_area=layer(ds, "candidate_land"),
    )
    coverage = None
    if method == "network":  # measured once per network, grid and tier; any demand, k, scenario
        coverage = _site_coverage(
            without(ds, "planned_parks"), standard, cell_m=cell_m, tier_id=tier_id
        )
    if exact:
        result = exact_sites(problem, k, time_limit_s=60, coverage=coverage)
    else:
        result = greedy_sites(problem, k, coverage=coverage)
    return result, _placed(site_footprints(problem, result), result, grid)


def _placed(
    footprints: gpd.GeoDataFrame, result: SitingResult, grid: DemandGrid
) -> gpd.GeoDataFrame:
    """Add where each site stands: its unit, its cluster and its centre (WGS84 lon/lat)."""
    cells = np.array([s.origin for s in result.sites], dtype=np.int64)
    centres = gpd.GeoSeries(
        gpd.points_from_xy([s.x for s in result.sites], [s.y for s in result.sites]),
        crs=grid.origins.crs,
    ).to_crs(DISPLAY_CRS)
    return footprints.assign(
        unit_id=grid.unit_of[cells] if len(cells) else [],
        cluster_id=grid.cluster_of[cells] if len(cells) else [],
        lon=centres.x.round(6).to_numpy(),
        lat=centres.y.round(6).to_numpy(),
    )


def suggested_sites(
    ds: DataSet,
    standard: ParkStandard,
    tier_id: str | None,
    *,
    cell_m: int,
    method: str,
    basis: TierBasis,
    demand: str,
    k: int,
    exact: bool = False,
) -> tuple[SitingResult, gpd.GeoDataFrame]:
    """Return k suggested pocket-park sites and their footprints (remembered per question).

    Demand the scenario already covers does not count again.
    """
    extra = tuple(k for k in ("planned_parks", "candidate_land") if k in ds.kinds())
    return _suggestions(
        _reach_set(ds, network=method == "network", extra=extra),
        standard,
        cell_m=cell_m,
        tier_id=tier_id,
        method=method,
        basis=basis,
        demand=demand,
        k=k,
        exact=exact,
    )


# --- what the map shows ------------------------------------------------------------------------


@memo(max_entries=8)
def _park_shapes(ds: DataSet) -> dict[str, Any]:
    return park_shapes(parks(ds).parks)


@memo(max_entries=32)
def _park_display(
    ds: DataSet, standard: ParkStandard, lang: Lang, *, basis: TierBasis
) -> dict[str, Any]:
    return park_features(parks(ds).parks, standard, lang, shapes=_park_shapes(ds), basis=basis)


def park_display(
    ds: DataSet, standard: ParkStandard, lang: Lang, basis: TierBasis = "area"
) -> dict[str, Any]:
    """Return the parks as map features coloured by ``standard``'s tiers."""
    return _park_display(ds.subset(*PARK_KINDS), standard, lang, basis=basis)


@memo(max_entries=8)
def _entrance_display(ds: DataSet, lang: Lang) -> dict[str, Any] | None:
    found = parks(ds)
    if found.entrances is None:
        return None
    return entrance_features(found.entrances, found.parks, lang)


def entrance_display(ds: DataSet, lang: Lang) -> dict[str, Any] | None:
    """Return the parks' stored entrances as map features (None when they have none)."""
    return _entrance_display(ds.subset(*PARK_KINDS), lang)


@memo(max_entries=4, copy=False)
def _park_surface_raster(ds: DataSet, cell_m: int) -> SurfaceRaster:
    return surface_raster(park_grid(ds, cell_m).origins)


def park_surface_raster(ds: DataSet, cell_m: int) -> SurfaceRaster:
    """Return the pixel-to-origin lookup of the grid's map image."""
    return _park_surface_raster(ds.subset(*GRID_KINDS), cell_m)


# --- figures the other pages show --------------------------------------------------------------


@memo(max_entries=8)
def _cluster_park_figures(ds: DataSet) -> pd.DataFrame:
    standard = park_standards(ds).default
    grid = park_grid(ds, DEFAULT_PARK_CELL_M)
    reach = park_reach_for(ds, standard, cell_m=DEFAULT_PARK_CELL_M, network=False)
    return cluster_park_table(
        grid,
        reach,
        cluster_polygon_frame(ds),
        parks(ds).parks,
        standard_id=standard.standard_id,
    )


def cluster_park_figures(ds: DataSet) -> pd.DataFrame:
    """Return per-cluster park coverage by the default standard, buffer method."""
    return _cluster_park_figures(_reach_set(ds, network=False))


@memo(max_entries=8)
def _unit_per_capita(ds: DataSet) -> pd.Series:
    _, units, table, _ = bundle(ds)
    population = table.set_index("unit_id")["population"].astype(float)
    frame = per_capita_park_area(parks(ds).parks, units, population, id_column="unit_id")
    return frame.set_index("unit_id")["per_capita_m2"]


def unit_per_capita(ds: DataSet) -> pd.Series:
    """Return each unit's park area per person where its population is cited."""
    return _unit_per_capita(ds.subset(*BOUNDARY_KINDS, *PARK_KINDS))


@memo(max_entries=8)
def _two_sfca(ds: DataSet, *, cell_m: int, radius_m: float, demand: str) -> NDArray[np.float64]:
    grid = park_grid(ds, cell_m)
    people = np.asarray(grid.demands[demand], dtype=float)
    return two_step_fca(grid.origins, parks(ds).parks, radius_m=radius_m, population=people)


def two_sfca_scores(
    ds: DataSet, *, cell_m: int, radius_m: float, demand: str
) -> NDArray[np.float64]:
    """Return each origin's 2SFCA score for the people of ``demand`` on the grid."""
    return _two_sfca(
        ds.subset(*GRID_KINDS, *PARK_KINDS), cell_m=cell_m, radius_m=radius_m, demand=demand
    )
