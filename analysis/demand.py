"""The demand grid: where people live, as weighted origins of a regular grid.

Demand sits on origins: the centres of a regular grid over the area (100 m by
default) in the metric CRS, each weighted by the demand it holds — residential
land (m², the official denominator of 服务半径覆盖率), population, or land area.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.crs import ANALYSIS_CRS, metric_crs_for
from geo.errors import ParkAccessError

__all__ = [
    "DemandKind",
    "Origins",
    "grid_origins",
    "population_weights",
    "residential_weights",
    "zone_of_origins",
]

DemandKind = Literal["residential", "population", "land"]


@dataclass(frozen=True)
class Origins:
    """Grid-cell centres with their demand and zones (metric CRS).

    ``col``/``row`` place each origin in the grid whose lower-left corner is
    ``(x0, y0)``, so results can be drawn as an image.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    col: NDArray[np.int64]
    row: NDArray[np.int64]
    x0: float
    y0: float
    cell_m: float
    n_cols: int
    n_rows: int
    weight: NDArray[np.float64]
    demand: DemandKind
    points: NDArray[np.object_]  # shapely points at (x, y), built once
    crs: str = ANALYSIS_CRS

    def __len__(self) -> int:
        return len(self.x)

    def with_weights(self, weight: NDArray[np.float64], demand: DemandKind) -> Origins:
        """Return the same origins with another demand."""
        return replace(self, weight=np.asarray(weight, dtype=np.float64), demand=demand)


def grid_origins(
    area: gpd.GeoDataFrame,
    *,
    cell_m: float = 100.0,
    water: gpd.GeoDataFrame | None = None,
) -> Origins:
    """Return the centres of a ``cell_m`` grid that fall inside ``area``, weighted by land.

    Each origin's land weight is the cell area (m²); cells whose centre lies on
    water (``water`` polygons, e.g. the OpenStreetMap water layer) are left out,
    so land-area demand excludes lakes and rivers.

    Examples
    --------
    >>> box = shapely.box(590_000, 3_470_000, 591_000, 3_470_500)  # in Kunshan
    >>> o = grid_origins(gpd.GeoDataFrame(geometry=[box], crs=4549), cell_m=100)
    >>> len(o), o.weight.sum(), (o.n_cols, o.n_rows)
    (50, np.float64(500000.0), (10, 5))
    """
    if not np.isfinite(cell_m) or cell_m <= 0:
        msg = f"网格边长必须为正数，收到 {cell_m}。 / The grid cell must be positive, got {cell_m}."
        raise ParkAccessError(msg)
    if area.empty:
        msg = "分析范围为空。 / The analysis area is empty."
        raise ParkAccessError(msg)
    cell_m = float(cell_m)
    crs = metric_crs_for(area)
    shape = shapely.union_all(area.to_crs(crs).geometry.to_numpy())
    minx, miny, maxx, maxy = shape.bounds
    x0, y0 = np.floor(minx / cell_m) * cell_m, np.floor(miny / cell_m) * cell_m
    n_cols = int(np.ceil((maxx - x0) / cell_m))
    n_rows = int(np.ceil((maxy - y0) / cell_m))
    cols = np.tile(np.arange(n_cols, dtype=np.int64), n_rows)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), n_cols)
    x = x0 + (cols + 0.5) * cell_m
    y = y0 + (rows + 0.5) * cell_m
    shapely.prepare(shape)
    keep = shapely.contains_xy(shape, x, y)
    if water is not None and not water.empty:
        wet = shapely.union_all(water.to_crs(crs).geometry.to_numpy())
        shapely.prepare(wet)
        keep &= ~shapely.contains_xy(wet, x, y)
    return Origins(
        x=x[keep],
        y=y[keep],
        col=cols[keep],
        row=rows[keep],
        x0=float(x0),
        y0=float(y0),
        cell_m=float(cell_m),
        n_cols=n_cols,
        n_rows=n_rows,
        weight=np.full(int(keep.sum()), cell_m * cell_m),
        demand="land",
        points=shapely.points(x[keep], y[keep]),
        crs=crs,
    )


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
