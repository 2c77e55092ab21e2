"""Greedy (lazy, 1 − 1/e) and exact (MCLP) site searches, and the sites as planned parks."""

from __future__ import annotations

import heapq
import math
import time
import warnings
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.siting.problem import (
    SiteChoice,
    SitingProblem,
    SitingResult,
    _kernel,
    _Raster,
    _square,
)
from analysis.siting.walking import WalkCoverage, walk_coverage
from geo.crs import DISPLAY_CRS
from geo.errors import SitingError

__all__ = [
    "EXACT_MAX_PAIRS",
    "GREEDY_GUARANTEE",
    "exact_sites",
    "greedy_sites",
    "site_footprints",
]

# The greedy total is at least this share of the optimum (1 - 1/e).
GREEDY_GUARANTEE = 1.0 - 1.0 / math.e
# The exact model is built only up to this many (candidate, covered cell) pairs.
EXACT_MAX_PAIRS = 400_000


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
