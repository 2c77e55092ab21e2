"""Where points start on the walk network, as arrays, and where that is stored.

Placing 100,000 grid origins on a 500,000-node network (nearest usable edge,
offset along it) takes about a second and a half; it depends only on the network,
its park entrances, the origins and the access rules, so it is computed once and
stored beside the OpenStreetMap cache (``NAME.walk.places-KEY.npz``). The import
stores the default grid's places (:func:`store_default_placement`); any other grid
is stored on first use. :mod:`analysis.network` places points through these
functions.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from geo.atomic import replaced_atomically
from geo.grid import DEFAULT_CELL_M, Origins, grid_origins
from geo.osm.entrances import AccessRules
from geo.osm.walk_file import WalkArrays

__all__ = [
    "component_labels",
    "placement_key",
    "read_placement",
    "snap_to_lines",
    "store_default_placement",
    "usable_edge_mask",
    "write_placement",
]


def component_labels(matrix: object) -> NDArray[np.int64]:
    """Return the connected component of every node of a sparse adjacency matrix."""
    _, labels = connected_components(matrix, directed=False)
    return np.asarray(labels, dtype=np.int64)


def usable_edge_mask(
    edge_u: NDArray[np.int64],
    length_m: NDArray[np.float64],
    labels: NDArray[np.int64],
    source_edges: NDArray[np.int64],
    *,
    min_component_m: float,
) -> NDArray[np.bool_]:
    """Return which edges lie on a connected piece long enough that holds a source.

    ``labels`` are the nodes' components (:func:`component_labels`); a piece is
    usable when its edges add up to ``min_component_m`` metres and one of
    ``source_edges`` (e.g. a park entrance) lies on it.
    """
    n_pieces = int(labels.max()) + 1 if len(labels) else 0
    piece_length = np.bincount(labels[edge_u], weights=length_m, minlength=n_pieces)
    with_source = np.zeros(n_pieces, dtype=bool)
    if len(source_edges):
        with_source[labels[edge_u[np.asarray(source_edges, dtype=np.int64)]]] = True
    usable = with_source & (piece_length >= min_component_m)
    return np.asarray(usable[labels[edge_u]])


def snap_to_lines(
    lines: NDArray[np.object_],
    length_m: NDArray[np.float64],
    points: NDArray[np.object_],
    *,
    max_snap_m: float = np.inf,
    edge_mask: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Place each point on its nearest line (among ``edge_mask``); return edge, offset, gap.

    Points farther than ``max_snap_m`` from every such line get edge ``-1`` and an
    infinite gap. Offsets are metres from the line's start, within its length.
    """
    candidates = np.arange(len(lines)) if edge_mask is None else np.flatnonzero(edge_mask)
    edge = np.full(len(points), -1, dtype=np.int64)
    gap = np.full(len(points), np.inf)
    offset = np.zeros(len(points))
    if len(candidates) == 0 or len(points) == 0:
        return edge, offset, gap
    tree = shapely.STRtree(lines[candidates])
    hits, gaps = tree.query_nearest(
        points,
        max_distance=max_snap_m if np.isfinite(max_snap_m) else None,
        return_distance=True,
        all_matches=False,
    )
    edge[hits[0]] = candidates[hits[1]]
    gap[hits[0]] = gaps
    found = edge >= 0
    offset[found] = shapely.line_locate_point(lines[edge[found]], points[found])
    # Geometry lengths and stored lengths agree to rounding; keep offsets within the edge.
    offset[found] = np.minimum(offset[found], length_m[edge[found]])
    return edge, offset, gap


def placement_key(
    data_tag: str, origins: Origins, parks: gpd.GeoDataFrame, rules: AccessRules
) -> str:
    """Return a key that names where ``origins`` start on a network (for storing it).

    The places depend on the network and its entrances (``data_tag``: the data
    set's identity, and the parks), the origins' coordinates and the rules; the
    key is a SHA-256 of all of them.
    """
    digest = hashlib.sha256()
    digest.update(data_tag.encode())
    digest.update(np.ascontiguousarray(origins.x).tobytes())
    digest.update(np.ascontiguousarray(origins.y).tobytes())
    digest.update("\n".join(map(str, parks["park_id"])).encode())
    digest.update(repr(rules).encode())
    return digest.hexdigest()[:32]


def _placement_path(cache: Path, key: str) -> Path:
    cache = Path(cache)
    return cache.with_name(f"{cache.stem}.walk.places-{key}.npz")


def write_placement(cache: Path, key: str, arrays: dict[str, NDArray[np.generic]]) -> Path:
    """Store where a grid's origins start on the cache's network, under ``key``.

    The key names the inputs (:func:`placement_key`), so a changed grid, park set,
    rules or network never reads another's places.
    """
    path = _placement_path(cache, key)
    with replaced_atomically(path) as tmp, tmp.open("wb") as handle:
        np.savez(handle, key=np.array(key), **arrays)  # type: ignore[arg-type]
    return path


def read_placement(cache: Path, key: str) -> dict[str, NDArray[np.generic]] | None:
    """Return the stored places under ``key``; None when missing or unreadable."""
    path = _placement_path(cache, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            return {name: data[name] for name in data.files if name != "key"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def store_default_placement(
    cache: Path,
    *,
    tag: str,
    arrays: WalkArrays,
    area: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    entrances: gpd.GeoDataFrame,
    water: gpd.GeoDataFrame | None,
    rules: AccessRules,
) -> Path | None:
    """Store the places of the default grid over ``area`` (what the parks page opens with).

    Written by the import so that the first switch to walking distances reads
    them instead of placing the origins (the same rule as
    :func:`analysis.distances.prepare_walk`: nearest usable edge within the limit).
    Returns the file, or None when there are no entrances.
    """
    if entrances.empty or parks.empty:
        return None
    origins = grid_origins(area, cell_m=DEFAULT_CELL_M, water=water)
    import scipy.sparse as sp  # noqa: PLC0415 - only here

    n = len(arrays.node_ids)
    matrix = sp.csr_matrix((arrays.csr_data, arrays.csr_indices, arrays.csr_indptr), shape=(n, n))
    edges = entrances["edge_index"].to_numpy(np.int64)
    usable = usable_edge_mask(
        arrays.edge_u,
        arrays.length_m,
        component_labels(matrix),
        edges[edges < len(arrays.edge_u)],
        min_component_m=rules.min_component_m,
    )
    edge, offset, gap = snap_to_lines(
        arrays.edge_geometry(),
        arrays.length_m,
        origins.points,
        max_snap_m=rules.origin_max_snap_m,
        edge_mask=usable,
    )
    key = placement_key(tag, origins, parks, rules)
    return write_placement(cache, key, {"edge": edge, "offset_m": offset, "snap_m": gap})
