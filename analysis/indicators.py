"""Park indicators: coverage, the verdict against the target, per-capita area, 2SFCA, map classes.

Every rule a page shows is decided here, once: which origins a tier covers, the
share of demand covered per zone, whether a share meets the target, the 2SFCA
score and its zone means, and the class of every origin on the coverage, gap
and distance maps. Distances come from :mod:`analysis.distances`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from analysis.distances import Method, ParkReach, check_parks
from analysis.standards import ParkStandard, TierBasis, tiers_of
from geo.crs import metric_crs_for
from geo.errors import ParkAccessError
from geo.grid import Origins

__all__ = [
    "DISTANCE_BINS_M",
    "WHOLE_AREA",
    "CountyFigure",
    "SurfaceClass",
    "Verdict",
    "View",
    "county_figures",
    "coverage_by_zone",
    "covered",
    "meets_target",
    "off_network_uncovered",
    "per_capita_park_area",
    "surface_classes",
    "tier_distance",
    "tier_of_parks",
    "two_step_fca",
    "zone_mean",
]

View = Literal["coverage", "gap", "distance"]
# The row of a zone table that holds the whole area (the county).
WHOLE_AREA = "*"
DISTANCE_BINS_M = (0, 300, 500, 800, 1200, 2000)


def meets_target(share: float, target: float) -> bool | None:
    """Return the verdict: a share of demand meets the target when it is at least the target.

    None when there is no share (no demand). GB 55014-2021 2.1.3 states the
    targets as "not less than" (≥) a value.

    >>> meets_target(0.80, 0.80), meets_target(0.7999, 0.80), meets_target(float("nan"), 0.8)
    (True, False, None)
    """
    if share is None or not np.isfinite(share):
        return None
    return bool(share >= target)


class Verdict(StrEnum):
    """Whether a share meets its target (:func:`meets_target`), as the pages name it."""

    MEETS = "meets"
    MISSES = "misses"
    UNKNOWN = "unknown"  # no demand: no share to judge

    @classmethod
    def of(cls, share: float, target: float) -> Verdict:
        """Return the verdict of ``share`` against ``target``.

        >>> Verdict.of(0.8, 0.8), Verdict.of(0.79, 0.8), Verdict.of(float("nan"), 0.8)
        (<Verdict.MEETS: 'meets'>, <Verdict.MISSES: 'misses'>, <Verdict.UNKNOWN: 'unknown'>)
        """
        ok = meets_target(share, target)
        return cls.UNKNOWN if ok is None else cls.MEETS if ok else cls.MISSES


@dataclass(frozen=True)
class CountyFigure:
    """The county's coverage by one method, its target and the verdict."""

    method: Method
    share: float  # 0-1, NaN without demand
    target: float  # 0-1
    verdict: Verdict


def county_figures(by_zone: pd.DataFrame) -> tuple[CountyFigure, ...]:
    """Return the county's coverage, target and verdict by buffer (and on foot when measured).

    ``by_zone`` is :func:`coverage_by_zone`'s table; its ``WHOLE_AREA`` row is the
    county.

    >>> table = pd.DataFrame({"zone": ["a", WHOLE_AREA], "buffer_share": [0.5, 0.85],
    ...                       "target_share": [0.8, 0.8]})
    >>> [(f.method, f.verdict.value) for f in county_figures(table)]
    [('buffer', 'meets')]
    """
    county = by_zone.set_index("zone").loc[WHOLE_AREA].to_dict()
    target = float(county["target_share"])
    walked = "network_share" in county
    methods: tuple[Method, ...] = ("buffer", "network") if walked else ("buffer",)
    out = []
    for method in methods:
        share = float(county[f"{method}_share"])
        out.append(CountyFigure(method, share, target, Verdict.of(share, target)))
    return tuple(out)


def covered(reach: ParkReach, method: Method, tier_id: str | None = None) -> NDArray[np.bool_]:
    """Which origins are covered: by one tier, or (None) by any tier of the standard.

    An origin is covered by a tier when its distance to a qualifying park is at
    most the tier's service radius.
    """
    dist = reach.distances(method)
    radii = np.array([t.radius_m for t in reach.standard.tiers])[:, None]
    within = dist <= radii
    if tier_id is None:
        return np.asarray(within.any(axis=0))
    return np.asarray(within[reach.standard.tier_index(tier_id)])


