"""Every candidate site's walking coverage, by the parks' entrance rule (:mod:`analysis.siting`)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from analysis.distances import _entrance_positions
from analysis.network import EdgePositions, join_sources, joined_nearest_distance, subgraph
from analysis.siting.problem import SitingProblem, _square
from geo.errors import SitingError

__all__ = [
    "WalkCoverage",
    "walk_coverage",
]


class _Walker:
    """Walking coverage of one site on the part of the network within its reach.

    An independent check of :class:`WalkCoverage` (the tests compare the two).
    """

    def __init__(self, problem: SitingProblem) -> None:
        walk = problem.walk
        assert walk is not None
        self.problem = problem
        self.walk = walk
        self.tree = shapely.STRtree(walk.graph.edge_geometry)
        rules = walk.rules
        # Every walk of at most the radius from an entrance (within the fallback
        # distance of the site) stays within this distance of the site.
        self.reach_m = problem.radius_m + max(rules.entrance_tolerance_m, rules.fallback_m) + 1.0
        on = walk.origins.edge >= 0
        self.origin_edge = walk.origins.edge
        self.on_network = on

    def covered(self, origin: int) -> NDArray[np.int64]:
        """Origins the site at ``origin`` covers on foot (any, not only uncovered ones)."""
        site = _square(self.problem, origin)
        edges = np.sort(self.tree.query(site, predicate="dwithin", distance=self.reach_m))
        if len(edges) == 0:
            return np.array([], dtype=np.int64)
        local = subgraph(self.walk.graph, edges.astype(np.int64))
        frame = gpd.GeoDataFrame(
            {"park_id": ["site"], "area_m2": [site.area]},
            geometry=[site],
            crs=self.problem.origins.crs,
        )
        gates, _ = _entrance_positions(local, frame, None, self.walk.rules)
        if len(gates.edge) == 0:
            return np.array([], dtype=np.int64)
        position = np.full(len(self.walk.graph.edge_u), -1, dtype=np.int64)
        position[edges] = np.arange(len(edges))
        near = np.flatnonzero(self.on_network & (position[np.maximum(self.origin_edge, 0)] >= 0))
        near = near[self.origin_edge[near] >= 0]
        if len(near) == 0:
            return np.array([], dtype=np.int64)
        o = self.walk.origins
        targets = EdgePositions(position[o.edge[near]], o.offset_m[near], o.snap_m[near])
        dist = joined_nearest_distance(
            join_sources(local, gates), targets, limit_m=self.problem.radius_m
        )
        return near[dist <= self.problem.radius_m]


class WalkCoverage:
    """Every candidate's walking coverage, measured a batch of far-apart candidates per pass.

    Candidates of one batch lie on a lattice at least ``2 (r + F + s/√2)`` apart
    (r the radius, F the fallback entrance distance, s the site's side), so an
    origin within walking reach of one of them is out of straight reach of every
    other: one multi-source pass from all the batch's entrances (found by the same
    rule as for existing parks) gives each origin its distance to the one site that
    can reach it, the nearest by straight line. Exact, and a pass per batch
    instead of one per candidate.
    """

    def __init__(self, problem: SitingProblem, candidates: NDArray[np.int64]) -> None:
        walk = problem.walk
        if walk is None:  # pragma: no cover - built only for walking problems
            msg = "步行覆盖需要路网。 / Walking coverage needs a walk network."
            raise SitingError(msg)
        origins = problem.origins
        rules = walk.rules
        reach = problem.radius_m + max(rules.entrance_tolerance_m, rules.fallback_m)
        step = math.floor((2 * (reach + problem.side_m / math.sqrt(2))) / origins.cell_m) + 1
        half = problem.side_m / 2
        owners: list[NDArray[np.int64]] = []
        hits: list[NDArray[np.int64]] = []
        rows, cols = origins.row[candidates] % step, origins.col[candidates] % step
        batch_of = rows * step + cols
        targets = walk.origins
        # Every site's entrances in one go, by the rule for existing parks, on the whole network.
        x, y = origins.x[candidates], origins.y[candidates]
        squares = shapely.box(x - half, y - half, x + half, y + half)
        frame = gpd.GeoDataFrame(
            {"park_id": candidates.astype(str), "area_m2": shapely.area(squares)},
            geometry=squares,
            crs=origins.crs,
        )
        gates, gate_site = _entrance_positions(walk.graph, frame, None, rules)
        gate_batch = batch_of[gate_site] if len(gate_site) else np.array([], dtype=np.int64)
        for batch in np.unique(batch_of):
            chosen = gate_batch == batch
            if not chosen.any():
                continue
            members = np.flatnonzero(batch_of == batch)
            dist = joined_nearest_distance(
                join_sources(walk.graph, gates.take(chosen)), targets, limit_m=problem.radius_m
            )
            reached = np.flatnonzero(dist <= problem.radius_m)
            if len(reached) == 0:
                continue
            _, nearest = cKDTree(np.column_stack([x[members], y[members]])).query(
                np.column_stack([origins.x[reached], origins.y[reached]])
            )
            owners.append(candidates[members[nearest]])
            hits.append(reached)
        owner = np.concatenate(owners) if owners else np.array([], dtype=np.int64)
        hit = np.concatenate(hits) if hits else np.array([], dtype=np.int64)
        order = np.argsort(owner, kind="stable")
        self.owner, self.hit = owner[order], hit[order]
        self.candidates = candidates
        self.start = np.searchsorted(self.owner, candidates, side="left")
        self.end = np.searchsorted(self.owner, candidates, side="right")
        self.position = {int(c): i for i, c in enumerate(candidates)}
        self.passes = len(np.unique(batch_of))

    def __call__(self, origin: int) -> NDArray[np.int64]:
        """Return the origins the site at ``origin`` covers on foot."""
        i = self.position.get(int(origin))
        if i is None:
            return np.array([], dtype=np.int64)
        return self.hit[self.start[i] : self.end[i]]

    def gains(
        self, values: NDArray[np.float64], candidates: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Σ ``values`` over each candidate's coverage."""
        per_owner = np.bincount(
            np.searchsorted(self.candidates, self.owner),
            weights=values[self.hit],
            minlength=len(self.candidates),
        )
        return np.asarray(per_owner[np.searchsorted(self.candidates, candidates)], dtype=float)


def walk_coverage(problem: SitingProblem) -> WalkCoverage:
    """Measure every candidate's walking coverage (whatever the demand: reusable across questions).

    It depends on the network, the grid, the candidates, the site's size and the
    radius only, so one measurement serves any demand, scenario and k.
    """
    if problem.walk is None:
        msg = "步行覆盖需要路网。 / Walking coverage needs a walk network."
        raise SitingError(msg)
    return WalkCoverage(problem, np.sort(problem.candidates))
