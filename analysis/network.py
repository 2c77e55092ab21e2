"""Walking distance on the walk network: one multi-source shortest-path pass.

The walk network (``walk_nodes``/``walk_edges`` from :mod:`geo.osm.normalise`) becomes
a symmetric sparse matrix of edge lengths in metres. Sources and targets may lie
anywhere on an edge (an access point, a snapped grid cell): each source becomes a
virtual node joined to its edge's two ends, and one Dijkstra pass
(:func:`scipy.sparse.csgraph.dijkstra` with ``min_only=True``) gives every node
its distance to the nearest source, never one search per origin. A target on edge
(a, b) at offset t is then ``min(D[a] + t, D[b] + len - t)``, or the direct distance
along the edge when a source shares it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from geo.osm.walk_file import WalkArrays, lines_from_ragged, symmetric_min_csr, walk_arrays_from
from geo.osm.walk_places import component_labels, snap_to_lines, usable_edge_mask

__all__ = [
    "EdgePositions",
    "JoinedSources",
    "WalkGraph",
    "join_sources",
    "joined_nearest_distance",
    "joined_node_distances",
    "nearest_source_distance",
    "same_edge_pairs",
    "snap_to_edges",
    "subgraph",
    "usable_edges",
    "walk_graph_from",
    "walk_graph_from_arrays",
]


@dataclass(frozen=True)
class WalkGraph:
    """A walk network ready for shortest paths (metric CRS, metres)."""

    node_ids: NDArray[np.int64]
    matrix: sp.csr_matrix
    edge_u: NDArray[np.int64]  # node index of each edge's start
    edge_v: NDArray[np.int64]
    edge_length_m: NDArray[np.float64]
    edge_coords: tuple[NDArray[np.float64], NDArray[np.int64]]  # vertices, start per edge
    crs: str

    @cached_property
    def edge_geometry(self) -> NDArray[np.object_]:
        """The edges as shapely LineStrings in ``crs`` (built on first use).

        A walking pass needs only the matrix; placing points on the network needs
        the lines, so a graph loaded to reuse stored positions never builds them.
        """
        return lines_from_ragged(*self.edge_coords)

    @property
    def n_nodes(self) -> int:
        """Number of network nodes."""
        return len(self.node_ids)

    @cached_property
    def coo(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Rows, columns and lengths of the matrix (built once, reused by every pass)."""
        base = self.matrix.tocoo()
        return base.row.astype(np.int64), base.col.astype(np.int64), base.data

    @cached_property
    def component(self) -> NDArray[np.int64]:
        """The connected component of every node (labels 0..k-1)."""
        return component_labels(self.matrix)


@dataclass(frozen=True)
class EdgePositions:
    """Points (or stretches) placed on the network: edge index, offsets, gap to it.

    A position covers the stretch ``[offset_m, end_offset_m]`` of its edge
    (metres from the edge's start); a point has ``end_offset_m`` None (or equal).
    ``snap_m`` is the straight gap between the feature and its edge.
    """

    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    snap_m: NDArray[np.float64]
    end_offset_m: NDArray[np.float64] | None = None

    @property
    def hi_m(self) -> NDArray[np.float64]:
        """The far end of each stretch (the offset itself for points)."""
        return self.offset_m if self.end_offset_m is None else self.end_offset_m

    def as_arrays(self) -> dict[str, NDArray[np.generic]]:
        """Return the positions as named arrays (to store them; see :meth:`from_arrays`)."""
        arrays: dict[str, NDArray[np.generic]] = {
            "edge": self.edge,
            "offset_m": self.offset_m,
            "snap_m": self.snap_m,
        }
        if self.end_offset_m is not None:
            arrays["end_offset_m"] = self.end_offset_m
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> EdgePositions:
        """Return positions from :meth:`as_arrays`'s output.

        >>> p = EdgePositions(np.array([3]), np.array([1.5]), np.array([0.2]))
        >>> EdgePositions.from_arrays(p.as_arrays()).offset_m.tolist()
        [1.5]
        """
        return cls(
            np.asarray(arrays["edge"], dtype=np.int64),
            np.asarray(arrays["offset_m"], dtype=np.float64),
            np.asarray(arrays["snap_m"], dtype=np.float64),
            None if "end_offset_m" not in arrays else np.asarray(arrays["end_offset_m"]),
        )

    def take(self, index: NDArray[np.int64] | NDArray[np.bool_]) -> EdgePositions:
        """Return the positions at ``index`` (an index array or a mask)."""
        end = None if self.end_offset_m is None else self.end_offset_m[index]
        return EdgePositions(self.edge[index], self.offset_m[index], self.snap_m[index], end)


