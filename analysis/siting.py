"""Where should the next pocket parks go? Maximum-coverage site suggestions.

A **site** is a square pocket park of a tier's minimum area centred on a grid
cell's centre (a *candidate*: on land, since the grid leaves water out, and not
inside an existing park; optionally only inside the planner's candidate layer,
e.g. vacant or green land of the 控规). A site **covers** an origin of the
demand grid as an existing park would: by straight line, when the origin lies
within the tier's radius of the square (the official buffer method); on foot,
when the walk from the square's entrances (:mod:`geo.osm.entrances`, the same rule
as for existing parks) to the origin is at most the radius. Only demand not yet
covered counts; on foot, demand off the walk network cannot be gained.

**Greedy** (:func:`greedy_sites`): take the site that adds the most uncovered
demand, k times. Coverage is monotone and submodular, so the greedy total is at
least (1 − 1/e) ≈ 63.2 % of the best possible total for the same k (Nemhauser,
Wolsey & Fisher 1978). Evaluation is *lazy* (Minoux 1978, "CELF"): gains only
fall as coverage grows, so a candidate whose fresh gain still beats every other
candidate's stale gain is the best, and most candidates are never re-evaluated.
The first stale gains are exact by buffer (a convolution of the uncovered-demand
raster with the site's coverage kernel) and, on foot, the buffer gain within
the radius plus the entrance tolerance: a walk is never shorter than the
straight line less that tolerance, so it bounds the walking gain from above.
A walking gain is one Dijkstra pass on the part of the network within reach of
the site, which contains every walk of at most the radius (exact, not a
shortcut); no candidate × cell matrix is ever built.

**Exact** (:func:`exact_sites`): the maximal covering location problem (Church
& ReVelle 1974) — maximise Σ wᵢ yᵢ subject to yᵢ ≤ Σ_{j covers i} xⱼ,
Σ xⱼ = k, xⱼ ∈ {0, 1}, 0 ≤ yᵢ ≤ 1 — solved by CBC through PuLP, with weighted
demand and no predefined facilities (pysal ``spopt``'s MCLP reports
``perc_cov`` as a share of demand *points* and counts predefined facilities in
``p_facilities``; we state the covered demand itself). Only for instances with
at most :data:`EXACT_MAX_PAIRS` candidate-cell pairs, and within a time limit.
"""

from __future__ import annotations

import argparse
import heapq
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.signal import fftconvolve
from scipy.spatial import cKDTree

from analysis.demand import Origins
from analysis.distances import Method, ParkReach, PreparedReach, WalkAccess, _entrance_positions
from analysis.indicators import covered
from analysis.network import EdgePositions, join_sources, joined_nearest_distance, subgraph
from analysis.standards import ParkStandard, StandardTier
from geo.cli import CommandLineParser, run_command
from geo.crs import DISPLAY_CRS
from geo.errors import SitingError

__all__ = [
    "EXACT_MAX_PAIRS",
    "GREEDY_GUARANTEE",
    "SiteChoice",
    "SitingProblem",
    "SitingResult",
    "WalkCoverage",
    "exact_sites",
    "greedy_sites",
    "site_footprints",
    "siting_problem",
    "walk_coverage",
]

# The greedy total is at least this share of the optimum (1 - 1/e).
GREEDY_GUARANTEE = 1.0 - 1.0 / math.e
# The exact model is built only up to this many (candidate, covered cell) pairs.
EXACT_MAX_PAIRS = 400_000


@dataclass(frozen=True)
class SitingProblem:
    """A site-selection instance: demand still uncovered, candidates, the site and its reach.

    ``gainable`` is the demand each origin can still add (its weight where it is
    not covered yet and, on foot, on the network; else 0). ``candidates`` are
    origin indices that may hold a site.
    """

    origins: Origins
    gainable: NDArray[np.float64]
    candidates: NDArray[np.int64]
    tier: StandardTier
    radius_m: float
    side_m: float
    method: Method
    walk: WalkAccess | None
    covered_before: float  # demand covered before any site
    total_demand: float
    tolerance_m: float = 0.0  # entrance tolerance: walks are never shorter than straight - this

    @property
    def before_share(self) -> float:
        """The covered share of demand before any site (NaN without demand)."""
        return self.covered_before / self.total_demand if self.total_demand > 0 else math.nan


