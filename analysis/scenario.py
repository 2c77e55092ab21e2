"""Planned parks on top of the data set: what changes, for the county, each cluster and unit.

A **scenario** is a named set of planned parks (drawn on the map, loaded from a
file such as 控规 parcels marked as planned green space, or taken from
suggested sites). Each planned park has a name, its area (computed in the
metric CRS, EPSG:4549), a tier from its area or the 公园名录 class the planner
chooses, and an optional year. Distances with the scenario come from
:func:`analysis.distances.with_planned_park` (one pass from the new parks'
entrances, found by the same rule as for existing parks).

The comparison (:func:`coverage_change`, :func:`per_capita_change`,
:func:`sfca_change`) states every figure before and after, the signed change
and the verdict against the target before and after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from analysis.distances import ParkReach
from analysis.indicators import (
    WHOLE_AREA,
    coverage_by_zone,
    covered,
    meets_target,
    per_capita_park_area,
    two_step_fca,
    zone_mean,
)
from analysis.standards import tier_text
from geo.crs import ANALYSIS_CRS, DISPLAY_CRS
from geo.errors import ScenarioError
from geo.files.schema import planned_parks
from geo.grid import Origins

__all__ = [
    "ChangeClass",
    "PlannedPark",
    "Scenario",
    "areas_ha",
    "change_classes",
    "coverage_change",
    "per_capita_change",
    "sfca_change",
    "with_planned",
]


@dataclass(frozen=True)
class PlannedPark:
    """One planned park as the planner describes it (geometry in WGS84)."""

    name: str
    geometry: shapely.Geometry
    park_class: str = ""  # "" : the tier follows from the area
    year: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A named set of planned parks; its hash names it in the layer store and in snapshots."""

    name: str
    parks: tuple[PlannedPark, ...]

    def frame(self) -> gpd.GeoDataFrame:
        """Return the planned parks as a normalised layer (:func:`planned_parks`)."""
        raw = gpd.GeoDataFrame(
            {
                "name": [p.name for p in self.parks],
                "park_class": [p.park_class for p in self.parks],
                "year": pd.array([p.year for p in self.parks], dtype="Int64"),
            },
            geometry=[p.geometry for p in self.parks],
            crs=DISPLAY_CRS,
        )
        return planned_parks(raw)

    def content_hash(self) -> str:
        """Return a SHA-256 of the name and every park (geometry to 1e-7 degrees)."""
        payload = {
            "name": self.name,
            "parks": [
                {
                    "name": p.name,
                    "class": p.park_class,
                    "year": p.year,
                    "wkt": shapely.to_wkt(p.geometry, rounding_precision=7),
                }
                for p in self.parks
            ],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_planned(parks: gpd.GeoDataFrame, planned: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the existing parks and the planned ones in one layer (for per-capita and 2SFCA)."""
    keep = ["park_id", "area_m2", "geometry"]
    extra = [c for c in ("park_class",) if c in parks.columns and c in planned.columns]
    both = pd.concat(
        [parks[keep + extra].to_crs(DISPLAY_CRS), planned[keep + extra].to_crs(DISPLAY_CRS)],
        ignore_index=True,
    )
    return gpd.GeoDataFrame(both, geometry="geometry", crs=DISPLAY_CRS)


# --- before and after ------------------------------------------------------------------------


def coverage_change(
    origins: Origins,
    before: ParkReach,
    after: ParkReach,
    zones: Mapping[str, NDArray[np.object_]],
    *,
    tiers: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """Coverage before and after, per level, zone, tier and method, with the verdicts.

    ``zones`` maps a level ("cluster", "unit") to each origin's zone id; the
    county is the ``WHOLE_AREA`` row of every level, reported once as level
    "county". ``tiers`` defaults to "any tier" (None) and every tier of the
    standard. Columns: ``level``, ``zone``, ``tier`` (as written by
    :func:`analysis.standards.tier_text`: "any" for any tier), ``method``
    (buffer, network), ``demand``, ``covered_before``, ``covered_after``,
    ``newly_covered`` (demand, in the demand's unit), ``share_before``,
    ``share_after``, ``change`` (share points, signed), ``passes_before``,
    ``passes_after``.
    """
    chosen = [None, *[t.tier_id for t in before.standard.tiers]] if tiers is None else tiers
    methods = ["buffer", *(["network"] if before.network_m is not None else [])]
    rows = []
    for level, zone in zones.items():
        for tier in chosen:
            was = coverage_by_zone(origins, before, zone, tier_id=tier).set_index("zone")
            now = coverage_by_zone(origins, after, zone, tier_id=tier).set_index("zone")
            for method in methods:
                for zone_id in was.index:
                    if zone_id == WHOLE_AREA and level != next(iter(zones)):
                        continue  # the county once
                    demand = float(was.loc[zone_id, "demand"])
                    s0 = float(was.loc[zone_id, f"{method}_share"])
                    s1 = float(now.loc[zone_id, f"{method}_share"])
                    target = float(was.loc[zone_id, "target_share"])
                    rows.append(
                        {
                            "level": "county" if zone_id == WHOLE_AREA else level,
                            "zone": zone_id,
                            "tier": tier_text(tier),
                            "method": method,
                            "demand": demand,
                            "covered_before": s0 * demand if demand > 0 else 0.0,
                            "covered_after": s1 * demand if demand > 0 else 0.0,
                            "newly_covered": (s1 - s0) * demand if demand > 0 else 0.0,
                            "share_before": s0,
                            "share_after": s1,
                            "change": s1 - s0,
                            "passes_before": meets_target(s0, target),
                            "passes_after": meets_target(s1, target),
                        }
                    )
    return pd.DataFrame(rows)


def areas_ha(frame: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return each polygon's area in hectares, measured in the analysis CRS (EPSG:4549).

    >>> import shapely
    >>> square = gpd.GeoDataFrame(geometry=[shapely.box(500_000, 3_470_000, 500_100,
    ...     3_470_100)], crs="EPSG:4549").to_crs(4326)
    >>> round(float(areas_ha(square)[0]), 4)
    1.0
    """
    if frame.crs is None:
        msg = "图形没有坐标系，无法量算面积。 / The shapes have no CRS: no area can be measured."
        raise ScenarioError(msg)
    return np.asarray(frame.to_crs(ANALYSIS_CRS).area.to_numpy(dtype=float) / 1e4)


def per_capita_change(
    parks: gpd.GeoDataFrame,
    planned: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    population: pd.Series,
    *,
    id_column: str,
    floor_m2: float,
) -> pd.DataFrame:
    """Park area per person (m²) per zone before and after, and against the floor.

    Columns: ``zone``, ``before``, ``after``, ``change``, ``passes_before``,
    ``passes_after``. Only zones whose population is known are listed (a zone
    without a cited population has no area per person to compare).
    """
    was = per_capita_park_area(parks, zones, population, id_column=id_column)
    now = per_capita_park_area(with_planned(parks, planned), zones, population, id_column=id_column)
    b = was.set_index(id_column)["per_capita_m2"]
    a = now.set_index(id_column)["per_capita_m2"].reindex(b.index)
    known = np.isfinite(b.to_numpy(dtype=float))
    b, a = b[known], a[known]
    return pd.DataFrame(
        {
            "zone": b.index,
            "before": b.to_numpy(),
            "after": a.to_numpy(),
            "change": (a - b).to_numpy(),
            "passes_before": [meets_target(v, floor_m2) for v in b],
            "passes_after": [meets_target(v, floor_m2) for v in a],
        }
    )


def sfca_change(
    origins: Origins,
    parks: gpd.GeoDataFrame,
    planned: gpd.GeoDataFrame,
    zone: NDArray[np.object_],
    *,
    radius_m: float,
    people: NDArray[np.float64],
) -> pd.DataFrame:
    """Return the mean 2SFCA score (m² per person, population-weighted) per zone, before, after."""
    b = zone_mean(two_step_fca(origins, parks, radius_m=radius_m, population=people), people, zone)
    both = with_planned(parks, planned)
    a = zone_mean(two_step_fca(origins, both, radius_m=radius_m, population=people), people, zone)
    a = a.reindex(b.index)
    return pd.DataFrame(
        {
            "zone": b.index,
            "before": b.to_numpy(),
            "after": a.to_numpy(),
            "change": (a - b).to_numpy(),
        }
    )


class ChangeClass(IntEnum):
    """What a scenario does to an origin, on the change map."""

    UNCHANGED = 0
    NEW_ON_FOOT = 1  # newly covered on foot (walking network)
    NEW_BUFFER_ONLY = 2  # newly inside a buffer, but not covered on foot
    NEW_BY_BUFFER = 3  # newly covered by buffer (no walk network: the official method)


def change_classes(
    before: ParkReach, after: ParkReach, *, tier_id: str | None = None
) -> NDArray[np.int8]:
    """Classify every origin by what the scenario changes for it (:class:`ChangeClass`).

    With a walk network: newly covered on foot, or newly inside a buffer only
    (a straight line reaches it, the walk does not). Without: newly covered by buffer.
    """
    out = np.zeros(before.straight_m.shape[1], dtype=np.int8)
    new_buffer = covered(after, "buffer", tier_id) & ~covered(before, "buffer", tier_id)
    if before.network_m is None or after.network_m is None:
        out[new_buffer] = ChangeClass.NEW_BY_BUFFER
        return out
    on_foot_after = covered(after, "network", tier_id)
    new_foot = on_foot_after & ~covered(before, "network", tier_id)
    out[new_buffer & ~on_foot_after] = ChangeClass.NEW_BUFFER_ONLY
    out[new_foot] = ChangeClass.NEW_ON_FOOT
    return out
