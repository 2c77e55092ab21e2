"""Approximate unit boundaries: an area-constrained power diagram of seat points.

Official town and zone boundaries are not published as open data. Until a
planner loads them, units are approximated by a power diagram (weighted
Voronoi diagram) of their cited seat coordinates, clipped to the county
outline. Each cell's weight is adjusted until its area matches the unit's
cited area (where one exists); units without a cited area share the rest in
proportion to their plain Voronoi areas. Cells of a power diagram tile the
plane, so the result partitions the outline with no gaps or overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from geo.errors import BoundaryDataError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["PartitionResult", "partition_by_seats", "power_diagram_cells"]

_FRAGMENT_MIN_SHARE = 0.02


@dataclass(frozen=True)
class PartitionResult:
    """Cells of an area-constrained power diagram (metric CRS)."""

    cells: list[shapely.Geometry]
    weights_m2: NDArray[np.float64]
    target_area_m2: NDArray[np.float64]
    iterations: int
    max_relative_error: float


def _half_plane(
    site: NDArray[np.float64],
    other: NDArray[np.float64],
    weight_site: float,
    weight_other: float,
    extent: float,
) -> shapely.Polygon:
    """Return the half-plane (as a large polygon) where ``site`` wins the power distance.

    Points x with |x-p|^2 - w_p <= |x-q|^2 - w_q satisfy n.x <= c with
    n = 2 (q - p) and c = |q|^2 - |p|^2 - w_q + w_p.
    """
    normal = 2.0 * (other - site)
    offset = float(other @ other - site @ site - weight_other + weight_site)
    norm = float(np.hypot(*normal))
    unit = normal / norm
    foot = unit * (offset / norm)  # closest point of the bisector line to the origin
    along = np.array([-unit[1], unit[0]])
    a = foot + along * extent
    b = foot - along * extent
    return shapely.Polygon([a, b, b - unit * extent, a - unit * extent])


def power_diagram_cells(
    sites: NDArray[np.float64],
    weights_m2: NDArray[np.float64],
    domain: shapely.Geometry,
) -> list[shapely.Geometry]:
    """Clip the power-diagram cell of every site to ``domain``.

    Parameters
    ----------
    sites
        ``(n, 2)`` array of site coordinates in a metric CRS (metres).
    weights_m2
        Power weights in square metres; equal weights give a Voronoi diagram.
    domain
        Polygon or MultiPolygon in the same metric CRS.

    Returns
    -------
    list of shapely geometries
        One (possibly empty) cell per site, in input order.

    Examples
    --------
    >>> box = shapely.box(0, 0, 2, 1)
    >>> cells = power_diagram_cells(np.array([[0.5, 0.5], [1.5, 0.5]]), np.zeros(2), box)
    >>> [round(c.area, 6) for c in cells]
    [1.0, 1.0]
    """
    minx, miny, maxx, maxy = domain.bounds
    extent = 10.0 * max(maxx - minx, maxy - miny, 1.0) + float(np.abs(sites).max())
    cells: list[shapely.Geometry] = []
    for i, site in enumerate(sites):
        cell = domain
        for j, other in enumerate(sites):
            if i == j or cell.is_empty:
                continue
            if np.allclose(site, other):
                msg = f"Sites {i} and {j} share the coordinates {site.tolist()}."
                raise BoundaryDataError(msg)
            half = _half_plane(site, other, weights_m2[i], weights_m2[j], extent)
            cell = shapely.intersection(cell, half)
        cells.append(cell)
    return cells


def _targets_m2(
    sites: NDArray[np.float64],
    cited_area_m2: NDArray[np.float64],
    domain: shapely.Geometry,
) -> NDArray[np.float64]:
    """Scale cited areas to the domain and give uncited sites a Voronoi share of the rest."""
    total = domain.area
    cited = ~np.isnan(cited_area_m2)
    plain = np.array([c.area for c in power_diagram_cells(sites, np.zeros(len(sites)), domain)])
    targets = np.empty(len(sites))
    cited_sum = float(np.nansum(cited_area_m2))
    if cited.all():
        return cited_area_m2 * (total / cited_sum)
    if cited_sum >= total:
        msg = (
            f"Cited unit areas add up to {cited_sum / 1e6:.1f} km², more than the outline's "
            f"{total / 1e6:.1f} km², leaving nothing for the units without a cited area."
        )
        raise BoundaryDataError(msg)
    targets[cited] = cited_area_m2[cited]
    rest = total - cited_sum
    share = plain[~cited] / plain[~cited].sum()
    targets[~cited] = rest * share
    return targets


def partition_by_seats(
    sites: NDArray[np.float64],
    domain: shapely.Geometry,
    *,
    cited_area_m2: NDArray[np.float64] | None = None,
    max_iterations: int = 2000,
    tolerance: float = 0.005,
) -> PartitionResult:
    """Partition ``domain`` into one cell per site, matching target areas.

    Weights follow ``w_i += step * (target_i - area_i)``: raising a weight by
    ``dw`` moves each bisector by ``dw / (2 d)``, so a step of about one
    square metre of weight per square metre of area error converges.

    Parameters
    ----------
    sites
        ``(n, 2)`` seat coordinates in a metric CRS (metres), inside ``domain``.
    domain
        The outline to partition, same metric CRS.
    cited_area_m2
        Cited area per site in square metres, NaN where no area is cited.
        Cited areas are kept as they are when some are missing (uncited units
        share the remainder); when all are cited they are scaled to the domain.
    max_iterations, tolerance
        Stop when every cell is within ``tolerance`` (relative) of its target.

    Returns
    -------
    PartitionResult
        Cells (after merging stray fragments into their neighbours), weights,
        targets and the final largest relative area error.
    """
    n = len(sites)
    if n < 2:
        msg = f"Need at least two seats to partition an outline, got {n}."
        raise BoundaryDataError(msg)
    areas_in = np.full(n, np.nan) if cited_area_m2 is None else np.asarray(cited_area_m2, float)
    targets = _targets_m2(sites, areas_in, domain)
    weights = np.zeros(n)
    rel_err = np.inf
    iteration = 0
    step = 1.0
    previous = np.inf
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - reported afterwards
        cells = power_diagram_cells(sites, weights, domain)
        areas = np.array([c.area for c in cells])
        rel_err = float(np.max(np.abs(areas - targets) / targets))
        if rel_err < tolerance:
            break
        step = step * 1.05 if rel_err < previous else step * 0.5
        previous = rel_err
        weights = weights + step * (targets - areas)
        weights = weights - weights.mean()
    cells = _merge_fragments(power_diagram_cells(sites, weights, domain), sites)
    areas = np.array([c.area for c in cells])
    rel_err = float(np.max(np.abs(areas - targets) / targets))
    return PartitionResult(cells, weights, targets, iteration, rel_err)


def _merge_fragments(
    cells: list[shapely.Geometry], sites: NDArray[np.float64]
) -> list[shapely.Geometry]:
    """Give small detached pieces of a cell to the neighbour sharing the longest edge.

    A power cell clipped to a concave outline can fall apart; a piece that
    does not hold the seat and is under 2 % of the cell is moved, so that
    every unit is one piece around its seat where the outline allows.
    """
    out = list(cells)
    for i, cell in enumerate(cells):
        parts = list(getattr(cell, "geoms", [cell]))
        if len(parts) < 2:
            continue
        seat = shapely.Point(sites[i])
        keep = []
        for part in parts:
            small = part.area < _FRAGMENT_MIN_SHARE * cell.area
            if not small or part.buffer(1.0).contains(seat):
                keep.append(part)
                continue
            shared = [
                (shapely.length(shapely.intersection(part.boundary, out[j].boundary)), j)
                for j in range(len(out))
                if j != i and not out[j].is_empty
            ]
            best_len, best = max(shared)
            if best_len <= 0:
                keep.append(part)
                continue
            out[best] = shapely.union(out[best], part)
        out[i] = shapely.union_all(keep)
    return out
