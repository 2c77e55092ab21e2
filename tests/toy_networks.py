"""Hand-built walk networks with known distances, shared by the network and park tests."""

from __future__ import annotations

import itertools

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


def lines_network(
    segments: list[tuple[tuple[float, float], tuple[float, float]]],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes and edges from straight segments given in metres from (X0, Y0); shared ends join.

    Returns the normalised ``walk_nodes`` and ``walk_edges`` frames in WGS84.
    """
    ids: dict[tuple[float, float], int] = {}
    for a, b in segments:
        for p in (a, b):
            ids.setdefault(p, len(ids))
    nodes = gpd.GeoDataFrame(
        {"node_id": list(ids.values())},
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in ids],
        crs=4549,
    )
    lines = [
        shapely.LineString([(X0 + a[0], Y0 + a[1]), (X0 + b[0], Y0 + b[1])]) for a, b in segments
    ]
    edges = gpd.GeoDataFrame(
        {
            "u": [ids[a] for a, _ in segments],
            "v": [ids[b] for _, b in segments],
            "length_m": [line.length for line in lines],
        },
        geometry=lines,
        crs=4549,
    )
    return nodes.to_crs(4326), edges.to_crs(4326)


def street(x_from: float, x_to: float, *, y: float = 0.0, step: float = 100.0):
    """Segments of a straight east-west street at ``y``, a node every ``step`` metres."""
    xs = [x_from + i * step for i in range(int((x_to - x_from) / step) + 1)]
    return [((a, y), (b, y)) for a, b in itertools.pairwise(xs)]