def off_network_uncovered(reach: ParkReach, tier_id: str | None = None) -> NDArray[np.bool_]:
    """Origins off the walk network and not covered on foot (inside a park counts as covered)."""
    if reach.off_network is None or reach.network_m is None:
        return np.zeros(reach.straight_m.shape[1], dtype=bool)
    return np.asarray(reach.off_network & ~covered(reach, "network", tier_id))


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
    the walk network does not ("a river in the way") among origins on the network;
    ``off_network`` the share that is off the walk network (and not inside a
    park): counted apart, never as "not covered" on foot. The three walking
    shares and the "not covered" rest add up to 1. A last row ``WHOLE_AREA``
    holds the whole area. ``passes_*`` is :func:`meets_target` of each share.
    """
    target = reach.standard.target_share if target_share is None else target_share
    w = origins.weight
    by_buffer = covered(reach, "buffer", tier_id)
    by_network = covered(reach, "network", tier_id) if reach.network_m is not None else None
    frame = pd.DataFrame({"zone": zone, "demand": w, "buffer": w * by_buffer})
    if by_network is not None:
        off = off_network_uncovered(reach, tier_id)
        frame["network"] = w * by_network
        frame["buffer_not_network"] = w * (by_buffer & ~by_network & ~off)
        frame["off_network"] = w * off
    frame = frame[frame["zone"].notna() & (frame["zone"] != "")]
    sums = frame.groupby("zone", sort=True).sum(numeric_only=True)
    sums.loc[WHOLE_AREA] = frame.sum(numeric_only=True)
    out = pd.DataFrame({"zone": sums.index, "demand": sums["demand"].to_numpy()})
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = ("buffer", "network", "buffer_not_network", "off_network")
        for column in [c for c in columns if c in sums]:
            out[f"{column}_share"] = np.where(
                sums["demand"] > 0, sums[column] / sums["demand"], np.nan
            )
    out["target_share"] = target
    out["passes_buffer"] = [meets_target(s, target) for s in out["buffer_share"]]
    if "network_share" in out:
        out["passes_network"] = [meets_target(s, target) for s in out["network_share"]]
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
    check_parks(parks)
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
    >>> from geo.grid import grid_origins
    >>> o = grid_origins(sq, cell_m=100)
    >>> park = gpd.GeoDataFrame({"park_id": ["p"], "area_m2": [1000.0]},
    ...     geometry=[shapely.box(x - 20, y + 40, x - 10, y + 60)], crs=4549)
    >>> two_step_fca(o, park, radius_m=200, population=np.array([10.0, 10, 10, 10])).round(2)
    array([50., 50.,  0.,  0.])
    """
    check_parks(parks)
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


def zone_mean(
    values: NDArray[np.float64], weight: NDArray[np.float64], zone: NDArray[np.object_]
) -> pd.Series:
    """Demand-weighted mean of ``values`` per zone, and of the whole area (``WHOLE_AREA``).

    mean_z = Σ_i∈z values_i · weight_i ÷ Σ_i∈z weight_i (NaN where a zone has no
    demand); origins outside every zone count only in the whole area.

    >>> zone_mean(np.array([2.0, 4.0, 9.0]), np.array([1.0, 3.0, 0.0]),
    ...           np.array(["a", "a", "b"], dtype=object)).round(2).to_dict()
    {'a': 3.5, 'b': nan, '*': 3.5}
    """
    frame = pd.DataFrame({"zone": zone, "s": values * weight, "w": weight})
    sums = frame[frame["zone"].notna() & (frame["zone"] != "")].groupby("zone").sum()
    sums.loc[WHOLE_AREA] = frame[["s", "w"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums["s"] / sums["w"]).where(sums["w"] > 0)


def tier_of_parks(
    parks: gpd.GeoDataFrame, standard: ParkStandard, *, basis: TierBasis = "area"
) -> Sequence[str]:
    """Each park's highest tier in ``standard`` ("" when it qualifies for none).

    The rule is :func:`analysis.standards.tiers_of` (by class where it has one when
    ``basis="class"``).
    """
    kinds = (
        parks["park_class"].fillna("").astype(str).to_numpy(object)
        if "park_class" in parks.columns
        else None
    )
    return list(tiers_of(standard, parks["area_m2"].to_numpy(float), kinds, basis=basis))


def tier_distance(reach: ParkReach, method: Method, tier_id: str | None) -> NDArray[np.float64]:
    """Distance to the nearest park of ``tier_id`` (None: any park the standard counts)."""
    tier = reach.standard.smallest_tier() if tier_id is None else reach.standard.tier(tier_id)
    return np.asarray(reach.distances(method)[reach.standard.tier_index(tier.tier_id)])


class SurfaceClass(IntEnum):
    """The class of an origin on the coverage, gap and distance maps."""

    NO_DEMAND = 0
    COVERED = 1
    NOT_COVERED = 2
    BUFFER_ONLY = 3  # gap map: inside a buffer, not within reach on foot
    NETWORK_COVERED = 4  # gap map: within reach on foot
    OFF_NETWORK = 5  # walking: no usable path within reach
    BEYOND = 6  # distance map: beyond the search limit
    DISTANCE_0 = 10  # distance map: bin k of DISTANCE_BINS_M is DISTANCE_0 + k


def surface_classes(
    origins: Origins,
    reach: ParkReach,
    *,
    view: View,
    method: Method,
    tier_id: str | None,
) -> NDArray[np.int16]:
    """Return the map class (:class:`SurfaceClass`) of every origin for ``view``.

    - coverage: covered / not covered by ``method`` (walking: off network apart);
    - gap: within reach on foot / inside a buffer only / neither / off network;
    - distance: the bin of :data:`DISTANCE_BINS_M` the distance falls in, or
      beyond the search limit (walking: off network apart).

    Origins without demand are ``NO_DEMAND`` in every view.
    """
    out = np.full(len(origins), SurfaceClass.NOT_COVERED, dtype=np.int16)
    off = off_network_uncovered(reach, tier_id) if method == "network" or view == "gap" else None
    if view == "coverage":
        out[covered(reach, method, tier_id)] = SurfaceClass.COVERED
    elif view == "gap":
        by_buffer = covered(reach, "buffer", tier_id)
        by_network = covered(reach, "network", tier_id)
        out[by_buffer & ~by_network] = SurfaceClass.BUFFER_ONLY
        out[by_network] = SurfaceClass.NETWORK_COVERED
    else:
        dist = tier_distance(reach, method, tier_id)
        bins = np.minimum(np.digitize(dist, DISTANCE_BINS_M[1:]), len(DISTANCE_BINS_M) - 1)
        out[:] = np.where(np.isfinite(dist), SurfaceClass.DISTANCE_0 + bins, SurfaceClass.BEYOND)
    if off is not None:
        out[off] = SurfaceClass.OFF_NETWORK
    out[origins.weight <= 0] = SurfaceClass.NO_DEMAND
    return out
