"""Distances to parks: straight line to the boundary, and walking to an entrance.

Every park metric is computed from two distance arrays per tier of a standard
(:mod:`analysis.standards`), one value per origin of the demand grid
(:mod:`analysis.demand`):

- **straight line** to the nearest qualifying park's boundary (0 inside a park):
  the official "buffer from the park boundary" method. The boundaries are
  densified every ``BOUNDARY_STEP_M`` (10 m) and searched with a k-d tree;
  origins closer than ``EXACT_WITHIN_M`` are then measured exactly to the park
  found, so the error is < 5 cm from 300 m on and < 1 cm near parks;
- **walking** along the walk network to the nearest entrance of a qualifying
  park (:mod:`geo.osm.entrances`: stretches of path within the entrance tolerance
  of the park, gates of fenced parks). One multi-source Dijkstra pass per tier
  (:func:`analysis.network.joined_nearest_distance`, ``min_only``), never one
  search per origin. Origins start on the nearest edge of a *usable* part of
  the network (:func:`analysis.network.usable_edges`), the straight gap added;
  an origin farther than ``origin_max_snap_m`` from it is **off the network**.

Because every entrance lies within the tolerance ``T`` of its park, a walk is
never shorter than the straight line minus ``T``.

Everything that does not change with the standard (boundaries, entrances on the
network, origins on the network) is prepared once in a :class:`PreparedReach`;
:func:`park_reach` then measures a standard's tiers, and :func:`with_planned_park`
adds planned parks with one pass from their entrances only.
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
    same_edge_pairs,
    snap_to_edges,
    usable_edges,
)
from analysis.standards import ParkStandard, TierBasis, default_limit_m
from analysis.standards import qualifies as qualifying
from geo.errors import ParkAccessError
from geo.grid import Origins
from geo.osm.entrances import AccessRules, entrance_rows

__all__ = [
    "BOUNDARY_STEP_M",
    "Method",
    "ParkBoundaries",
    "ParkReach",
    "PreparedReach",
    "WalkAccess",
    "park_boundaries",
    "park_reach",
    "prepare_reach",
    "prepare_walk",
    "with_planned_park",
]

Method = Literal["buffer", "network"]

# Park boundaries are measured at vertices this far apart at most: the distance d
# to a boundary is overstated by at most sqrt(d² + (step/2)²) - d.
BOUNDARY_STEP_M = 10.0
# Closer than this, the k-d tree's answer is replaced by the exact distance to its park.
EXACT_WITHIN_M = 150.0


def check_parks(parks: gpd.GeoDataFrame) -> None:
    """Raise a bilingual error when the park layer is empty or lacks its columns."""
    if parks is None or parks.empty:
        msg = "公园图层为空：没有可计算的公园。 / The park layer is empty: no parks to measure."
        raise ParkAccessError(msg)
    for column in ("park_id", "area_m2"):
        if column not in parks.columns:
            msg = f"公园图层缺少字段 {column!r}。 / The park layer has no {column!r} column."
            raise ParkAccessError(msg)


@dataclass(frozen=True)
class ParkBoundaries:
    """Every park's boundary as dense vertices, the origins inside parks, and the nearest park.

    ``nearest_m``/``nearest_park``: each origin's nearest boundary vertex of *any*
    park (within ``limit_m``), answered once; a tier whose parks include that one
    needs no search of its own for that origin.
    """

    xy: NDArray[np.float64]
    park: NDArray[np.int64]  # park index of each vertex
    geoms: NDArray[np.object_]  # park polygons in the origins' CRS
    inside_origin: NDArray[np.int64]
    inside_park: NDArray[np.int64]
    nearest_m: NDArray[np.float64]
    nearest_park: NDArray[np.int64]  # -1 beyond the limit
    limit_m: float


def park_boundaries(origins: Origins, parks: gpd.GeoDataFrame, limit_m: float) -> ParkBoundaries:
    """Prepare the parks' boundaries for straight-line distances from ``origins``."""
    geoms = shapely.make_valid(parks.to_crs(origins.crs).geometry.to_numpy())
    dense = shapely.segmentize(shapely.boundary(geoms), BOUNDARY_STEP_M)
    xy, index = shapely.get_coordinates(dense, return_index=True)
    park_idx, origin_idx = shapely.STRtree(origins.points).query(geoms, predicate="contains")
    dist, vertex = cKDTree(xy).query(
        np.column_stack([origins.x, origins.y]), k=1, distance_upper_bound=limit_m, workers=-1
    )
    found = np.isfinite(dist)
    nearest_park = np.full(len(origins), -1, dtype=np.int64)
    nearest_park[found] = index[vertex[found]]
    return ParkBoundaries(
        xy,
        index.astype(np.int64),
        np.asarray(geoms, dtype=object),
        origin_idx,
        park_idx,
        dist,
        nearest_park,
        float(limit_m),
    )


