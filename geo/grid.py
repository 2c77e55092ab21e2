"""The demand grid's lattice: cell centres of a regular grid in the metric CRS.

Shared by the demand grid (:mod:`analysis.demand`) and the OpenStreetMap import,
which stores where the default grid's origins start on the walk network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.crs import ANALYSIS_CRS, metric_crs_for
from geo.errors import ParkAccessError

__all__ = ["DEFAULT_CELL_M", "DemandKind", "Origins", "grid_origins"]

# The grid the parks page opens with (metres).
DEFAULT_CELL_M = 100


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
