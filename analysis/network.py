"""Walking distance on the walk network: one multi-source shortest-path pass.

The walk network (``walk_nodes``/``walk_edges`` from :mod:`geo.osm_layers`) becomes
a symmetric sparse matrix of edge lengths in metres. Sources and targets may lie
anywhere on an edge (an access point, a snapped grid cell): each source becomes a
virtual node joined to its edge's two ends, and one Dijkstra pass
(:func:`scipy.sparse.csgraph.dijkstra` with ``min_only=True``) gives every node
its distance to the nearest source, never one search per origin. A target on edge
(a, b) at offset t is then ``min(D[a] + t, D[b] + len - t)``, or the direct distance
along the edge when a source shares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from geo.crs import metric_crs_for
from geo.errors import PlanningMapError

__all__ = [
    "EdgePositions",
    "JoinedSources",
    "WalkGraph",
    "join_sources",
    "joined_nearest_distance",
    "joined_node_distances",
    "nearest_source_distance",
    "snap_to_edges",
    "subgraph",
    "walk_graph_from",
]


@dataclass(frozen=True)
class WalkGraph:
    """A walk network ready for shortest paths (metric CRS, metres)."""

    node_ids: NDArray[np.int64]
    matrix: sp.csr_matrix
    edge_u: NDArray[np.int64]  # node index of each edge's start
    edge_v: NDArray[np.int64]
    edge_length_m: NDArray[np.float64]
    edge_geometry: NDArray[np.object_]  # shapely LineStrings in ``crs``
    crs: str

    @property
    def n_nodes(self) -> int:
        """Number of network nodes."""
        return len(self.node_ids)

    @cached_property
    def coo(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Rows, columns and lengths of the matrix (built once, reused by every pass)."""
        base = self.matrix.tocoo()
        return base.row.astype(np.int64), base.col.astype(np.int64), base.data


@dataclass(frozen=True)
class EdgePositions:
    """Points placed on the network: edge index, offset from the edge's start, gap to it."""

    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    snap_m: NDArray[np.float64]