@dataclass(frozen=True)
class WalkAccess:
    """Parks' entrances and the origins placed on the usable walk network, built once.

    ``entrance_park`` is the park index (row of the prepared parks) of each joined
    entrance; ``off_network`` marks origins farther than the rules allow from
    every usable edge.
    """

    graph: WalkGraph
    joined: JoinedSources
    entrance_park: NDArray[np.int64]
    origins: EdgePositions
    off_network: NDArray[np.bool_]
    usable: NDArray[np.bool_]  # per edge
    rules: AccessRules
    pairs: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None  # origin, entrance


@dataclass(frozen=True)
class PreparedReach:
    """What every standard's distances share: origins, parks, boundaries, the walk setup."""

    origins: Origins
    parks: gpd.GeoDataFrame
    area_m2: NDArray[np.float64]
    boundaries: ParkBoundaries
    walk: WalkAccess | None

    @property
    def park_class(self) -> NDArray[np.object_] | None:
        """Each park's 公园名录 class ("" unknown), None when the layer has no classes."""
        if "park_class" not in self.parks.columns:
            return None
        return self.parks["park_class"].fillna("").astype(str).to_numpy(object)


def _edges_frame(graph: WalkGraph) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"u": graph.node_ids[graph.edge_u], "v": graph.node_ids[graph.edge_v]},
        geometry=graph.edge_geometry,
        crs=graph.crs,
    )


def _entrance_positions(
    graph: WalkGraph,
    parks: gpd.GeoDataFrame,
    entrances: gpd.GeoDataFrame | None,
    rules: AccessRules,
) -> tuple[EdgePositions, NDArray[np.int64]]:
    """Entrances of ``parks`` on ``graph`` and their park index.

    Stored entrances (the ``park_access`` layer, computed on the same network) are
    used where they exist; parks without any get them by the same rule now.
    """
    ids = parks["park_id"].to_numpy(object)
    index_of = pd.Series(np.arange(len(parks)), index=pd.Index(ids))
    frames = []
    n_edges = len(graph.edge_u)
    if entrances is not None and not entrances.empty and "edge_index" in entrances.columns:
        stored = entrances[entrances["park_id"].isin(index_of.index)]
        edge = stored["edge_index"].to_numpy(np.int64)
        if len(edge) and edge.max() < n_edges:
            frames.append(stored)
    have = set(frames[0]["park_id"]) if frames else set()
    missing = parks[~parks["park_id"].isin(have)]
    if not missing.empty:
        # Measured in the graph's own CRS, so the offsets agree with its edge lengths.
        frames.append(entrance_rows(missing, _edges_frame(graph), rules=rules, crs=graph.crs))
    found = [
        pd.DataFrame(f.drop(columns="geometry", errors="ignore")) for f in frames if not f.empty
    ]
    table = pd.concat(found, axis=0) if found else pd.DataFrame()
    if table.empty:
        empty = np.array([], np.int64)
        return EdgePositions(empty, np.array([]), np.array([]), np.array([])), empty
    edge = table["edge_index"].to_numpy(np.int64)
    length = graph.edge_length_m[edge]
    lo = np.clip(table["offset_m"].to_numpy(float), 0, length)
    hi = np.clip(table["end_offset_m"].to_numpy(float), lo, length)
    positions = EdgePositions(edge, lo, table["gap_m"].to_numpy(float), hi)
    park = index_of.reindex(table["park_id"].to_numpy(object)).to_numpy(np.int64)
    return positions, park


