"""The bundled park register: parks whose area (and, for some, location) a source gives.

``data/parks/parks.csv`` lists each park with its cited area and, where a source
gives one, a location. A located park's footprint is the circle of its cited area
around that point (an equal-area circle), flagged ``approximate``; parks without a
cited location stay in the register (they count in the completeness statement)
but are not drawn or used in any metric. The OpenStreetMap layer, with real
outlines, replaces this set when it is active.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import ANALYSIS_CRS, DATUMS, DISPLAY_CRS, to_wgs84
from geo.errors import BoundaryDataError
from geo.paths import DATA_DIR

__all__ = [
    "KUNSHAN_PARKS_OVER_5000_M2",
    "PARKS_DIR",
    "ParkCompleteness",
    "bundled_parks",
    "load_park_register",
    "load_park_sources",
    "park_completeness",
]

PARKS_DIR = DATA_DIR / "parks"
# Park green spaces > 5000 m² in Kunshan at the end of 2021 (source G12).
KUNSHAN_PARKS_OVER_5000_M2 = (210, 2021, "G12")


def load_park_sources(directory: Path = PARKS_DIR) -> pd.DataFrame:
    """Return the park source register (``G*`` ids)."""
    return pd.read_csv(directory / "sources.csv", dtype=str, keep_default_na=False)


def load_park_register(directory: Path = PARKS_DIR) -> pd.DataFrame:
    """Return every park with a cited area; validate ids, areas, datums and sources.

    Raises
    ------
    BoundaryDataError
        On a duplicate id, a missing or non-positive area, an unknown datum, a
        half-given location or a source that is not in the register.
    """
    table = pd.read_csv(directory / "parks.csv", dtype=str, keep_default_na=False)
    sources = set(load_park_sources(directory)["source_id"])
    problems = []
    if table["park_id"].duplicated().any():
        problems.append(
            f"duplicate park_id {sorted(table.loc[table['park_id'].duplicated(), 'park_id'])}"
        )
    area = pd.to_numeric(table["area_m2"], errors="coerce")
    bad_area = area.isna() | (area <= 0)
    if bad_area.any():
        problems.append(
            f"area_m2 missing or not positive for {list(table.loc[bad_area, 'park_id'])}"
        )
    located = (table["lon"] != "") | (table["lat"] != "")
    half = located & ((table["lon"] == "") | (table["lat"] == "") | ~table["datum"].isin(DATUMS))
    if half.any():
        problems.append(
            f"incomplete location or unknown datum for {list(table.loc[half, 'park_id'])}"
        )
    used = set(table["area_source_id"]) | set(table.loc[located, "location_source_id"])
    if bad := sorted(used - sources):
        problems.append(f"unregistered sources {bad}")
    if problems:
        raise BoundaryDataError("parks.csv: " + "; ".join(problems) + ".")
    return table.assign(area_m2=area.astype(float), located=located)


def bundled_parks(directory: Path = PARKS_DIR) -> gpd.GeoDataFrame:
    """Return the located parks as equal-area circles (WGS84), flagged approximate.

    Columns follow the OpenStreetMap ``parks`` layer (``park_id``, ``name``,
    ``name_en``, ``area_m2``) plus ``kind``, ``approximate`` and ``source``.
    """
    table = load_park_register(directory)
    table = table[table["located"]].reset_index(drop=True)
    lon, lat = to_wgs84(
        table["lon"].astype(float).to_numpy(),
        table["lat"].astype(float).to_numpy(),
        table["datum"].to_numpy(),
    )
    centres = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS)
    radii = np.sqrt(table["area_m2"].to_numpy(float) / math.pi)
    circles = shapely.buffer(centres.to_numpy(), radii, quad_segs=16)
    return gpd.GeoDataFrame(
        {
            "park_id": table["park_id"],
            "name": table["name_zh"],
            "name_en": table["name_en"],
            "kind": table["kind"],
            "area_m2": table["area_m2"],
            "approximate": True,
            "source": table["area_source_id"] + ";" + table["location_source_id"],
        },
        geometry=gpd.GeoSeries(circles, crs=ANALYSIS_CRS).to_crs(DISPLAY_CRS),
    )


@dataclass(frozen=True)
class ParkCompleteness:
    """How much of the park stock the bundled register holds."""

    located: int
    registered: int
    located_over_5000: int
    reference_over_5000: int
    reference_year: int


def park_completeness(directory: Path = PARKS_DIR) -> ParkCompleteness:
    """Count the register against the cited stock of parks > 5000 m²."""
    table = load_park_register(directory)
    total, year, _ = KUNSHAN_PARKS_OVER_5000_M2
    return ParkCompleteness(
        located=int(table["located"].sum()),
        registered=len(table),
        located_over_5000=int((table["located"] & (table["area_m2"] > 5000)).sum()),
        reference_over_5000=total,
        reference_year=year,
    )
