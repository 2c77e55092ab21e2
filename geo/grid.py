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

from geo.crs import ANALYSIS_CRS, DISPLAY_CRS, metric_crs_for
from geo.errors import CRSError, ParkAccessError

__all__ = ["DEFAULT_CELL_M", "DemandKind", "Origins", "grid_origins", "origins_from_points"]

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


def origins_from_points(points: gpd.GeoSeries) -> Origins:
    """Return arbitrary points as origins in their metric CRS (one origin per point, in order).

    The grid fields are unused by point origins (``col``/``row`` 0, ``cell_m`` 1, one cell);
    each origin weighs 1 ("land"). Only distances are meant to be read from them.

    Parameters
    ----------
    points
        Point geometries with a declared CRS.

    Returns
    -------
    Origins
        In :func:`geo.crs.metric_crs_for` of the points (EPSG:4549 in Kunshan).

    Raises
    ------
    ParkAccessError
        If there are no points, or some are not points or cannot be placed.
    CRSError
        If the points have no CRS.

    Examples
    --------
    >>> pts = gpd.GeoSeries.from_xy([120.98, 121.0], [31.38, 31.39], crs=4326)
    >>> o = origins_from_points(pts)
    >>> len(o), o.crs, o.weight.tolist()
    (2, 'EPSG:4549', [1.0, 1.0])
    """
    if points.crs is None:
        msg = "点没有坐标系。 / The points have no coordinate reference system."
        raise CRSError(msg)
    if len(points) == 0:
        msg = "没有可计算的点。 / There are no points to measure."
        raise ParkAccessError(msg)
    geoms = points.to_numpy()
    if (shapely.get_type_id(geoms) != 0).any() or shapely.is_empty(geoms).any():
        msg = "只能计算点要素。 / Only point geometries can be measured."
        raise ParkAccessError(msg)
    _check_placeable(points)
    crs = metric_crs_for(gpd.GeoDataFrame(geometry=points.reset_index(drop=True)))
    metric = points.to_crs(crs).to_numpy()
    x, y = shapely.get_x(metric), shapely.get_y(metric)
    n = len(x)
    return Origins(
        x=x,
        y=y,
        col=np.zeros(n, dtype=np.int64),
        row=np.zeros(n, dtype=np.int64),
        x0=float(x.min()),
        y0=float(y.min()),
        cell_m=1.0,
        n_cols=1,
        n_rows=1,
        weight=np.ones(n),
        demand="land",
        points=shapely.points(x, y),
        crs=crs,
    )


def _check_placeable(points: gpd.GeoSeries) -> None:
    """Raise unless every point has a place on Earth (catches swapped or wrong-CRS coordinates)."""
    lonlat = points.to_crs(DISPLAY_CRS).to_numpy()
    lon, lat = shapely.get_x(lonlat), shapely.get_y(lonlat)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        first = int(np.flatnonzero(bad)[0]) + 1
        msg = (
            f"第 {first} 个点的坐标在所给坐标系中无效（经纬度是否颠倒或坐标系有误？）。 / "
            f"Point {first} has no valid position in the given CRS (longitude and latitude "
            "swapped, or the wrong CRS?)."
        )
        raise ParkAccessError(msg)