def prepare_walk(
    graph: WalkGraph,
    origins: Origins,
    parks: gpd.GeoDataFrame,
    *,
    entrances: gpd.GeoDataFrame | None = None,
    rules: AccessRules | None = None,
    origin_positions: EdgePositions | None = None,
) -> WalkAccess:
    """Place the parks' entrances and the origins on the usable walk network.

    ``origin_positions`` are the origins' places from an earlier call with the same
    inputs (see :func:`placement_key`): placing 100,000 origins is most of the work.
    """
    rules = rules or AccessRules()
    gates, gate_park = _entrance_positions(graph, parks, entrances, rules)
    usable = usable_edges(graph, gates.edge, min_component_m=rules.min_component_m)
    on_usable = usable[gates.edge] if len(gates.edge) else np.zeros(0, dtype=bool)
    gates, gate_park = gates.take(on_usable), gate_park[on_usable]
    positions = origin_positions or snap_to_edges(
        graph,
        gpd.GeoSeries(origins.points, crs=origins.crs),
        max_snap_m=rules.origin_max_snap_m,
        edge_mask=usable,
    )
    joined = join_sources(graph, gates)
    return WalkAccess(
        graph=graph,
        joined=joined,
        entrance_park=gate_park,
        origins=positions,
        off_network=positions.edge < 0,
        usable=usable,
        rules=rules,
        pairs=same_edge_pairs(joined.edge, positions.edge),
    )


def prepare_reach(
    origins: Origins,
    parks: gpd.GeoDataFrame,
    *,
    graph: WalkGraph | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    rules: AccessRules | None = None,
    limit_m: float = default_limit_m(3000),
    origin_positions: EdgePositions | None = None,
    boundaries: ParkBoundaries | None = None,
) -> PreparedReach:
    """Prepare ``parks`` for distances from ``origins`` (walking too, given a graph).

    ``limit_m`` is the largest search limit the prepared set will serve (the
    default serves tiers up to a 3 km radius). ``boundaries`` from another
    preparation of the same origins and parks (e.g. without the network) are reused.
    """
    check_parks(parks)
    parks = parks.reset_index(drop=True)
    walk = (
        prepare_walk(
            graph,
            origins,
            parks,
            entrances=entrances,
            rules=rules,
            origin_positions=origin_positions,
        )
        if graph is not None
        else None
    )
    return PreparedReach(
        origins=origins,
        parks=parks,
        area_m2=parks["area_m2"].to_numpy(float),
        boundaries=boundaries
        if boundaries is not None and boundaries.limit_m >= limit_m
        else park_boundaries(origins, parks, limit_m),
        walk=walk,
    )


@dataclass(frozen=True)
class ParkReach:
    """Distances (m) from every origin to the nearest qualifying park, per tier.

    ``straight_m[t]`` is the straight-line distance to the boundary of the nearest
    park of tier ``t``; ``network_m[t]`` the walking distance to its nearest
    entrance (None without a walk network). Both are ``inf`` beyond the tier's
    search limit ``limit_m[t]`` or when no path leads to a park. ``off_network``
    marks origins with no usable path within reach (None without a network).
    """

    standard: ParkStandard
    straight_m: NDArray[np.float64]
    network_m: NDArray[np.float64] | None
    limit_m: tuple[float, ...]
    off_network: NDArray[np.bool_] | None = None
    basis: TierBasis = "area"

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


def _straight(
    prepared: PreparedReach, qualifies: NDArray[np.bool_], limit_m: float
) -> NDArray[np.float64]:
    """Straight-line distance to the nearest qualifying park's boundary (0 inside one).

    Where an origin's nearest park of all qualifies, that distance is the answer;
    the other origins within reach of any park ask a k-d tree of the qualifying
    parks' boundary vertices. Near answers are then made exact.
    """
    bounds = prepared.boundaries
    origins = prepared.origins
    out = np.full(len(origins), np.inf)
    park_of = np.full(len(origins), -1, dtype=np.int64)
    keep = qualifies[bounds.park]
    if not keep.any():
        return out
    within = bounds.nearest_m <= limit_m
    settled = within & (bounds.nearest_park >= 0)
    settled[settled] = qualifies[bounds.nearest_park[settled]]
    out[settled] = bounds.nearest_m[settled]
    park_of[settled] = bounds.nearest_park[settled]
    rest = np.flatnonzero(within & ~settled)
    if len(rest):
        dist, vertex = cKDTree(bounds.xy[keep]).query(
            np.column_stack([origins.x[rest], origins.y[rest]]),
            k=1,
            distance_upper_bound=limit_m,
            workers=-1,
        )
        out[rest] = dist
        found = np.isfinite(dist)
        park_of[rest[found]] = bounds.park[keep][vertex[found]]
    near = np.flatnonzero(np.isfinite(out) & (out < EXACT_WITHIN_M))
    if len(near):
        out[near] = shapely.distance(origins.points[near], bounds.geoms[park_of[near]])
    out[bounds.inside_origin[qualifies[bounds.inside_park]]] = 0.0
    return out