def walk_graph_from_arrays(arrays: WalkArrays) -> WalkGraph:
    """Build the shortest-path graph from stored walk arrays (:mod:`geo.osm.walk_file`).

    Parallel edges keep their shortest length in the matrix (all are kept for snapping).
    """
    n = len(arrays.node_ids)
    matrix = sp.csr_matrix((arrays.csr_data, arrays.csr_indices, arrays.csr_indptr), shape=(n, n))
    return WalkGraph(
        arrays.node_ids,
        matrix,
        arrays.edge_u,
        arrays.edge_v,
        arrays.length_m,
        (arrays.coords, arrays.offsets),
        arrays.crs,
    )


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
    WalkNetworkError
        If the network is empty or an edge refers to an unknown node.
    """
    return walk_graph_from_arrays(walk_arrays_from(nodes, edges))


def subgraph(graph: WalkGraph, edges: NDArray[np.int64]) -> WalkGraph:
    """Return the graph made of ``edges`` only (nodes renumbered; edge order kept)."""
    u, v = graph.edge_u[edges], graph.edge_v[edges]
    nodes, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    sub_u, sub_v = inverse[: len(edges)], inverse[len(edges) :]
    length = graph.edge_length_m[edges]
    matrix = symmetric_min_csr(sub_u, sub_v, length, len(nodes))
    _, coords, (offsets,) = shapely.to_ragged_array(graph.edge_geometry[edges])
    return WalkGraph(
        graph.node_ids[nodes], matrix, sub_u, sub_v, length, (coords, offsets), graph.crs
    )


def snap_to_edges(
    graph: WalkGraph,
    points: gpd.GeoSeries,
    *,
    max_snap_m: float = np.inf,
    edge_mask: NDArray[np.bool_] | None = None,
) -> EdgePositions:
    """Place each point on its nearest walk edge (among ``edge_mask`` when given).

    Points farther than ``max_snap_m`` from every such edge get edge ``-1`` and an
    infinite gap (they are not reachable on foot). See :func:`geo.osm.walk_places.snap_to_lines`.
    """
    edge, offset, gap = snap_to_lines(
        graph.edge_geometry,
        graph.edge_length_m,
        points.to_crs(graph.crs).to_numpy(),
        max_snap_m=max_snap_m,
        edge_mask=edge_mask,
    )
    return EdgePositions(edge, offset, gap)


def usable_edges(
    graph: WalkGraph, source_edges: NDArray[np.int64], *, min_component_m: float
) -> NDArray[np.bool_]:
    """Return which edges lie on a part of the network that leads somewhere.

    A connected component is usable when its edges add up to at least
    ``min_component_m`` metres and it holds at least one of ``source_edges``
    (e.g. a park entrance): a stray footway fragment, or a piece from which no
    park can be reached, is not a place to start walking from.

    Examples
    --------
    >>> u, v, length = np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([600.0, 600, 50])
    >>> lines = (np.zeros((6, 2)), np.array([0, 2, 4, 6]))
    >>> g = WalkGraph(np.arange(5), symmetric_min_csr(u, v, length, 5), u, v, length, lines,
    ...     "EPSG:4549")
    >>> usable_edges(g, np.array([0, 2]), min_component_m=1000).tolist()
    [True, True, False]
    """
    return usable_edge_mask(
        graph.edge_u,
        graph.edge_length_m,
        graph.component,
        np.asarray(source_edges, dtype=np.int64),
        min_component_m=min_component_m,
    )


@dataclass(frozen=True)
class JoinedSources:
    """Sources placed on a graph, ready for passes from any subset of them.

    A pass from a subset adds one super source to the graph, joined to the two
    ends of every chosen source's edge by the walk from the source to that end
    (the shortest per node); one Dijkstra from the super source gives every node
    its distance to the nearest chosen source. The graph's matrix gets the super
    source's row appended without copying its structure twice.
    """

    graph: WalkGraph
    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    end_offset_m: NDArray[np.float64]
    gap_m: NDArray[np.float64]  # walking from the source to its edge (0 without snapping)
    usable: NDArray[np.bool_]  # which of the given sources lie on an edge
    to_start_m: NDArray[np.float64]  # from each source to its edge's start node
    to_end_m: NDArray[np.float64]
    super_rows: dict[bytes, tuple[NDArray[np.int32], NDArray[np.float64]]] = field(
        default_factory=dict, compare=False, repr=False
    )


def join_sources(
    graph: WalkGraph, sources: EdgePositions, *, include_snap: bool = True
) -> JoinedSources:
    """Prepare the sources that lie on an edge for passes (see :class:`JoinedSources`).

    A stretch source ``[lo, hi]`` reaches the edge's start after ``lo`` metres
    and its end after ``length - hi``: every point of the stretch is a source.
    """
    ok = sources.edge >= 0
    s_edge, s_lo, s_hi = sources.edge[ok], sources.offset_m[ok], sources.hi_m[ok]
    s_gap = sources.snap_m[ok] if include_snap else np.zeros(int(ok.sum()))
    length = graph.edge_length_m[s_edge]
    to_start = s_gap + s_lo
    to_end = s_gap + np.maximum(length - s_hi, 0.0)
    return JoinedSources(graph, s_edge, s_lo, s_hi, s_gap, ok, to_start, to_end)


_SUPER_ROWS_KEPT = 16


def _super_row(
    joined: JoinedSources, chosen: NDArray[np.int64]
) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Return the super source's neighbours and walks for ``chosen`` (kept per subset).

    The walk to a node is the shortest from any chosen source; the same subsets
    come back with every standard and tier, so the last few are kept.
    """
    key = hashlib.blake2b(chosen.tobytes(), digest_size=16).digest()
    kept = joined.super_rows.get(key)
    if kept is not None:
        return kept
    graph = joined.graph
    first = np.full(graph.n_nodes, np.inf)
    edges = joined.edge[chosen]
    nodes = np.concatenate([graph.edge_u[edges], graph.edge_v[edges]])
    walks = np.concatenate([joined.to_start_m[chosen], joined.to_end_m[chosen]])
    np.minimum.at(first, nodes, walks)
    cols = np.flatnonzero(np.isfinite(first))
    row = (
        cols.astype(graph.matrix.indices.dtype),
        np.maximum(first[cols], 1e-9),  # an explicit zero would be no edge
    )
    if len(joined.super_rows) >= _SUPER_ROWS_KEPT:
        joined.super_rows.clear()
    joined.super_rows[key] = row
    return row


