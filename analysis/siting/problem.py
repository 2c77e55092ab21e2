"""The siting question: demand, candidates, the site's size and radius (:mod:`analysis.siting`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from analysis.distances import Method, ParkReach, PreparedReach, WalkAccess
from analysis.indicators import covered
from analysis.standards import ParkStandard, StandardTier
from geo.errors import SitingError
from geo.grid import Origins

__all__ = [
    "SiteChoice",
    "SitingProblem",
    "SitingResult",
    "siting_problem",
]


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
