"""Station catchments (straight-line and walking) and how much of each zone they cover.

- Straight line: a disc of ``radius_m`` around each station (the planning convention
  for "500 m / 800 m from a station").
- Walking: the parts of the walk network within ``radius_m`` along the paths from
  the station (one Dijkstra pass per station, cut off at the radius), widened by
  ``side_m`` on both sides to stand for the plots reached from those paths — the
  usual line-buffer service-area construction.

Coverage of a zone = area (or residential land) of the zone inside the union of the
catchments ÷ the zone's total, measured in the metric CRS.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from numpy.typing import NDArray

from analysis.network import EdgePositions, WalkGraph, node_distances, snap_to_edges, subgraph
from geo.crs import ANALYSIS_CRS, DISPLAY_CRS, metric_crs_for
from geo.errors import PlanningMapError

__all__ = [
    "StationReach",
    "catchment_coverage",
    "features_per_zone_within",
    "network_catchments",
    "points_per_zone",
    "points_within",
    "station_coverage_table",
    "station_reach",
    "straight_line_catchments",
]


def _check_radius(radius_m: float) -> None:
    if not np.isfinite(radius_m) or radius_m <= 0:
        msg = (
            f"半径必须为正数，收到 {radius_m}。 / The radius must be a positive number of metres, "
            f"got {radius_m}."
        )
        raise PlanningMapError(msg)


def _no_catchments(id_column: str, method: str, radius_m: float) -> gpd.GeoDataFrame:
    """Return an empty catchment layer (no stations in the data set)."""
    return gpd.GeoDataFrame(
        {id_column: pd.Series(dtype=object), "radius_m": radius_m, "method": method},
        geometry=gpd.GeoSeries([], crs=DISPLAY_CRS),
    )


def straight_line_catchments(
    stations: gpd.GeoDataFrame, *, radius_m: float, id_column: str = "station_id"
) -> gpd.GeoDataFrame:
    """Return a disc of ``radius_m`` metres around each station (WGS84).

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"station_id": ["a"]}, geometry=[shapely.Point(121, 31.3)], crs=4326)
    >>> disc = straight_line_catchments(pts, radius_m=500)
    >>> round(float(disc.to_crs(4549).area.iloc[0]) / (np.pi * 500**2), 2)
    1.0
    """
    _check_radius(radius_m)
    if stations.empty:
        return _no_catchments(id_column, "straight_line", radius_m)
    crs = metric_crs_for(stations)
    metric = stations[[id_column, "geometry"]].to_crs(crs)
    discs = metric.buffer(radius_m, quad_segs=32)
    out = gpd.GeoDataFrame(
        {id_column: metric[id_column].to_numpy(), "radius_m": radius_m, "method": "straight_line"},
        geometry=discs.to_numpy(),
        crs=crs,
    )
    return out.to_crs(DISPLAY_CRS)


def _reached_segments(
    graph: WalkGraph, dist: NDArray[np.float64], radius_m: float
) -> list[shapely.Geometry]:
    """Return the parts of every edge within ``radius_m`` given node distances ``dist``."""
    du = dist[graph.edge_u]
    dv = dist[graph.edge_v]
    length = graph.edge_length_m
    pieces: list[shapely.Geometry] = []
    whole = (du + length <= radius_m) | (dv + length <= radius_m)
    pieces.extend(graph.edge_geometry[whole])
    partial = ~whole & ((du < radius_m) | (dv < radius_m))
    for e in np.flatnonzero(partial):
        line = graph.edge_geometry[e]
        scale = line.length / length[e] if length[e] > 0 else 1.0
        if du[e] < radius_m:
            pieces.append(shapely.ops.substring(line, 0, (radius_m - du[e]) * scale))
        if dv[e] < radius_m:
            end = line.length
            pieces.append(shapely.ops.substring(line, end - (radius_m - dv[e]) * scale, end))
    return pieces


def _walk_shape(
    graph: WalkGraph, one: EdgePositions, radius_m: float, side_m: float
) -> shapely.Geometry:
    """Return the reached paths of one placed station, widened by ``side_m``."""
    dist = node_distances(graph, one, limit_m=radius_m, include_snap=True)
    left = radius_m - float(one.snap_m[0])
    segments = _reached_segments(graph, dist, left)
    # The station's own edge is reached around the station itself.
    edge = int(one.edge[0])
    line = graph.edge_geometry[edge]
    scale = line.length / graph.edge_length_m[edge] if graph.edge_length_m[edge] > 0 else 1.0
    at = float(one.offset_m[0]) * scale
    reach = left * scale
    segments.append(shapely.ops.substring(line, max(0.0, at - reach), min(line.length, at + reach)))
    # A union of per-segment buffers is ~200x faster here than buffering the merged
    # lines (measured on Helsinki: 0.2 s against 40-50 s for 2,900 segments).
    return shapely.union_all(shapely.buffer(np.array(segments), side_m, quad_segs=8))


def network_catchments(
    graph: WalkGraph,
    stations: gpd.GeoDataFrame,
    *,
    radius_m: float,
    side_m: float = 50.0,
    max_snap_m: float = 200.0,
    id_column: str = "station_id",
) -> gpd.GeoDataFrame:
    """Return each station's walking catchment (WGS84; empty if it is off the network).

    Parameters
    ----------
    graph
        From :func:`analysis.network.walk_graph_from`.
    stations
        Points with ``id_column``.
    radius_m
        Walking distance along the paths, metres.
    side_m
        How far either side of a reached path counts as reached.
    max_snap_m
        Stations farther than this from any path get an empty catchment.
    """
    _check_radius(radius_m)
    if stations.empty:
        return _no_catchments(id_column, "network", radius_m)
    positions = snap_to_edges(graph, stations.geometry, max_snap_m=max_snap_m)
    # Walking distance is never shorter than the straight line, so only the edges
    # within the radius of a station can be reached: search that small subgraph.
    tree = shapely.STRtree(graph.edge_geometry)
    points = stations.geometry.to_crs(graph.crs).to_numpy()
    shapes = []
    for i in range(len(stations)):
        edge = int(positions.edge[i])
        if edge < 0:
            shapes.append(shapely.Polygon())
            continue
        near = tree.query(shapely.buffer(points[i], radius_m + 1.0), predicate="intersects")
        near = np.union1d(near, [edge]).astype(np.int64)
        local = subgraph(graph, near)
        one = EdgePositions(
            np.array([int(np.searchsorted(near, edge))]),
            positions.offset_m[i : i + 1],
            positions.snap_m[i : i + 1],
        )
        shapes.append(_walk_shape(local, one, radius_m, side_m))
    out = gpd.GeoDataFrame(
        {
            id_column: stations[id_column].to_numpy(),
            "radius_m": radius_m,
            "method": "network",
        },
        geometry=shapes,
        crs=graph.crs,
    )
    return out.to_crs(DISPLAY_CRS)


def catchment_coverage(
    zones: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    zone_id: str = "cluster_id",
    residential: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return, per zone, the share of its area (and residential land) inside the catchments.

    Formula: ``covered_km2 = area(zone ∩ ⋃ catchments)``; ``area_share = covered_km2 /
    area_km2``; likewise for residential land when given. Measured in the metric CRS.
    """
    crs = metric_crs_for(zones)
    zones_m = zones[[zone_id, "geometry"]].to_crs(crs)
    union = shapely.union_all(catchments.to_crs(crs).geometry.to_numpy())
    covered = shapely.intersection(zones_m.geometry.to_numpy(), union)
    out = pd.DataFrame(
        {
            zone_id: zones_m[zone_id].to_numpy(),
            "area_km2": shapely.area(zones_m.geometry.to_numpy()) / 1e6,
            "covered_km2": shapely.area(covered) / 1e6,
        }
    )
    out["area_share"] = out["covered_km2"] / out["area_km2"]
    if residential is not None and not residential.empty:
        res = shapely.union_all(residential.to_crs(crs).geometry.to_numpy())
        res_in_zone = shapely.intersection(zones_m.geometry.to_numpy(), res)
        res_covered = shapely.intersection(res_in_zone, union)
        out["residential_km2"] = shapely.area(res_in_zone) / 1e6
        out["residential_covered_km2"] = shapely.area(res_covered) / 1e6
        out["residential_share"] = out["residential_covered_km2"] / out["residential_km2"].where(
            out["residential_km2"] > 0
        )
    return out