def _with_super_source(joined: JoinedSources, chosen: NDArray[np.int64]) -> sp.csr_matrix:
    """Return the graph's matrix with one more row: the super source of ``chosen``.

    The graph's arrays are copied into a per-thread buffer once; each pass only
    writes the new row's tail (sessions on a server run passes in their own threads).
    """
    cols, weights = _super_row(joined, chosen)
    base = joined.graph.matrix
    n, nnz = joined.graph.n_nodes, base.nnz
    buffers = getattr(_BUFFERS, "by_graph", None)
    if buffers is None or buffers[0] is not base:
        data = np.concatenate([base.data, np.zeros(n)])
        indices = np.concatenate([base.indices, np.zeros(n, dtype=base.indices.dtype)])
        indptr = np.append(base.indptr, nnz).astype(base.indptr.dtype)
        buffers = (base, data, indices, indptr)
        _BUFFERS.by_graph = buffers
    _, data, indices, indptr = buffers
    k = len(cols)
    data[nnz : nnz + k] = weights
    indices[nnz : nnz + k] = cols
    indptr[-1] = nnz + k
    return sp.csr_matrix(
        (data[: nnz + k], indices[: nnz + k], indptr), shape=(n + 1, n + 1), copy=False
    )


_BUFFERS = threading.local()


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
    matrix = _with_super_source(joined, chosen)
    dist = dijkstra(matrix, directed=True, indices=n, limit=limit_m)
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
    pairs: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None,
) -> NDArray[np.float64]:
    """Like :func:`nearest_source_distance`, from the ``subset`` of the joined sources.

    ``pairs`` (:func:`same_edge_pairs` of the joined sources' edges and all the
    targets' edges, -1 included) saves finding the sources on each target's edge
    again when the same targets are measured many times.
    """
    graph = joined.graph
    chosen = _chosen(joined, subset)
    out = np.full(len(targets.edge), np.inf)
    if len(chosen) == 0:
        return out
    dist = joined_node_distances(joined, subset=subset, limit_m=limit_m)
    t_ok = np.flatnonzero(targets.edge >= 0)

    te = targets.edge[t_ok]
    tt = targets.offset_m[t_ok]
    tl = graph.edge_length_m[te]
    via_nodes = np.minimum(dist[graph.edge_u[te]] + tt, dist[graph.edge_v[te]] + (tl - tt))
    if pairs is None:
        pairs = same_edge_pairs(joined.edge, te)
    else:  # pairs index all targets: keep those on an edge, numbered among them
        position = np.full(len(targets.edge), -1, dtype=np.int64)
        position[t_ok] = np.arange(len(t_ok))
        pairs = (position[pairs[0]], pairs[1])
    lo = joined.offset_m
    if subset is not None:  # sources outside the subset are never nearer
        keep = np.zeros(len(lo), dtype=bool)
        keep[chosen] = True
        lo = np.where(keep, lo, np.inf)
    direct = _direct_along_edge(lo, joined.end_offset_m, joined.gap_m, tt, pairs, len(te))
    result = np.minimum(via_nodes, direct)
    if include_snap:
        result = result + targets.snap_m[t_ok]
    result[result > limit_m] = np.inf
    out[t_ok] = result
    return out