def walk_graph_from(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> WalkGraph:
    """Build the shortest-path graph from normalised walk nodes and edges.

    Parameters
    ----------
    nodes
        ``node_id`` and points, any declared CRS.
    edges
        ``u``, ``v``, ``length_m`` and lines; parallel edges keep their shortest
        length in the matrix (all are kept for snapping).

    Raises
    ------
    PlanningMapError
        If the network is empty or an edge refers to an unknown node.
    """
    if nodes.empty or edges.empty:
        msg = "The walk network is empty: load OpenStreetMap layers (python -m geo.osm)."
        raise PlanningMapError(msg)
    crs = metric_crs_for(edges)
    node_ids = nodes["node_id"].to_numpy(np.int64)
    order = np.argsort(node_ids)
    sorted_ids = node_ids[order]
    u = np.searchsorted(sorted_ids, edges["u"].to_numpy(np.int64))
    v = np.searchsorted(sorted_ids, edges["v"].to_numpy(np.int64))
    u = np.clip(u, 0, len(sorted_ids) - 1)
    v = np.clip(v, 0, len(sorted_ids) - 1)
    bad = (sorted_ids[u] != edges["u"].to_numpy()) | (sorted_ids[v] != edges["v"].to_numpy())
    if bad.any():
        msg = f"{int(bad.sum())} walk edges refer to nodes that are not in the node layer."
        raise PlanningMapError(msg)
    length = edges["length_m"].to_numpy(np.float64)
    n = len(sorted_ids)
    matrix = _symmetric_min(u, v, length, n)
    geometry = edges.to_crs(crs).geometry.to_numpy()
    return WalkGraph(sorted_ids, matrix, u, v, length, geometry, crs)


def subgraph(graph: WalkGraph, edges: NDArray[np.int64]) -> WalkGraph:
    """Return the graph made of ``edges`` only (nodes renumbered; edge order kept)."""
    u, v = graph.edge_u[edges], graph.edge_v[edges]
    nodes, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    sub_u, sub_v = inverse[: len(edges)], inverse[len(edges) :]
    length = graph.edge_length_m[edges]
    matrix = _symmetric_min(sub_u, sub_v, length, len(nodes))
    return WalkGraph(
        graph.node_ids[nodes], matrix, sub_u, sub_v, length, graph.edge_geometry[edges], graph.crs
    )


def _symmetric_min(
    u: NDArray[np.int64], v: NDArray[np.int64], weight: NDArray[np.float64], n: int
) -> sp.csr_matrix:
    """Return an n x n symmetric CSR matrix keeping the smallest weight per node pair."""
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    w = np.concatenate([weight, weight])
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    # Zero-length edges would vanish in a sparse matrix: keep them as a tiny epsilon.
    w = np.where(w[first] > 0, w[first], 1e-9)
    return sp.csr_matrix((w, (rows[first], cols[first])), shape=(n, n))


def snap_to_edges(
    graph: WalkGraph, points: gpd.GeoSeries, *, max_snap_m: float = np.inf
) -> EdgePositions:
    """Place each point on its nearest walk edge.

    Points farther than ``max_snap_m`` from every edge get edge ``-1`` and an
    infinite gap (they are not reachable on foot).
    """
    pts = points.to_crs(graph.crs).to_numpy()
    tree = shapely.STRtree(graph.edge_geometry)
    finite = np.isfinite(max_snap_m)
    hits, gaps = tree.query_nearest(
        pts, max_distance=max_snap_m if finite else None, return_distance=True, all_matches=False
    )
    edge = np.full(len(pts), -1, dtype=np.int64)
    snap = np.full(len(pts), np.inf)
    edge[hits[0]] = hits[1]
    snap[hits[0]] = gaps
    offset = np.zeros(len(pts))
    found = edge >= 0
    offset[found] = shapely.line_locate_point(graph.edge_geometry[edge[found]], pts[found])
    # Geometry lengths and stored lengths agree to rounding; keep offsets within the edge.
    offset[found] = np.minimum(offset[found], graph.edge_length_m[edge[found]])
    return EdgePositions(edge, offset, snap)


@dataclass(frozen=True)
class JoinedSources:
    """Sources joined to a graph as virtual nodes, built once for passes from any subset.

    Source ``i`` (of those on an edge) is node ``n + i``, with edges leaving it only,
    so no path passes through a source; a pass from a subset starts at its nodes.
    """

    graph: WalkGraph
    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    gap_m: NDArray[np.float64]  # walking from the source to its edge (0 without snapping)
    usable: NDArray[np.bool_]  # which of the given sources lie on an edge
    matrix: sp.csr_matrix


def join_sources(
    graph: WalkGraph, sources: EdgePositions, *, include_snap: bool = True
) -> JoinedSources:
    """Join every source on an edge to both ends of its edge (see :class:`JoinedSources`)."""
    ok = sources.edge >= 0
    s_edge, s_off = sources.edge[ok], sources.offset_m[ok]
    s_gap = sources.snap_m[ok] if include_snap else np.zeros(int(ok.sum()))
    n, k = graph.n_nodes, len(s_edge)
    length = graph.edge_length_m[s_edge]
    rows = np.concatenate([np.arange(n, n + k), np.arange(n, n + k)])
    cols = np.concatenate([graph.edge_u[s_edge], graph.edge_v[s_edge]])
    w = np.concatenate([s_gap + s_off, s_gap + (length - s_off)])
    w = np.where(w > 0, w, 1e-9)
    base_row, base_col, base_data = graph.coo
    matrix = sp.csr_matrix(
        (
            np.concatenate([base_data, w]),
            (np.concatenate([base_row, rows]), np.concatenate([base_col, cols])),
        ),
        shape=(n + k, n + k),
    )
    return JoinedSources(graph, s_edge, s_off, s_gap, ok, matrix)


def _chosen(joined: JoinedSources, subset: NDArray[np.bool_] | None) -> NDArray[np.int64]:
    """Return the indices (among usable sources) of those in ``subset`` (all when None)."""
    if subset is None:
        return np.arange(len(joined.edge))
    return np.flatnonzero(np.asarray(subset, dtype=bool)[joined.usable])


def node_distances(
    graph: WalkGraph,
    sources: EdgePositions,
    *,
    limit_m: float = np.inf,
    include_snap: bool = True,
) -> NDArray[np.float64]:
    """Return every node's walking distance to its nearest source (one Dijkstra pass).

    Nodes beyond ``limit_m`` (or unreachable) get ``inf``.
    """
    return joined_node_distances(
        join_sources(graph, sources, include_snap=include_snap), limit_m=limit_m
    )


def joined_node_distances(
    joined: JoinedSources, *, subset: NDArray[np.bool_] | None = None, limit_m: float = np.inf
) -> NDArray[np.float64]:
    """Like :func:`node_distances`, from the ``subset`` (a mask over the given sources)."""
    n = joined.graph.n_nodes
    chosen = _chosen(joined, subset)
    if len(chosen) == 0:
        return np.full(n, np.inf)
    dist = dijkstra(joined.matrix, directed=True, indices=n + chosen, min_only=True, limit=limit_m)
    return np.asarray(dist[:n], dtype=np.float64)


def nearest_source_distance(
    graph: WalkGraph,
    sources: EdgePositions,
    targets: EdgePositions,
    *,
    limit_m: float = np.inf,
    include_snap: bool = True,
) -> NDArray[np.float64]:
    """Return each target's walking distance to its nearest source (metres; inf if none).

    One Dijkstra pass from all sources at once (``min_only=True``). With
    ``include_snap`` the straight gaps from the target and from the source to
    their edges are added (walking to the path network and off it again).
    """
    joined = join_sources(graph, sources, include_snap=include_snap)
    return joined_nearest_distance(joined, targets, limit_m=limit_m, include_snap=include_snap)


def joined_nearest_distance(
    joined: JoinedSources,
    targets: EdgePositions,
    *,
    subset: NDArray[np.bool_] | None = None,
    limit_m: float = np.inf,
    include_snap: bool = True,
) -> NDArray[np.float64]:
    """Like :func:`nearest_source_distance`, from the ``subset`` of the joined sources."""
    graph = joined.graph
    chosen = _chosen(joined, subset)
    s_edge, s_off, s_snap = joined.edge[chosen], joined.offset_m[chosen], joined.gap_m[chosen]
    out = np.full(len(targets.edge), np.inf)
    if len(s_edge) == 0:
        return out
    dist = joined_node_distances(joined, subset=subset, limit_m=limit_m)
    t_ok = targets.edge >= 0

    te = targets.edge[t_ok]
    tt = targets.offset_m[t_ok]
    tl = graph.edge_length_m[te]
    via_nodes = np.minimum(dist[graph.edge_u[te]] + tt, dist[graph.edge_v[te]] + (tl - tt))
    # A source on the same edge can be reached directly along it.
    direct = np.full(len(te), np.inf)
    by_edge: dict[int, list[int]] = {}
    for i, e in enumerate(s_edge.tolist()):
        by_edge.setdefault(e, []).append(i)
    for j, e in enumerate(te.tolist()):
        if e in by_edge:
            idx = by_edge[e]
            direct[j] = float(np.min(np.abs(s_off[idx] - tt[j]) + s_snap[idx]))
    result = np.minimum(via_nodes, direct)
    if include_snap:
        result = result + targets.snap_m[t_ok]
    result[result > limit_m] = np.inf
    out[t_ok] = result
    return out
