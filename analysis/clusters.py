"""Cluster geometry and the side-by-side cluster comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import pandas as pd

from analysis.indicators import coverage_by_zone
from geo.crs import ANALYSIS_CRS

if TYPE_CHECKING:
    from analysis.demand import DemandGrid
    from analysis.distances import ParkReach
    from geo.boundaries import Cluster

__all__ = [
    "cluster_park_table",
    "cluster_polygons",
    "cluster_summary",
    "features_per_cluster",
    "unit_cluster_ids",
]


def unit_cluster_ids(units: gpd.GeoDataFrame, clusters: tuple[Cluster, ...]) -> pd.Series:
    """Return the cluster id of every unit, aligned to ``units.index``.

    A town administered by a non-territorial zone (e.g. 淀山湖 under the
    tourism resort) belongs to the cluster that lists it.
    """
    lookup = {m: c.cluster_id for c in clusters for m in c.members}
    return units["unit_id"].map(lookup).rename("cluster_id")


def cluster_polygons(units: gpd.GeoDataFrame, clusters: tuple[Cluster, ...]) -> gpd.GeoDataFrame:
    """Dissolve territorial units into one polygon per cluster (WGS84).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed 0..3 in the clusters' order with ``cluster_id``, ``area_km2``
        (measured in EPSG:4549) and ``boundary_quality`` (``approximate`` if
        any member's boundary is).
    """
    frame = units[["unit_id", "boundary_quality", "geometry"]].copy()
    frame["cluster_id"] = unit_cluster_ids(units, clusters)
    frame["approximate"] = frame["boundary_quality"] != "official"
    dissolved = frame.dissolve(by="cluster_id", aggfunc={"approximate": "any"})
    order = [c.cluster_id for c in clusters]
    dissolved = dissolved.reindex(order).reset_index()
    dissolved["boundary_quality"] = dissolved["approximate"].map(
        {True: "approximate", False: "official"}
    )
    dissolved = dissolved.drop(columns="approximate")
    dissolved["area_km2"] = dissolved.to_crs(ANALYSIS_CRS).area / 1e6
    return gpd.GeoDataFrame(dissolved, geometry="geometry", crs=units.crs)


def cluster_summary(
    units: gpd.GeoDataFrame,
    unit_table: pd.DataFrame,
    clusters: tuple[Cluster, ...],
) -> pd.DataFrame:
    """Compare the clusters: members, measured area, share, cited population.

    Population is summed only when every territorial member has a cited
    figure, or when the lead zone's cited figure covers the whole cluster
    (e.g. the tourism resort's figure for its three towns); otherwise it is
    left empty and ``population_known`` says for how many members a figure
    exists. Years are reported, never mixed silently.

    Returns
    -------
    pandas.DataFrame
        One row per cluster, in the clusters' order.
    """
    measured = units.set_index("unit_id")["area_km2"]
    total_area = float(measured.sum())
    table = unit_table.set_index("unit_id")
    rows = []
    for cluster in clusters:
        territorial = [m for m in cluster.members if m in measured.index]
        area = float(measured.loc[territorial].sum())
        pops = table.loc[territorial, "population"]
        years = table.loc[territorial, "population_year"]
        lead: dict[str, Any] = {str(k): v for k, v in table.loc[cluster.lead_unit].items()}
        population: float | None = None
        population_years = ""
        if not lead["territorial"] and pd.notna(lead["population"]):
            population = float(lead["population"])
            population_years = str(int(lead["population_year"]))
        elif pops.notna().all():
            population = float(pops.sum())
            population_years = "–".join(sorted({str(int(y)) for y in years.dropna()}))
        rows.append(
            {
                "cluster_id": cluster.cluster_id,
                "name_zh": cluster.name_zh,
                "name_en": cluster.name_en,
                "label_zh": cluster.label("zh"),  # the one name shown everywhere
                "label_en": cluster.label("en"),
                "direction_zh": cluster.direction_zh,
                "direction_en": cluster.direction_en,
                "members": len(cluster.members),
                "area_km2": round(area, 2),
                "share_of_county": round(area / total_area, 4),
                "population": population,
                "population_year": population_years,
                "population_known": f"{int(pops.notna().sum())}/{len(territorial)}",
                "boundary_quality": (
                    "official"
                    if (
                        units.set_index("unit_id").loc[territorial, "boundary_quality"]
                        == "official"
                    ).all()
                    else "approximate"
                ),
            }
        )
    summary = pd.DataFrame(rows)
    summary["population"] = summary["population"].astype("Int64")
    return summary


def features_per_cluster(
    polygons: gpd.GeoDataFrame, features: gpd.GeoDataFrame, *, whole_area: str = "*"
) -> pd.Series:
    """Count features per cluster by where their representative point falls.

    A park straddling two clusters counts once, in the cluster holding its
    representative point (always inside the feature, unlike a centroid). The row
    ``whole_area`` counts every feature, including any outside all clusters.

    Returns
    -------
    pandas.Series
        Indexed by ``cluster_id`` in the polygons' order, then ``whole_area``.
    """
    counts = pd.Series(0, index=polygons["cluster_id"].to_numpy(), dtype=int)
    if not features.empty:
        spots = gpd.GeoDataFrame(
            geometry=features.to_crs(polygons.crs).representative_point(), crs=polygons.crs
        )
        joined = gpd.sjoin(spots, polygons[["cluster_id", "geometry"]], predicate="within")
        found = joined.groupby("cluster_id").size()
        counts = found.reindex(counts.index).fillna(0).astype(int)
    counts.loc[whole_area] = len(features)
    return counts.rename("features")


def cluster_park_table(
    grid: DemandGrid,
    reach: ParkReach,
    polygons: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    *,
    standard_id: str,
) -> pd.DataFrame:
    """Return the cluster panel's park figures: coverage per cluster and its parks.

    The demand is residential land where the data set has it (the official
    denominator), else land area; the row ``*`` is the county.

    Returns
    -------
    pandas.DataFrame
        :func:`analysis.indicators.coverage_by_zone`'s columns indexed by zone, with
        ``parks`` (by representative point), ``standard_id`` and ``demand``.
    """
    demand: Literal["residential", "land"] = (
        "residential" if "residential" in grid.demands else "land"
    )
    origins = grid.origins.with_weights(grid.demands[demand], demand)
    table = coverage_by_zone(origins, reach, grid.cluster_of).set_index("zone")
    counts = features_per_cluster(polygons, parks)
    table["parks"] = counts.reindex(table.index).fillna(0).astype(int)
    table["standard_id"] = standard_id
    table["demand"] = demand
    return table
