"""Prepare layers for the browser: simplify in metres, round, keep few columns."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import ANALYSIS_CRS, DISPLAY_CRS, to_analysis_crs

__all__ = ["geojson_for_display"]


def geojson_for_display(
    gdf: gpd.GeoDataFrame,
    *,
    columns: list[str],
    tolerance_m: float = 5.0,
    precision: int = 6,
    coverage: bool = False,
) -> dict[str, Any]:
    """Return a light GeoJSON FeatureCollection of ``gdf`` for a web map.

    Polygons that tile an area without overlaps (``coverage=True``: units,
    clusters) are simplified together with :func:`shapely.coverage_simplify`
    so that no gaps open between them; lines by plain Douglas-Peucker; other
    geometries (parks, catchments: they may overlap) one by one, keeping their
    topology. Simplification happens in
    EPSG:4549 (metres); coordinates are rounded to ``precision`` decimals
    (6 decimals is ~0.1 m).

    Parameters
    ----------
    gdf
        Features in any declared CRS.
    columns
        Attribute columns to keep (others are dropped to save bytes).
    tolerance_m
        Simplification tolerance in metres; 0 keeps every vertex.
    precision
        Decimal places of the output longitude/latitude.

    Examples
    --------
    >>> square = gpd.GeoDataFrame(
    ...     {"name": ["a"]}, geometry=[shapely.box(121, 31, 121.001, 31.001)], crs=4326
    ... )
    >>> fc = geojson_for_display(square, columns=["name"])
    >>> fc["features"][0]["properties"], fc["features"][0]["geometry"]["type"]
    ({'name': 'a'}, 'Polygon')
    """
    metric = to_analysis_crs(gdf)
    geoms = metric.geometry.to_numpy()
    if tolerance_m > 0:
        if coverage and set(metric.geom_type) <= {"Polygon", "MultiPolygon"}:
            geoms = shapely.coverage_simplify(geoms, tolerance_m)
        elif set(metric.geom_type) <= {"LineString", "MultiLineString"}:
            # Lines cannot turn invalid the way rings can, and topology-preserving
            # simplification is quadratic on lines with thousands of parts (6 s on 28k ways).
            geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=False)
        else:
            geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    out = gpd.GeoDataFrame(
        metric[columns].reset_index(drop=True), geometry=list(geoms), crs=ANALYSIS_CRS
    ).to_crs(DISPLAY_CRS)
    out["geometry"] = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, precision))
    return out.__geo_interface__
