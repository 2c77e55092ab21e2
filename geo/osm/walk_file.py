"""The walk network as plain arrays, stored next to the OpenStreetMap GeoPackage.

Reading 500,000 walk nodes and their edges from a GeoPackage takes seconds
(pyogrio decodes every feature); the same network as numpy arrays in one
uncompressed ``.npz`` file loads in a fraction of a second. The arrays are:

============== ===============================================================
array          meaning
============== ===============================================================
node_ids       OSM node ids, sorted (int64); node index = position here
edge_u/edge_v  node index of each edge's ends, in the walk_edges layer order
length_m       edge length in metres
coords         edge vertices in ``crs`` (metres), all edges end to end
offsets        where each edge's vertices start in ``coords`` (n_edges + 1)
csr_*          the symmetric edge-length matrix (CSR: data, indices, indptr), the
               shortest of parallel edges, ready for scipy's shortest paths
============== ===============================================================

The file is tagged with the GeoPackage's ``cache_id`` (a random token written
with every cache) and the cache schema version, so a graph file left from an
older or another cache is never used.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from geo.atomic import replaced_atomically
from geo.crs import metric_crs_for
from geo.errors import WalkNetworkError

__all__ = [
    "WalkArrays",
    "lines_from_ragged",
    "read_walk_arrays",
    "symmetric_min_csr",
    "walk_arrays_from",
    "walk_arrays_path",
    "write_walk_arrays",
]


@dataclass(frozen=True)
class WalkArrays:
    """A walk network as arrays in a metric CRS (see the module docstring)."""

    node_ids: NDArray[np.int64]
    edge_u: NDArray[np.int64]
    edge_v: NDArray[np.int64]
    length_m: NDArray[np.float64]
    coords: NDArray[np.float64]
    offsets: NDArray[np.int64]
    crs: str
    csr_data: NDArray[np.float64]
    csr_indices: NDArray[np.int32]
    csr_indptr: NDArray[np.int32]

    def edge_geometry(self) -> NDArray[np.object_]:
        """Return the edges as shapely LineStrings in ``crs``."""
        return lines_from_ragged(self.coords, self.offsets)


def lines_from_ragged(
    coords: NDArray[np.float64], offsets: NDArray[np.int64]
) -> NDArray[np.object_]:
    """Return LineStrings from vertices laid end to end and where each line starts."""
    return np.asarray(
        shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords, (offsets,)),
        dtype=object,
    )


_ARRAYS = (
    "node_ids",
    "edge_u",
    "edge_v",
    "length_m",
    "coords",
    "offsets",
    "csr_data",
    "csr_indices",
    "csr_indptr",
)


def symmetric_min_csr(
    u: NDArray[np.int64], v: NDArray[np.int64], weight: NDArray[np.float64], n: int
) -> sp.csr_matrix:
    """Return an n x n symmetric CSR matrix keeping the smallest weight per node pair.

    Zero-length edges would vanish from a sparse matrix: they are kept as 1e-9 m.

    >>> symmetric_min_csr(np.array([0, 0]), np.array([1, 1]), np.array([5.0, 3.0]), 2).toarray()
    array([[0., 3.],
           [3., 0.]])
    """
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    w = np.concatenate([weight, weight])
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    w = np.where(w[first] > 0, w[first], 1e-9)
    return sp.csr_matrix((w, (rows[first], cols[first])), shape=(n, n))


def walk_arrays_from(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> WalkArrays:
    """Return the arrays of normalised walk nodes and edges (any declared CRS).

    Raises
    ------
    WalkNetworkError
        If the network is empty or an edge refers to a node that is not in ``nodes``.

    Examples
    --------
    >>> n = gpd.GeoDataFrame({"node_id": [7, 3]},
    ...     geometry=[shapely.Point(590_100, 3_470_000), shapely.Point(590_000, 3_470_000)],
    ...     crs=4549)
    >>> e = gpd.GeoDataFrame({"u": [3], "v": [7], "length_m": [100.0]},
    ...     geometry=[shapely.LineString([(590_000, 3_470_000), (590_100, 3_470_000)])], crs=4549)
    >>> a = walk_arrays_from(n, e)
    >>> a.node_ids.tolist(), a.edge_u.tolist(), a.edge_v.tolist(), a.offsets.tolist()
    ([3, 7], [0], [1], [0, 2])
    """
    if nodes.empty or edges.empty:
        msg = (
            "步行路网为空：请导入 OpenStreetMap 数据（python -m geo.osm）。 / The walk network is "
            "empty: load OpenStreetMap layers (python -m geo.osm)."
        )
        raise WalkNetworkError(msg)
    crs = metric_crs_for(edges)
    sorted_ids = np.sort(nodes["node_id"].to_numpy(np.int64))
    raw_u = edges["u"].to_numpy(np.int64)
    raw_v = edges["v"].to_numpy(np.int64)
    u = np.clip(np.searchsorted(sorted_ids, raw_u), 0, len(sorted_ids) - 1)
    v = np.clip(np.searchsorted(sorted_ids, raw_v), 0, len(sorted_ids) - 1)
    bad = (sorted_ids[u] != raw_u) | (sorted_ids[v] != raw_v)
    if bad.any():
        msg = (
            f"{int(bad.sum())} 条步行路段引用了不存在的节点。 / {int(bad.sum())} walk edges refer "
            "to nodes that are not in the node layer."
        )
        raise WalkNetworkError(msg)
    geoms = edges.to_crs(crs).geometry.to_numpy()
    kind, coords, (offsets,) = shapely.to_ragged_array(geoms)
    if kind != shapely.GeometryType.LINESTRING:
        msg = "步行路段必须为线。 / Walk edges must be LineStrings."
        raise WalkNetworkError(msg)
    length = edges["length_m"].to_numpy(np.float64)
    matrix = symmetric_min_csr(u, v, length, len(sorted_ids))
    return WalkArrays(
        node_ids=sorted_ids,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        length_m=length,
        coords=np.ascontiguousarray(coords[:, :2], dtype=np.float64),
        offsets=offsets.astype(np.int64),
        crs=crs,
        csr_data=matrix.data,
        csr_indices=matrix.indices,
        csr_indptr=matrix.indptr,
    )


def walk_arrays_path(cache: Path) -> Path:
    """Return where the graph file of the GeoPackage ``cache`` lives (``NAME.walk.npz``)."""
    cache = Path(cache)
    return cache.with_name(f"{cache.stem}.walk.npz")


def write_walk_arrays(arrays: WalkArrays, path: Path, *, tag: str) -> Path:
    """Write ``arrays`` to ``path`` (uncompressed ``.npz``) atomically, tagged with ``tag``."""
    with replaced_atomically(Path(path)) as tmp, tmp.open("wb") as handle:
        np.savez(
            handle,
            crs=np.array(arrays.crs),
            tag=np.array(tag),
            **{name: getattr(arrays, name) for name in _ARRAYS},
        )
    return Path(path)


def read_walk_arrays(path: Path, *, tag: str) -> WalkArrays | None:
    """Read the arrays at ``path``; None when the file is missing, unreadable or not ``tag``'s."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["tag"]) != tag:
                return None
            return WalkArrays(crs=str(data["crs"]), **{name: data[name] for name in _ARRAYS})
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