def points_per_zone(
    zones: gpd.GeoDataFrame, points: gpd.GeoDataFrame, *, zone_id: str = "cluster_id"
) -> pd.Series:
    """Return how many ``points`` fall in each zone, aligned to ``zones.index``."""
    if points.empty:
        return pd.Series(0, index=zones.index, name="points")
    joined = gpd.sjoin(
        points[["geometry"]].to_crs(zones.crs), zones[[zone_id, "geometry"]], predicate="within"
    )
    counts = joined.groupby(zone_id).size()
    return zones[zone_id].map(counts).fillna(0).astype(int).rename("points")


def features_per_zone_within(
    zones: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    zone_id: str = "cluster_id",
) -> pd.Series:
    """Return, per zone, how many ``features`` (e.g. parks) touch the catchments inside it.

    A feature counts for a zone when it intersects ``zone ∩ ⋃ catchments``.
    """
    if features.empty or catchments.empty:
        return pd.Series(0, index=zones.index, name="features")
    crs = metric_crs_for(zones)
    union = shapely.union_all(catchments.to_crs(crs).geometry.to_numpy())
    reach = shapely.intersection(zones.to_crs(crs).geometry.to_numpy(), union)
    tree = shapely.STRtree(features.to_crs(crs).geometry.to_numpy())
    counts = [
        len(tree.query(area, predicate="intersects")) if not area.is_empty else 0 for area in reach
    ]
    return pd.Series(counts, index=zones.index, name="features")


