"""Hand-built walk networks with known distances, shared by the network and park tests."""

from __future__ import annotations

import geopandas as gpd
import shapely

X0, Y0 = 590_000.0, 3_470_000.0  # EPSG:4549 metres, inside Kunshan


def river_town() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two banks 100 m apart, nodes every 100 m along them, one bridge at x = 900 m.

    Returns the normalised ``walk_nodes`` and ``walk_edges`` frames in WGS84.
    """
    nodes, edges = [], []
    for bank, y in ((0, 0.0), (1, 100.0)):
        for i in range(11):
            nodes.append((bank * 100 + i, shapely.Point(X0 + i * 100, Y0 + y)))
        for i in range(10):
            a, b = bank * 100 + i, bank * 100 + i + 1
            line = shapely.LineString([(X0 + i * 100, Y0 + y), (X0 + (i + 1) * 100, Y0 + y)])
            edges.append((a, b, line))
    edges.append((9, 109, shapely.LineString([(X0 + 900, Y0), (X0 + 900, Y0 + 100)])))
    node_frame = gpd.GeoDataFrame(
        {"node_id": [n for n, _ in nodes]}, geometry=[g for _, g in nodes], crs=4549
    )
    edge_frame = gpd.GeoDataFrame(
        {
            "u": [u for u, _, _ in edges],
            "v": [v for _, v, _ in edges],
            "length_m": [g.length for *_, g in edges],
        },
        geometry=[g for *_, g in edges],
        crs=4549,
    )
    return node_frame.to_crs(4326), edge_frame.to_crs(4326)
