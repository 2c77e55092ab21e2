"""The demand grid: where people live, as weighted origins of a regular grid.

Demand sits on origins: the centres of a regular grid over the area (100 m by
default) in the metric CRS, each weighted by the demand it holds — residential
land (m², the official denominator of 服务半径覆盖率), population, or land area.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.errors import ParkAccessError
from geo.grid import Origins, grid_origins

__all__ = [
    "DemandGrid",
    "demand_grid",
    "population_weights",
    "residential_weights",
    "zone_of_origins",
]


def _cell_boxes(origins: Origins) -> NDArray[np.object_]:
    half = origins.cell_m / 2
    return shapely.box(origins.x - half, origins.y - half, origins.x + half, origins.y + half)


def residential_weights(origins: Origins, residential: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return the residential land (m²) inside each origin's cell (exact overlay)."""
    weight = np.zeros(len(origins))
    if residential.empty or len(origins) == 0:
        return weight
    parcels = shapely.make_valid(residential.to_crs(origins.crs).geometry.to_numpy())
    boxes = _cell_boxes(origins)
    cell_idx, parcel_idx = shapely.STRtree(parcels).query(boxes, predicate="intersects")
    overlap = shapely.area(shapely.intersection(boxes[cell_idx], parcels[parcel_idx]))
    np.add.at(weight, cell_idx, overlap)
    return weight


def population_weights(
    origins: Origins,
    population: gpd.GeoDataFrame,
    *,
    column: str = "population",
    spread: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Return the population in each origin's cell.

    Points add their count to the cell that holds them. Polygons (grid cells,
    units with a cited total) share their count among the origins inside them in
    proportion to ``spread`` (e.g. residential land; land area when None) — the
    usual dasymetric split, an approximation the caller must label.
    """
    weight = np.zeros(len(origins))
    if population.empty or len(origins) == 0:
        return weight
    if column not in population.columns:
        msg = f"人口图层缺少字段 {column!r}。 / The population layer has no {column!r} column."
        raise ParkAccessError(msg)
    counts = pd.to_numeric(population[column], errors="coerce").fillna(0).to_numpy(float)
    if (counts < 0).any():
        msg = "人口不能为负数。 / Population counts cannot be negative."
        raise ParkAccessError(msg)
    geoms = population.to_crs(origins.crs).geometry.to_numpy()
    share = np.asarray(spread if spread is not None else origins.weight, dtype=float)
    points = origins.points
    is_point = shapely.get_type_id(geoms) == 0
    if is_point.any():
        px, py = shapely.get_x(geoms[is_point]), shapely.get_y(geoms[is_point])
        col = np.floor((px - origins.x0) / origins.cell_m).astype(np.int64)
        row = np.floor((py - origins.y0) / origins.cell_m).astype(np.int64)
        lookup = pd.Series(
            np.arange(len(origins)), index=origins.row * origins.n_cols + origins.col
        )
        idx = lookup.reindex(row * origins.n_cols + col).to_numpy()
        ok = ~np.isnan(idx)
        np.add.at(weight, idx[ok].astype(np.int64), counts[is_point][ok])
    polygons = np.flatnonzero(~is_point)
    if len(polygons):
        poly_idx, origin_idx = shapely.STRtree(points).query(geoms[polygons], predicate="contains")
        owner = polygons[poly_idx]
        share_in = share[origin_idx]
        totals = np.zeros(len(geoms))
        np.add.at(totals, owner, share_in)
        frac = np.divide(share_in, totals[owner], out=np.zeros(len(owner)), where=totals[owner] > 0)
        np.add.at(weight, origin_idx, counts[owner] * frac)
    return weight


def zone_of_origins(
    origins: Origins, zones: gpd.GeoDataFrame, id_column: str
) -> NDArray[np.object_]:
    """Return the id of the zone holding each origin ("" where none does)."""
    out = np.full(len(origins), "", dtype=object)
    geoms = zones.to_crs(origins.crs).geometry.to_numpy()
    z_idx, o_idx = shapely.STRtree(origins.points).query(geoms, predicate="contains")
    out[o_idx] = zones[id_column].to_numpy()[z_idx]
    return out


@dataclass(frozen=True)
class DemandGrid:
    """The demand grid with its zones and the demand options the data supports.

    ``demands`` maps a demand kind to the weight of every origin: ``land`` always
    (cell area, water removed when a water layer is given), ``residential`` with a
    residential layer, ``population`` where units have a cited population (spread
    over residential land, else land: labelled approximate by the page).
    """

    origins: Origins
    unit_of: NDArray[np.object_]
    cluster_of: NDArray[np.object_]
    demands: dict[str, NDArray[np.float64]]
    population_units: tuple[str, ...]
    population_years: tuple[int, ...]
    water_removed: bool


def demand_grid(
    outline: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    unit_table: pd.DataFrame,
    clusters: gpd.GeoDataFrame,
    *,
    cell_m: float,
    water: gpd.GeoDataFrame | None = None,
    residential: gpd.GeoDataFrame | None = None,
    population: gpd.GeoDataFrame | None = None,
) -> DemandGrid:
    """Build the county's demand grid: origins, their unit and cluster, every demand.

    ``unit_table`` holds ``unit_id``, ``population`` and ``population_year`` (cited
    values or NaN); ``clusters`` holds ``cluster_id`` and polygons. A planners'
    ``population`` layer (points or polygons with ``population``) adds the demand
    ``population_layer`` (polygons spread over residential land, else land).
    """
    origins = grid_origins(outline, cell_m=cell_m, water=water)
    demands: dict[str, NDArray[np.float64]] = {"land": origins.weight}
    spread = origins.weight
    if residential is not None and not residential.empty:
        demands["residential"] = residential_weights(origins, residential)
        spread = demands["residential"]
    cited = unit_table[unit_table["population"].notna()].set_index("unit_id")
    with_pop = units[units["unit_id"].isin(cited.index) & ~units.geometry.is_empty]
    if not with_pop.empty:
        frame = with_pop[["unit_id", "geometry"]].assign(
            population=cited.loc[with_pop["unit_id"], "population"].to_numpy(float)
        )
        demands["population"] = population_weights(origins, frame, spread=spread)
    if population is not None and not population.empty:
        demands["population_layer"] = population_weights(origins, population, spread=spread)
    years = tuple(sorted({int(y) for y in cited.loc[with_pop["unit_id"], "population_year"]}))
    return DemandGrid(
        origins=origins,
        unit_of=zone_of_origins(origins, units, "unit_id"),
        cluster_of=zone_of_origins(origins, clusters, "cluster_id"),
        demands=demands,
        population_units=tuple(with_pop["unit_id"]),
        population_years=years,
        water_removed=water is not None and not water.empty,
    )
