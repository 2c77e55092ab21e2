"""Park within reach: service-radius coverage, walking reach, per-capita area and 2SFCA.

Demand sits on origins: the centres of a regular grid over the county (100 m by
default) in the metric CRS, each weighted by the demand it holds — residential
land (m², the official denominator), population, or land area. Every metric is
computed from two distance arrays per tier of a standard (see
:mod:`analysis.standards`), one value per origin:

- straight-line distance to the nearest qualifying park's boundary (0 inside a
  park): the official "buffer from the park boundary" method, measured to the
  boundary's vertices densified every ``BOUNDARY_STEP_M`` (10 m) with a k-d tree
  (overstated by at most 5 m next to a park and by < 5 cm at 300 m or more);
- walking distance along the walk network to the nearest access point of a
  qualifying park: one multi-source Dijkstra pass per tier
  (:func:`analysis.network.joined_nearest_distance`, ``min_only``), never one
  search per origin.

A planned park changes the distances only where it is nearer, so
:func:`with_planned_park` updates them with one pass from that park alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from analysis.network import (
    EdgePositions,
    JoinedSources,
    WalkGraph,
    join_sources,
    joined_nearest_distance,
    snap_to_edges,
)
from analysis.standards import ParkStandard
from geo.crs import ANALYSIS_CRS, metric_crs_for
from geo.errors import PlanningMapError
from geo.osm_layers import park_access_points

__all__ = [
    "DemandKind",
    "Method",
    "Origins",
    "ParkAccessError",
    "ParkBoundaries",
    "ParkReach",
    "coverage_by_zone",
    "covered",
    "default_limit_m",
    "grid_origins",
    "park_access_positions",
    "park_boundaries",
    "park_reach",
    "per_capita_park_area",
    "population_weights",
    "residential_weights",
    "tier_of_parks",
    "two_step_fca",
    "with_planned_park",
    "zone_of_origins",
]

DemandKind = Literal["residential", "population", "land"]
Method = Literal["buffer", "network"]
# Origins farther than this from any walk edge cannot reach a park on foot.
MAX_ORIGIN_SNAP_M = 250.0
# The distance surface reaches at least this far (its last class is "2 km or more").
SURFACE_MIN_M = 2000.0


def default_limit_m(radius_m: float) -> float:
    """Search limit of a tier: twice its radius, and at least ``SURFACE_MIN_M``.

    >>> default_limit_m(300), default_limit_m(3000)
    (2000.0, 6000.0)
    """
    return max(2 * float(radius_m), SURFACE_MIN_M)


class ParkAccessError(PlanningMapError, ValueError):
    """The inputs of a park-access computation are unusable."""


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


@dataclass(frozen=True)
class ParkReach:
    """Distances (m) from every origin to the nearest qualifying park, per tier.

    ``straight_m[t]`` is the straight-line distance to the boundary of the nearest
    park of tier ``t``; ``network_m[t]`` the walking distance to its nearest access
    point (None without a walk network). Both are ``inf`` beyond the tier's
    search limit ``limit_m[t]`` or when no path leads to a park.
    """

    standard: ParkStandard
    straight_m: NDArray[np.float64]
    network_m: NDArray[np.float64] | None
    limit_m: tuple[float, ...]

    def distances(self, method: Method) -> NDArray[np.float64]:
        """Return the distance array of ``method`` (tiers x origins)."""
        if method == "network":
            if self.network_m is None:
                msg = (
                    "步行路网距离需要路网数据（OpenStreetMap）。 / "
                    "Walking distances need a walk network (OpenStreetMap layers)."
                )
                raise ParkAccessError(msg)
            return self.network_m
        return self.straight_m


def _check_parks(parks: gpd.GeoDataFrame) -> None:
    if parks is None or parks.empty:
        msg = "公园图层为空：没有可计算的公园。 / The park layer is empty: no parks to measure."
        raise ParkAccessError(msg)
    for column in ("park_id", "area_m2"):
        if column not in parks.columns:
            msg = f"公园图层缺少字段 {column!r}。 / The park layer has no {column!r} column."
            raise ParkAccessError(msg)


# Park boundaries are measured at vertices this far apart at most: the distance d
# to a boundary is overstated by at most sqrt(d² + (step/2)²) - d, i.e. 5 m right
# next to a park and < 5 cm from 300 m on, where the service radii lie.
BOUNDARY_STEP_M = 10.0


@dataclass(frozen=True)
class ParkBoundaries:
    """Every park's boundary as dense vertices, the origins inside parks, and the nearest park.

    ``nearest_m``/``nearest_park``: each origin's nearest boundary vertex of *any*
    park (within ``limit_m``), answered once; a tier whose parks include that one
    needs no search of its own for that origin.
    """

    xy: NDArray[np.float64]
    park: NDArray[np.int64]  # park index of each vertex
    inside_origin: NDArray[np.int64]
    inside_park: NDArray[np.int64]
    origin_xy: NDArray[np.float64]
    nearest_m: NDArray[np.float64]
    nearest_park: NDArray[np.int64]  # -1 beyond the limit


def park_boundaries(origins: Origins, parks: gpd.GeoDataFrame, limit_m: float) -> ParkBoundaries:
    """Prepare the parks' boundaries for straight-line distances from ``origins``.

    Reusable by every standard whose search limits are at most ``limit_m``.
    """
    geoms = parks.to_crs(origins.crs).geometry.to_numpy()
    dense = shapely.segmentize(shapely.boundary(geoms), BOUNDARY_STEP_M)
    xy, index = shapely.get_coordinates(dense, return_index=True)
    park_idx, origin_idx = shapely.STRtree(origins.points).query(geoms, predicate="contains")
    origin_xy = np.column_stack([origins.x, origins.y])
    dist, vertex = cKDTree(xy).query(origin_xy, k=1, distance_upper_bound=limit_m, workers=-1)
    found = np.isfinite(dist)
    nearest_park = np.full(len(origins), -1, dtype=np.int64)
    nearest_park[found] = index[vertex[found]]
    return ParkBoundaries(
        xy, index.astype(np.int64), origin_idx, park_idx, origin_xy, dist, nearest_park
    )


def _straight(
    bounds: ParkBoundaries, qualifies: NDArray[np.bool_], limit_m: float
) -> NDArray[np.float64]:
    """Straight-line distance to the nearest qualifying park's boundary (0 inside one).

    Where an origin's nearest park of all qualifies, that distance is the answer;
    the other origins within reach of any park ask a k-d tree of the qualifying
    parks' boundary vertices.
    """
    out = np.full(len(bounds.nearest_m), np.inf)
    keep = qualifies[bounds.park]
    if not keep.any():
        return out
    within = bounds.nearest_m <= limit_m
    settled = within & (bounds.nearest_park >= 0)
    settled[settled] = qualifies[bounds.nearest_park[settled]]
    out[settled] = bounds.nearest_m[settled]
    rest = np.flatnonzero(within & ~settled)
    if len(rest):
        dist, _ = cKDTree(bounds.xy[keep]).query(
            bounds.origin_xy[rest], k=1, distance_upper_bound=limit_m, workers=-1
        )
        out[rest] = dist
    out[bounds.inside_origin[qualifies[bounds.inside_park]]] = 0.0
    return out


def park_access_positions(
    graph: WalkGraph, parks: gpd.GeoDataFrame, access: gpd.GeoDataFrame | None = None
) -> tuple[EdgePositions, NDArray[np.object_]]:
    """Place the parks' access points on the network; return them and their park ids.

    ``access`` holds ready access points (the OpenStreetMap ``park_access`` layer);
    parks without any get access points where the walk network crosses their
    boundary (:func:`geo.osm_layers.park_access_points`, ParkServe's rule).
    """
    ids = set(parks["park_id"])
    frames = []
    if access is not None and not access.empty:
        frames.append(
            access[access["park_id"].isin(ids)][["park_id", "geometry"]].to_crs(graph.crs)
        )
    have = set(frames[0]["park_id"]) if frames else set()
    missing = parks[~parks["park_id"].isin(have)]
    if not missing.empty:
        edges = gpd.GeoDataFrame(
            {"u": graph.node_ids[graph.edge_u], "v": graph.node_ids[graph.edge_v]},
            geometry=graph.edge_geometry,
            crs=graph.crs,
        )
        derived = park_access_points(missing[["park_id", "geometry"]], edges)
        frames.append(derived[["park_id", "geometry"]].to_crs(graph.crs))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return EdgePositions(np.array([], np.int64), np.array([]), np.array([])), np.array([])
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=graph.crs)
    return snap_to_edges(graph, gdf.geometry), gdf["park_id"].to_numpy(object)


def park_reach(
    origins: Origins,
    parks: gpd.GeoDataFrame,
    standard: ParkStandard,
    *,
    graph: WalkGraph | None = None,
    origin_positions: EdgePositions | None = None,
    access: gpd.GeoDataFrame | None = None,
    gates: tuple[EdgePositions, NDArray[np.object_]] | None = None,
    joined: JoinedSources | None = None,
    boundaries: ParkBoundaries | None = None,
    limit_m: float | Sequence[float] | None = None,
) -> ParkReach:
    """Measure every origin's distance to the nearest qualifying park of each tier.

    A park qualifies for a tier when ``area_m2 >= min_area_m2``. Both searches
    of a tier stop at ``limit_m`` (one value, or one per tier; default:
    :func:`default_limit_m`), so the distance surface reads "farther than" there. Pass
    ``origin_positions`` (origins snapped to the network), ``gates`` (from
    :func:`park_access_positions`), ``joined`` (those gates joined to the graph,
    :func:`analysis.network.join_sources`) and ``boundaries`` (from
    :func:`park_boundaries`, with a limit at least this standard's) to reuse
    them across standards. Tiers with the same qualifying parks share a search.
    """
    _check_parks(parks)
    area = parks["area_m2"].to_numpy(float)
    if limit_m is None:
        limits = tuple(default_limit_m(t.radius_m) for t in standard.tiers)
    elif isinstance(limit_m, int | float):
        limits = (float(limit_m),) * len(standard.tiers)
    else:
        limits = tuple(float(v) for v in limit_m)
    bounds = boundaries or park_boundaries(origins, parks, max(limits))
    # Tiers whose qualifying parks are the same share one search (at the larger limit).
    qualifies = [area >= t.min_area_m2 for t in standard.tiers]
    groups: dict[bytes, list[int]] = {}
    for t, mask in enumerate(qualifies):
        groups.setdefault(np.packbits(mask).tobytes(), []).append(t)
    straight = np.full((len(limits), len(origins)), np.inf)
    for members in groups.values():
        reach = _straight(bounds, qualifies[members[0]], max(limits[t] for t in members))
        for t in members:
            straight[t] = np.where(reach <= limits[t], reach, np.inf)
    network = None
    if graph is not None:
        if origin_positions is None:
            origin_positions = snap_to_edges(
                graph, gpd.GeoSeries(origins.points, crs=origins.crs), max_snap_m=MAX_ORIGIN_SNAP_M
            )
        gate_pos, gate_park = gates or park_access_positions(graph, parks, access)
        gate_area = pd.Series(area, index=parks["park_id"]).reindex(gate_park).to_numpy(float)
        joined = joined or join_sources(graph, gate_pos)
        network = np.full((len(limits), len(origins)), np.inf)
        for members in groups.values():
            tier = standard.tiers[members[0]]
            walk = joined_nearest_distance(
                joined,
                origin_positions,
                subset=gate_area >= tier.min_area_m2,
                limit_m=max(limits[t] for t in members),
            )
            for t in members:
                network[t] = np.where(walk <= limits[t], walk, np.inf)
                # Inside a qualifying park there is nothing to walk.
                network[t][straight[t] == 0] = 0.0
    return ParkReach(standard, straight, network, limits)


def with_planned_park(
    reach: ParkReach,
    origins: Origins,
    park: gpd.GeoDataFrame,
    *,
    graph: WalkGraph | None = None,
    origin_positions: EdgePositions | None = None,
) -> ParkReach:
    """Add planned parks: new distances are the old ones or those to the new parks, if nearer.

    Only the new parks are measured (one straight-line query and one walking
    pass per tier from their access points); nothing else is recomputed.
    """
    added = park_reach(
        origins,
        park,
        reach.standard,
        graph=graph if reach.network_m is not None else None,
        origin_positions=origin_positions,
        limit_m=reach.limit_m,
    )
    network = None
    if reach.network_m is not None and added.network_m is not None:
        network = np.minimum(reach.network_m, added.network_m)
    return replace(
        reach, straight_m=np.minimum(reach.straight_m, added.straight_m), network_m=network
    )


def covered(reach: ParkReach, method: Method, tier_id: str | None = None) -> NDArray[np.bool_]:
    """Which origins are covered: by one tier, or (None) by any tier of the standard."""
    dist = reach.distances(method)
    radii = np.array([t.radius_m for t in reach.standard.tiers])[:, None]
    within = dist <= radii
    if tier_id is None:
        return np.asarray(within.any(axis=0))
    index = [t.tier_id for t in reach.standard.tiers].index(reach.standard.tier(tier_id).tier_id)
    return np.asarray(within[index])


def coverage_by_zone(
    origins: Origins,
    reach: ParkReach,
    zone: NDArray[np.object_],
    *,
    tier_id: str | None = None,
    target_share: float | None = None,
) -> pd.DataFrame:
    """服务半径覆盖率 per zone: covered demand ÷ all demand, by buffer and by network.

    Formula (GB 55014-2021 2.1.3; the garden-city indicator): coverage =
    Σ demand of origins within the service radius of a qualifying park ÷
    Σ demand, where demand is residential land (official), population or land.
    ``buffer_not_network`` is the share of demand a buffer counts as covered but
    the walk network does not ("a river in the way"). A last row ``"*"`` holds
    the whole area. ``passes`` compares the buffer share (the official method)
    and the network share with the target.
    """
    target = reach.standard.target_share if target_share is None else target_share
    w = origins.weight
    by_buffer = covered(reach, "buffer", tier_id)
    by_network = covered(reach, "network", tier_id) if reach.network_m is not None else None
    frame = pd.DataFrame({"zone": zone, "demand": w, "buffer": w * by_buffer})
    if by_network is not None:
        frame["network"] = w * by_network
        frame["buffer_not_network"] = w * (by_buffer & ~by_network)
    frame = frame[frame["zone"].notna() & (frame["zone"] != "")]
    sums = frame.groupby("zone", sort=True).sum(numeric_only=True)
    sums.loc["*"] = frame.sum(numeric_only=True)
    out = pd.DataFrame({"zone": sums.index, "demand": sums["demand"].to_numpy()})
    with np.errstate(invalid="ignore", divide="ignore"):
        for column in [c for c in ("buffer", "network", "buffer_not_network") if c in sums]:
            out[f"{column}_share"] = np.where(
                sums["demand"] > 0, sums[column] / sums["demand"], np.nan
            )
    out["target_share"] = target
    out["passes_buffer"] = out["buffer_share"] >= target
    if "network_share" in out:
        out["passes_network"] = out["network_share"] >= target
    return out.reset_index(drop=True)


def per_capita_park_area(
    parks: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    population: pd.Series,
    *,
    id_column: str = "zone_id",
) -> pd.DataFrame:
    """人均公园绿地面积 per zone: park area inside the zone ÷ the zone's population (m²/人).

    The park area counted is the part of each park's polygon inside the zone,
    scaled so that a park's counted area equals its stated ``area_m2`` (a park
    split by a boundary is shared by area). Zones without a population get NaN.
    National floor: > 8.0 m²/人 (GB 55014-2021 2.1.3).
    """
    _check_parks(parks)
    crs = metric_crs_for(zones)
    zones_m = zones.to_crs(crs)
    geoms = parks.to_crs(crs).geometry.to_numpy()
    stated = parks["area_m2"].to_numpy(float)
    drawn = shapely.area(geoms)
    scale = np.divide(stated, drawn, out=np.ones_like(stated), where=drawn > 0)
    zone_geoms = zones_m.geometry.to_numpy()
    z_idx, p_idx = shapely.STRtree(geoms).query(zone_geoms, predicate="intersects")
    inside = shapely.area(shapely.intersection(zone_geoms[z_idx], geoms[p_idx])) * scale[p_idx]
    park_area = np.zeros(len(zones_m))
    np.add.at(park_area, z_idx, inside)
    ids = zones_m[id_column].to_numpy()
    people = population.reindex(ids).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_capita = np.where(people > 0, park_area / people, np.nan)
    return pd.DataFrame(
        {
            id_column: ids,
            "park_area_m2": park_area,
            "population": people,
            "per_capita_m2": per_capita,
        }
    )


def two_step_fca(
    origins: Origins,
    parks: gpd.GeoDataFrame,
    *,
    radius_m: float,
    population: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Two-step floating catchment area score (m² of park per person) for every origin.

    Luo & Wang (2003): step 1, each park j gets R_j = S_j / Σ P_i over the
    origins i within ``radius_m`` of it (straight line to the park boundary);
    step 2, each origin gets A_i = Σ R_j over the parks within ``radius_m``.
    S_j is the park area (m²) and P_i the population (defaults to the origins'
    weights). Σ A_i P_i equals the area of the parks that reach anyone.

    Examples
    --------
    >>> x, y = 590_000, 3_470_000  # EPSG:4549, in Kunshan
    >>> sq = gpd.GeoDataFrame(geometry=[shapely.box(x, y, x + 400, y + 100)], crs=4549)
    >>> o = grid_origins(sq, cell_m=100)
    >>> park = gpd.GeoDataFrame({"park_id": ["p"], "area_m2": [1000.0]},
    ...     geometry=[shapely.box(x - 20, y + 40, x - 10, y + 60)], crs=4549)
    >>> two_step_fca(o, park, radius_m=200, population=np.array([10.0, 10, 10, 10])).round(2)
    array([50., 50.,  0.,  0.])
    """
    _check_parks(parks)
    if not np.isfinite(radius_m) or radius_m <= 0:
        msg = f"半径必须为正数，收到 {radius_m}。 / The radius must be positive, got {radius_m}."
        raise ParkAccessError(msg)
    people = origins.weight if population is None else np.asarray(population, dtype=float)
    geoms = parks.to_crs(origins.crs).geometry.to_numpy()
    supply = parks["area_m2"].to_numpy(float)
    o_idx, p_idx = shapely.STRtree(geoms).query(
        origins.points, predicate="dwithin", distance=radius_m
    )
    demand = np.zeros(len(geoms))
    np.add.at(demand, p_idx, people[o_idx])
    ratio = np.divide(supply, demand, out=np.zeros_like(supply), where=demand > 0)
    score = np.zeros(len(origins))
    np.add.at(score, o_idx, ratio[p_idx])
    return score


def zone_of_origins(
    origins: Origins, zones: gpd.GeoDataFrame, id_column: str
) -> NDArray[np.object_]:
    """Return the id of the zone holding each origin ("" where none does)."""
    out = np.full(len(origins), "", dtype=object)
    geoms = zones.to_crs(origins.crs).geometry.to_numpy()
    z_idx, o_idx = shapely.STRtree(origins.points).query(geoms, predicate="contains")
    out[o_idx] = zones[id_column].to_numpy()[z_idx]
    return out


def tier_of_parks(parks: gpd.GeoDataFrame, standard: ParkStandard) -> Sequence[str]:
    """Each park's highest tier in ``standard`` ("" when it qualifies for none)."""
    area = parks["area_m2"].to_numpy(float)
    out = np.full(len(parks), "", dtype=object)
    for tier in sorted(standard.tiers, key=lambda t: t.min_area_m2):
        out[area >= tier.min_area_m2] = tier.tier_id
    return list(out)