def station_coverage_table(
    zones: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    residential: gpd.GeoDataFrame | None = None,
    parks: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return the corridors page's table: coverage per zone, its stations, parks reached.

    :func:`catchment_coverage` per zone, with ``stations`` (how many stations lie
    in it) and, when ``parks`` are given, ``parks_within`` (how many touch the
    catchments inside it, :func:`features_per_zone_within`).
    """
    table = catchment_coverage(zones, catchments, residential=residential)
    table["stations"] = points_per_zone(zones, stations).to_numpy()
    if parks is not None:
        table["parks_within"] = features_per_zone_within(zones, catchments, parks).to_numpy()
    return table


@dataclass(frozen=True)
class StationReach:
    """What one station's catchment holds: its area (EPSG:4549) and the parks it touches."""

    station_id: str
    area_km2: float
    parks: gpd.GeoDataFrame


def station_reach(
    station_id: str, catchments: gpd.GeoDataFrame, parks: gpd.GeoDataFrame | None
) -> StationReach | None:
    """Return the catchment of ``station_id`` measured, with the parks touching it.

    None when the station has no catchment (unknown id, or an empty one: a station
    off the walk network).
    """
    found = catchments[catchments["station_id"].astype(str) == str(station_id)]
    if found.empty or found.geometry.iloc[0] is None or found.geometry.iloc[0].is_empty:
        return None
    area = float(found.to_crs(ANALYSIS_CRS).area.iloc[0]) / 1e6
    if parks is None or parks.empty:
        touched = gpd.GeoDataFrame(geometry=[], crs=catchments.crs)
    else:
        shape = found.to_crs(parks.crs).geometry.iloc[0]
        touched = parks[parks.intersects(shape)]
    return StationReach(str(station_id), area, touched)


def points_within(points: gpd.GeoDataFrame, zone: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the ``points`` (WGS84) lying within ``zone`` (WGS84), e.g. a cluster's stations."""
    return points[points.within(zone)]