@dataclass(frozen=True)
class SiteChoice:
    """One suggested site: its rank, cell, the demand it adds and the coverage after it."""

    rank: int
    origin: int  # index of the cell centre it stands on
    x: float
    y: float
    gain: float
    covered_share_after: float
    newly_covered: NDArray[np.int64]  # origins this site covers that nothing covered before


@dataclass(frozen=True)
class SitingResult:
    """The chosen sites and the figures a planner checks them by."""

    sites: tuple[SiteChoice, ...]
    method: Literal["greedy", "exact"]
    before_share: float
    after_share: float
    total_demand: float
    gap: float | None = None  # (exact - greedy) / exact, when both were solved
    optimal: bool | None = None  # the exact solver proved optimality within its time limit
    seconds: float = 0.0
    evaluations: int = 0  # exact gain evaluations (lazy greedy)

    def summary(self) -> dict[str, object]:
        """Return the JSON summary the command line prints."""
        return {
            "before": self.before_share,
            "after": self.after_share,
            "total_demand": self.total_demand,
            "method": self.method,
            "gap": self.gap,
        }


def _site_tier(standard: ParkStandard, tier_id: str | None) -> StandardTier:
    return standard.smallest_tier() if tier_id is None else standard.tier(tier_id)


def siting_problem(
    prepared: PreparedReach,
    reach: ParkReach,
    *,
    tier_id: str | None,
    method: Method,
    candidate_area: gpd.GeoDataFrame | None = None,
    weights: NDArray[np.float64] | None = None,
) -> SitingProblem:
    """Build the instance for ``reach``'s standard and ``tier_id`` (None: any tier).

    A site is a square of the tier's minimum area (with ``tier_id`` None, of the
    smallest tier) and serves that tier's radius; demand counts as covered as the
    page counts it (:func:`analysis.indicators.covered`). The demand is
    ``weights`` (one per origin), else the weights ``prepared.origins`` carry.
    ``reach`` may include planned parks (a scenario): only what they leave
    uncovered counts.
    """
    origins = prepared.origins
    if weights is not None:
        origins = origins.with_weights(weights, origins.demand)
    tier = _site_tier(reach.standard, tier_id)
    if tier.min_area_m2 <= 0:
        msg = (
            f"层级 {tier.tier_id} 没有最小面积，无法确定口袋公园的大小。 / "
            f"Tier {tier.tier_id!r} has no minimum area to size a pocket park by."
        )
        raise SitingError(msg)
    walk = prepared.walk if method == "network" else None
    if method == "network" and (walk is None or reach.network_m is None):
        msg = (
            "步行选址需要路网数据（OpenStreetMap）。 / "
            "Walking site suggestions need a walk network (OpenStreetMap layers)."
        )
        raise SitingError(msg)
    weight = np.asarray(origins.weight, dtype=float)
    done = covered(reach, method, tier_id)
    gainable = np.where(done, 0.0, weight)
    if walk is not None:
        gainable[walk.off_network] = 0.0
    allowed = np.ones(len(origins), dtype=bool)
    allowed[prepared.boundaries.inside_origin] = False  # not inside an existing park
    if candidate_area is not None:
        shapes = shapely.make_valid(candidate_area.to_crs(origins.crs).geometry.to_numpy())
        _, inside = shapely.STRtree(origins.points).query(shapes, predicate="contains")
        within = np.zeros(len(origins), dtype=bool)
        within[inside] = True
        allowed &= within
    return SitingProblem(
        origins=origins,
        gainable=gainable,
        candidates=np.flatnonzero(allowed).astype(np.int64),
        tier=tier,
        radius_m=float(tier.radius_m),
        side_m=math.sqrt(tier.min_area_m2),
        method=method,
        walk=walk,
        covered_before=float(weight[done].sum()),
        total_demand=float(weight.sum()),
        tolerance_m=walk.rules.entrance_tolerance_m if walk is not None else 0.0,
    )


# --- coverage of one site ----------------------------------------------------------------