def same_edge_pairs(
    s_edge: NDArray[np.int64], t_edge: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return every (target, source) pair that shares an edge (indices into the two arrays).

    Computed once for fixed targets (the origins of a grid) and reused by every pass.
    """
    empty = np.array([], np.int64)
    if len(s_edge) == 0 or len(t_edge) == 0:
        return empty, empty
    order = np.argsort(s_edge, kind="stable")
    sorted_edges = s_edge[order]
    first = np.searchsorted(sorted_edges, t_edge, side="left")
    count = np.searchsorted(sorted_edges, t_edge, side="right") - first
    targets = np.flatnonzero(count > 0)
    if len(targets) == 0:
        return empty, empty
    reps = count[targets]
    pair_target = np.repeat(targets, reps)
    starts = np.repeat(first[targets], reps)
    within = np.arange(len(pair_target)) - np.repeat(np.cumsum(reps) - reps, reps)
    return pair_target.astype(np.int64), order[starts + within].astype(np.int64)


def _direct_along_edge(  # noqa: PLR0917 - private, two aligned groups of arrays
    s_lo: NDArray[np.float64],
    s_hi: NDArray[np.float64],
    s_gap: NDArray[np.float64],
    t_off: NDArray[np.float64],
    pairs: tuple[NDArray[np.int64], NDArray[np.int64]],
    n_targets: int,
) -> NDArray[np.float64]:
    """Distance from each target to the nearest source on its own edge, along it (inf if none).

    A target inside a stretch ``[lo, hi]`` is at the stretch's gap; otherwise it
    walks to the nearer end of the stretch. ``pairs`` from :func:`same_edge_pairs`.
    """
    direct = np.full(n_targets, np.inf)
    pair_target, pair_source = pairs
    if len(pair_target) == 0:
        return direct
    t = t_off[pair_target]
    along = np.maximum(np.maximum(s_lo[pair_source] - t, t - s_hi[pair_source]), 0.0)
    np.minimum.at(direct, pair_target, along + s_gap[pair_source])
    return direct