def _limits(standard: ParkStandard, limit_m: float | Sequence[float] | None) -> tuple[float, ...]:
    if limit_m is None:
        return tuple(default_limit_m(t.radius_m) for t in standard.tiers)
    if isinstance(limit_m, int | float):
        return (float(limit_m),) * len(standard.tiers)
    return tuple(float(v) for v in limit_m)


def park_reach(
    prepared: PreparedReach,
    standard: ParkStandard,
    *,
    limit_m: float | Sequence[float] | None = None,
    basis: TierBasis = "area",
) -> ParkReach:
    """Measure every origin's distance to the nearest qualifying park of each tier.

    A park qualifies for a tier by size, or with ``basis="class"`` by its 公园名录
    class (:func:`analysis.standards.qualifies`). Both searches of
    a tier stop at ``limit_m`` (one value, or one per tier; default
    :func:`analysis.standards.default_limit_m`), so the distance surface reads
    "farther than" there. Tiers with the same qualifying parks share a search.
    """
    limits = _limits(standard, limit_m)
    if max(limits) > prepared.boundaries.limit_m and np.isfinite(prepared.boundaries.limit_m):
        bounds = park_boundaries(prepared.origins, prepared.parks, max(limits))
        prepared = replace(prepared, boundaries=bounds)
    qualifies = [
        qualifying(t, prepared.area_m2, prepared.park_class, basis=basis) for t in standard.tiers
    ]
    groups: dict[bytes, list[int]] = {}
    for t, mask in enumerate(qualifies):
        groups.setdefault(np.packbits(mask).tobytes(), []).append(t)
    n = len(prepared.origins)
    straight = np.full((len(limits), n), np.inf)
    for members in groups.values():
        reach = _straight(prepared, qualifies[members[0]], max(limits[t] for t in members))
        for t in members:
            straight[t] = np.where(reach <= limits[t], reach, np.inf)
    walk = prepared.walk
    if walk is None:
        return ParkReach(standard, straight, None, limits, basis=basis)
    network = np.full((len(limits), n), np.inf)
    for members in groups.values():
        distance = joined_nearest_distance(
            walk.joined,
            walk.origins,
            subset=qualifies[members[0]][walk.entrance_park],
            limit_m=max(limits[t] for t in members),
            pairs=walk.pairs,
        )
        for t in members:
            network[t] = np.where(distance <= limits[t], distance, np.inf)
            # Inside a qualifying park there is nothing to walk.
            network[t][straight[t] == 0] = 0.0
    return ParkReach(standard, straight, network, limits, walk.off_network, basis=basis)


def with_planned_park(
    reach: ParkReach, prepared: PreparedReach, planned: gpd.GeoDataFrame
) -> ParkReach:
    """Add planned parks: new distances are the old ones or those to the new parks, if nearer.

    Only the new parks are measured (one straight-line query and one walking pass
    per tier from their entrances, found by the same rule as existing parks);
    nothing else is recomputed. The origins keep their places on the network.
    """
    check_parks(planned)
    planned = planned.reset_index(drop=True)
    added = PreparedReach(
        origins=prepared.origins,
        parks=planned,
        area_m2=planned["area_m2"].to_numpy(float),
        boundaries=park_boundaries(prepared.origins, planned, max(reach.limit_m)),
        walk=None,
    )
    if prepared.walk is not None and reach.network_m is not None:
        walk = prepared.walk
        gates, gate_park = _entrance_positions(walk.graph, planned, None, walk.rules)
        added = replace(
            added,
            walk=replace(
                walk,
                joined=join_sources(walk.graph, gates),
                entrance_park=gate_park,
                pairs=None,
            ),
        )
    new = park_reach(added, reach.standard, limit_m=reach.limit_m, basis=reach.basis)
    network = None
    if reach.network_m is not None and new.network_m is not None:
        network = np.minimum(reach.network_m, new.network_m)
    return replace(
        reach, straight_m=np.minimum(reach.straight_m, new.straight_m), network_m=network
    )