def _kernel(problem: SitingProblem, radius_m: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Grid offsets (rows, cols) of the cells within ``radius_m`` of a site's square."""
    cell = problem.origins.cell_m
    half = problem.side_m / 2
    m = math.ceil((radius_m + half) / cell)
    steps = np.arange(-m, m + 1)
    dy, dx = np.meshgrid(steps * cell, steps * cell, indexing="ij")
    gap = np.hypot(np.maximum(np.abs(dx) - half, 0), np.maximum(np.abs(dy) - half, 0))
    rows, cols = np.nonzero(gap <= radius_m)
    return (rows - m).astype(np.int64), (cols - m).astype(np.int64)


class _Raster:
    """The grid as an image: origin index per pixel (-1 where no origin)."""

    def __init__(self, origins: Origins) -> None:
        self.origins = origins
        self.index = np.full((origins.n_rows, origins.n_cols), -1, dtype=np.int64)
        self.index[origins.row, origins.col] = np.arange(len(origins))

    def image(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.zeros(self.index.shape)
        out[self.origins.row, self.origins.col] = values
        return out

    def around(
        self, origin: int, kernel: tuple[NDArray[np.int64], NDArray[np.int64]]
    ) -> NDArray[np.int64]:
        rows = self.origins.row[origin] + kernel[0]
        cols = self.origins.col[origin] + kernel[1]
        inside = (
            (rows >= 0) & (rows < self.index.shape[0]) & (cols >= 0) & (cols < self.index.shape[1])
        )
        found = self.index[rows[inside], cols[inside]]
        return found[found >= 0]

    def sums(
        self, values: NDArray[np.float64], kernel: tuple[NDArray[np.int64], NDArray[np.int64]]
    ) -> NDArray[np.float64]:
        """Σ values over each origin's kernel window, for every origin (one FFT convolution)."""
        m = int(max(np.abs(kernel[0]).max(), np.abs(kernel[1]).max()))
        mask = np.zeros((2 * m + 1, 2 * m + 1))
        mask[kernel[0] + m, kernel[1] + m] = 1.0
        total = fftconvolve(self.image(values), mask, mode="same")
        out = total[self.origins.row, self.origins.col]
        # FFT sums carry rounding noise; as upper bounds they are lifted by more than it.
        return np.maximum(out, 0.0) + 1e-9 * max(float(values.sum()), 1.0)


def _square(problem: SitingProblem, origin: int) -> shapely.Polygon:
    half = problem.side_m / 2
    x, y = problem.origins.x[origin], problem.origins.y[origin]
    return shapely.box(x - half, y - half, x + half, y + half)


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


def _coverage_fn(
    problem: SitingProblem, coverage: WalkCoverage | None = None
) -> Callable[[int], NDArray[np.int64]]:
    """Return ``f(origin) -> covered origins`` for the problem's method."""
    if problem.method == "network":
        if coverage is None:
            return walk_coverage(problem)
        if not np.isin(problem.candidates, coverage.candidates).all():
            msg = (
                "步行覆盖与本次候选点不符。 / The walking coverage given was measured for other "
                "candidates."
            )
            raise SitingError(msg)
        return coverage
    raster = _Raster(problem.origins)
    kernel = _kernel(problem, problem.radius_m)
    return lambda origin: raster.around(origin, kernel)


def walk_coverage(problem: SitingProblem) -> WalkCoverage:
    """Measure every candidate's walking coverage (whatever the demand: reusable across questions).

    It depends on the network, the grid, the candidates, the site's size and the
    radius only, so one measurement serves any demand, scenario and k.
    """
    if problem.walk is None:
        msg = "步行覆盖需要路网。 / Walking coverage needs a walk network."
        raise SitingError(msg)
    return WalkCoverage(problem, np.sort(problem.candidates))


def _buffer_bounds(problem: SitingProblem, gainable: NDArray[np.float64]) -> NDArray[np.float64]:
    """Every candidate's gain by buffer (on foot: within the radius plus the entrance tolerance).

    A walk is never shorter than the straight line less the entrance tolerance,
    so on foot this bounds the gain from above.
    """
    raster = _Raster(problem.origins)
    radius = problem.radius_m + (problem.tolerance_m if problem.method == "network" else 0.0)
    return raster.sums(gainable, _kernel(problem, radius))[problem.candidates]


def _upper_bounds(
    problem: SitingProblem,
    gainable: NDArray[np.float64],
    cover: Callable[[int], NDArray[np.int64]],
) -> NDArray[np.float64]:
    """Every candidate's first gain: exact by buffer, exact on foot from the batched passes."""
    if isinstance(cover, WalkCoverage):
        out = np.zeros(len(problem.candidates))
        known = np.isin(problem.candidates, cover.candidates)
        out[known] = cover.gains(gainable, problem.candidates[known])
        return out
    return _buffer_bounds(problem, gainable)


# --- greedy --------------------------------------------------------------------------------


class _Tally:
    """Sites taken so far: the demand still to gain and the coverage after each site."""

    def __init__(self, problem: SitingProblem) -> None:
        self.problem = problem
        self.remaining = problem.gainable.copy()
        self.covered = problem.covered_before
        self.sites: list[SiteChoice] = []

    def gain(self, hits: NDArray[np.int64]) -> float:
        """Return the demand a site covering ``hits`` would add now."""
        return float(self.remaining[hits].sum())

    def take(self, cand: int, hits: NDArray[np.int64]) -> None:
        """Build the site at ``cand``: its newly covered demand counts, once."""
        new = hits[self.remaining[hits] > 0]
        gain = float(self.remaining[new].sum())
        self.remaining[new] = 0.0
        self.covered += gain
        self.sites.append(_choice(self.problem, len(self.sites) + 1, cand, gain, self.covered, new))

    @property
    def after_share(self) -> float:
        """The covered share of demand with every site taken."""
        total = self.problem.total_demand
        return self.covered / total if total > 0 else math.nan


def greedy_sites(
    problem: SitingProblem, k: int, *, coverage: WalkCoverage | None = None
) -> SitingResult:
    """Choose ``k`` sites by lazy greedy maximum coverage (≥ (1 − 1/e) of the optimum).

    Each round takes the candidate adding the most demand not yet covered, ties
    to the lower cell index. Gains never increase from one site to the next.
    Stops early when no candidate adds anything. On foot, ``coverage`` from
    :func:`walk_coverage` for the same network, grid and tier saves measuring it again.
    """
    _check_k(k)
    start = time.perf_counter()
    cover = _coverage_fn(problem, coverage)
    tally = _Tally(problem)
    bounds = _upper_bounds(problem, tally.remaining, cover)
    heap = [(-b, int(c), -1) for b, c in zip(bounds, problem.candidates, strict=True) if b > 0]
    heapq.heapify(heap)
    evaluations = 0
    fresh: dict[int, NDArray[np.int64]] = {}
    while heap and len(tally.sites) < k:
        _, cand, stamp = heapq.heappop(heap)
        if stamp != len(tally.sites):  # stale: evaluate against the current coverage
            fresh[cand] = cover(cand)
            evaluations += 1
            gain = tally.gain(fresh[cand])
            if gain > 0:
                heapq.heappush(heap, (-gain, cand, len(tally.sites)))
            continue
        tally.take(cand, fresh[cand])
    return SitingResult(
        sites=tuple(tally.sites),
        method="greedy",
        before_share=problem.before_share,
        after_share=tally.after_share,
        total_demand=problem.total_demand,
        seconds=time.perf_counter() - start,
        evaluations=evaluations,
    )


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1 or k > 200:
        msg = (
            f"建议数量 k 必须是 1–200 的整数，收到 {k!r}。 / "
            f"k must be a whole number 1-200, got {k!r}."
        )
        raise SitingError(msg)


def _choice(  # noqa: PLR0917 - one private constructor
    problem: SitingProblem,
    rank: int,
    cand: int,
    gain: float,
    covered_now: float,
    new: NDArray[np.int64],
) -> SiteChoice:
    share = covered_now / problem.total_demand if problem.total_demand > 0 else math.nan
    return SiteChoice(
        rank=rank,
        origin=cand,
        x=float(problem.origins.x[cand]),
        y=float(problem.origins.y[cand]),
        gain=gain,
        covered_share_after=share,
        newly_covered=np.asarray(new, dtype=np.int64),
    )


# --- exact ---------------------------------------------------------------------------------


def exact_sites(
    problem: SitingProblem,
    k: int,
    *,
    time_limit_s: float = 60.0,
    coverage: WalkCoverage | None = None,
) -> SitingResult:
    """Solve the maximal covering location problem exactly (CBC), and the greedy gap.

    Raises :class:`geo.errors.SitingError` when the instance has more than
    :data:`EXACT_MAX_PAIRS` (candidate, uncovered cell) pairs: narrow it with an
    area or a candidate layer, or use a coarser grid. ``optimal`` says whether CBC
    proved optimality within ``time_limit_s``; the gap compares the greedy total
    with the exact one.
    """
    import pulp  # noqa: PLC0415 - only the exact solution needs the solver

    _check_k(k)
    start = time.perf_counter()
    cover = _coverage_fn(problem, coverage)
    greedy = greedy_sites(problem, k, coverage=cover if isinstance(cover, WalkCoverage) else None)
    bounds = _upper_bounds(problem, problem.gainable, cover)
    useful = problem.candidates[bounds > 1e-6 * max(problem.gainable.sum(), 1.0)]
    pairs: list[tuple[int, NDArray[np.int64]]] = []
    n_pairs = 0
    for cand in useful:
        hits = cover(int(cand))
        hits = hits[problem.gainable[hits] > 0]
        if len(hits):
            pairs.append((int(cand), hits))
            n_pairs += len(hits)
        if n_pairs > EXACT_MAX_PAIRS:
            msg = (
                f"实例过大，无法精确求解（超过 {EXACT_MAX_PAIRS:,} 个候选点-网格对）：请缩小范围、"
                "加载候选用地或加大网格。 / The instance is too large to solve exactly (over "
                f"{EXACT_MAX_PAIRS:,} candidate-cell pairs): narrow the area, load candidate "
                "land or use a coarser grid."
            )
            raise SitingError(msg)
    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = {c: model.add_variable(f"x_{c}", 0, 1, cat="Binary") for c, _ in pairs}
    covering: dict[int, list[int]] = {}
    for c, hits in pairs:
        for i in hits.tolist():
            covering.setdefault(i, []).append(c)
    y = {i: model.add_variable(f"y_{i}", 0, 1) for i in covering}
    model += pulp.lpSum(float(problem.gainable[i]) * y[i] for i in covering)
    for i, sites in covering.items():
        model += y[i] <= pulp.lpSum(x[c] for c in sites)
    model += pulp.lpSum(x.values()) <= k
    with warnings.catch_warnings():
        # PuLP 3.3 marks its bundled CBC deprecated for 4.0; requirements pin pulp<4.
        warnings.simplefilter("ignore", DeprecationWarning)
        status = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    picked = sorted((c for c, var in x.items() if (var.value() or 0) > 0.5))
    # Order the exact sites as a planner reads them: by the demand each adds in turn.
    hits_of = dict(pairs)
    tally = _Tally(problem)
    left = list(picked)
    while left:
        best = max(left, key=lambda c: (tally.gain(hits_of[c]), -c))
        tally.take(best, hits_of[best])
        left.remove(best)
    exact_total = tally.covered - problem.covered_before
    greedy_total = (greedy.after_share - greedy.before_share) * problem.total_demand
    gap = (exact_total - greedy_total) / exact_total if exact_total > 0 else 0.0
    return SitingResult(
        sites=tuple(tally.sites),
        method="exact",
        before_share=problem.before_share,
        after_share=tally.after_share,
        total_demand=problem.total_demand,
        # A proved optimum is never below the greedy: a negative gap is rounding.
        gap=max(gap, 0.0) if status == pulp.LpStatusOptimal else gap,
        optimal=pulp.LpStatus[status] == "Optimal",
        seconds=time.perf_counter() - start,
        evaluations=greedy.evaluations,
    )


# --- output --------------------------------------------------------------------------------


def site_footprints(
    problem: SitingProblem, result: SitingResult, *, year: int | None = None
) -> gpd.GeoDataFrame:
    """Return the sites as pocket-park squares (WGS84) ready to be planned parks.

    Columns: ``park_id``, ``name``, ``rank``, ``gain`` (demand added),
    ``covered_share_after``, ``area_m2``, ``tier_id``, ``planned`` and ``year``;
    the layer can be passed to ``python -m analysis.reach --planned``.
    """
    squares = [_square(problem, s.origin) for s in result.sites]
    frame = gpd.GeoDataFrame(
        {
            "park_id": [f"site_{s.rank}" for s in result.sites],
            "name": [
                f"建议口袋公园 {s.rank} / Suggested pocket park {s.rank}" for s in result.sites
            ],
            "rank": [s.rank for s in result.sites],
            "gain": [s.gain for s in result.sites],
            "covered_share_after": [s.covered_share_after for s in result.sites],
            "area_m2": [float(g.area) for g in squares],
            "tier_id": [problem.tier.tier_id] * len(squares),
            "planned": [True] * len(squares),
            "year": pd.array([year] * len(squares), dtype="Int64"),
        },
        geometry=squares,
        crs=problem.origins.crs,
    )
    return frame.to_crs(DISPLAY_CRS)


_USAGE = """Suggest sites for new pocket parks (greedy maximum coverage, or exact with --exact).

python -m analysis.siting --osm-cache CACHE.gpkg [--area POLYGONS] [--standards FILE]
    --standard ID --tier ID --k N [--method walk|buffer] [--cell-m 100]
    [--demand land|residential] [--candidates FILE] [--exact] --out SITES.geojson [--json]

SITES.geojson holds the sites (squares of the tier's minimum area) with rank, gain
(demand added, m² of land or residential land) and covered_share_after; pass it
as it is to python -m analysis.reach --planned. --area defaults to the county
outline. --method defaults to walk when the cache has a walk network, else buffer.
With --json the last line printed is {"before", "after", "total_demand", "method", "gap"}.
The greedy total is at least 1 - 1/e (63.2 %) of the optimum.
"""


def _cli_parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="python -m analysis.siting",
        description=_USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--osm-cache", type=Path, required=True)
    parser.add_argument("--area", type=Path, help="polygons to site in (default: the county)")
    parser.add_argument("--standards", type=Path, default=None, help="standards JSON")
    parser.add_argument("--standard", required=True, help="standard id")
    parser.add_argument("--tier", required=True, help="tier id (the site's size and radius)")
    parser.add_argument("--k", type=int, required=True, help="number of sites")
    parser.add_argument("--method", choices=["walk", "buffer"], help="coverage by walk or buffer")
    parser.add_argument("--cell-m", type=float, default=100.0, help="grid cell in metres (100)")
    parser.add_argument("--demand", choices=["land", "residential"], default="land")
    parser.add_argument("--candidates", type=Path, help="polygons the sites must lie in")
    parser.add_argument("--exact", action="store_true", help="solve the MCLP exactly (CBC)")
    parser.add_argument("--time-limit-s", type=float, default=120.0, help="exact solver limit")
    parser.add_argument("--out", type=Path, required=True, help="GeoJSON to write")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the site-suggestion command; return the exit code (2 for bad arguments or inputs)."""
    return run_command(lambda: _main(argv), file_errors=True)


def _main(argv: list[str] | None) -> int:
    import json  # noqa: PLC0415 - the command line only

    from analysis.reach import area_origins, load_standard, open_cache, read_area  # noqa: PLC0415
    from geo.boundaries import load_outline  # noqa: PLC0415
    from geo.osm.entrances import load_access_rules  # noqa: PLC0415
    from geo.standards import STANDARDS_PATH  # noqa: PLC0415

    args = _cli_parser().parse_args(argv)
    if not (np.isfinite(args.cell_m) and args.cell_m > 0):
        msg = f"--cell-m 必须为正数。 / --cell-m must be positive, got {args.cell_m:g}."
        raise SitingError(msg)
    _check_k(args.k)
    if not args.out.parent.is_dir():
        msg = f"输出目录不存在。 / The output folder {args.out.parent} does not exist."
        raise SitingError(msg)
    standard = load_standard(args.standards or STANDARDS_PATH, args.standard)
    standard.tier(args.tier)
    area = read_area(args.area) if args.area is not None else load_outline()
    candidates = read_area(args.candidates) if args.candidates is not None else None
    cache = open_cache(args.osm_cache)
    method: Method = "buffer"
    if args.method == "walk" or (args.method is None and cache.graph is not None):
        if cache.graph is None:
            msg = "缓存中没有步行路网。 / The cache has no walk network: use --method buffer."
            raise SitingError(msg)
        method = "network"
    origins = area_origins(area, cache, cell_m=float(args.cell_m), demand=args.demand)
    from analysis.distances import park_reach, prepare_reach  # noqa: PLC0415

    prepared = prepare_reach(
        origins,
        cache.parks,
        graph=cache.graph if method == "network" else None,
        entrances=cache.entrances if method == "network" else None,
        rules=load_access_rules(),
    )
    reach = park_reach(prepared, standard)
    problem = siting_problem(
        prepared, reach, tier_id=args.tier, method=method, candidate_area=candidates
    )
    print(
        f"{len(origins):,} 格 / cells · {len(problem.candidates):,} 候选 / candidates · "
        f"{'步行 / walk' if method == 'network' else '缓冲区 / buffer'}",
        flush=True,
    )
    if args.exact:
        result = exact_sites(problem, args.k, time_limit_s=args.time_limit_s)
    else:
        result = greedy_sites(problem, args.k)
    site_footprints(problem, result).to_file(args.out, driver="GeoJSON")
    for site in result.sites:
        print(
            f"#{site.rank}: +{site.gain:,.0f} → {site.covered_share_after * 100:.2f} %",
            flush=True,
        )
    print(
        f"{result.method}: {result.before_share * 100:.2f} % → {result.after_share * 100:.2f} % "
        f"({result.seconds:.2f} s) -> {args.out}"
    )
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
