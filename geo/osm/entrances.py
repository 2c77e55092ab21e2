"""Park entrances: where the walk network meets a park (OpenStreetMap or uploaded parks).

The rule (ParkServe places access points wherever the walkable network meets
the park; ``data/SOURCES.md`` gives the source and the reasoning for the numbers):

1. **Edge stretches.** Every part of a walk edge that comes within the entrance
   tolerance (default 20 m, :class:`AccessRules`) of the park polygon is an
   entrance stretch: a sidewalk running along the park's edge reaches it all
   along, not only where a path crosses the boundary. A stretch is stored as
   the offsets ``[offset_m, end_offset_m]`` along its edge; the walk engine
   treats every point of it as an entrance (no extra cost).
2. **Gates.** OSM nodes tagged ``barrier=gate|entrance|…`` or ``entrance=*``
   within the tolerance of the park's boundary are entrances too, placed on
   their nearest walk edge (the gap is added to the walk).
3. **Fenced parks.** A park whose boundary lies along ``barrier=fence|wall``
   lines for at least 90 % of its length (or whose own outline carries that
   tag) is entered through its gates only, when it has gates; with no mapped
   gate the edge rule applies (a fence with no gate in the data is more likely
   an incomplete map than a closed park).
4. **Fallback.** A park no walk edge comes within the tolerance of gets one
   entrance on the nearest edge within ``fallback_m`` (50 m); the straight gap
   from the park is added to the walk.

Output schema (``park_access`` layer): ``park_id``, ``edge_index`` (row of the
walk edge in the ``walk_edges`` layer, i.e. in the graph), ``edge_u``,
``edge_v``, ``offset_m``, ``end_offset_m``, ``gap_m``, ``method``
(``edge``/``gate``/``nearest``) and a point: the middle of the stretch, or the
gate.
"""

from __future__ import annotations

import itertools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import DISPLAY_CRS, metric_crs_for
from geo.errors import StandardError
from geo.paths import ACCESS_RULES_PATH

__all__ = [
    "ACCESS_COLUMNS",
    "GATE_BARRIERS",
    "AccessRules",
    "entrance_rows",
    "fenced_parks",
    "load_access_rules",
    "osm_tag",
    "park_entrances",
]

ACCESS_COLUMNS = (
    "park_id",
    "edge_index",
    "edge_u",
    "edge_v",
    "offset_m",
    "end_offset_m",
    "gap_m",
    "method",
)
GATE_BARRIERS = (
    "gate",
    "entrance",
    "lift_gate",
    "kissing_gate",
    "swing_gate",
    "turnstile",
)
FENCE_BARRIERS = ("fence", "wall")
# A boundary point within this distance of a fence line counts as fenced (mapping offsets).
_FENCE_SNAP_M = 3.0
_FENCED_SHARE = 0.9


@dataclass(frozen=True)
class AccessRules:
    """How parks are entered and where walking starts (metres).

    ``entrance_tolerance_m``: a walk edge within this distance of a park enters it.
    ``fallback_m``: a park with no edge that near gets one entrance on the nearest
    edge within this distance. ``origin_max_snap_m``: an origin farther than this
    from every usable edge is off the network. ``min_component_m``: a connected
    piece of the network shorter than this in total is a fragment, not a place to
    start walking from.
    """

    entrance_tolerance_m: float = 20.0
    fallback_m: float = 50.0
    origin_max_snap_m: float = 250.0
    min_component_m: float = 1000.0

    def __post_init__(self) -> None:
        """Check that every distance is a non-negative number."""
        for name in ("entrance_tolerance_m", "fallback_m", "origin_max_snap_m", "min_component_m"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
                msg = (
                    f"公园入口规则 {name} 必须为非负数，收到 {value!r}。 / "
                    f"The park-access rule {name} must be zero or more, got {value!r}."
                )
                raise StandardError(msg)


def load_access_rules(path: Path = ACCESS_RULES_PATH) -> AccessRules:
    """Read the park-access rules settings (``data/settings/park_access.json``)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        values = {k: float(v["value"]) for k, v in raw["rules"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = (
            f"无法读取公园入口规则 {Path(path).name}。 / Cannot read the park-access rules "
            f"{Path(path).name}: {exc}"
        )
        raise StandardError(msg) from exc
    known = set(AccessRules.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        msg = (
            f"未知的公园入口规则：{unknown}（可用：{sorted(known)}）。 / "
            f"Unknown park-access rules {unknown}; use {sorted(known)}."
        )
        raise StandardError(msg)
    return AccessRules(**values)


def osm_tag(frame: pd.DataFrame, key: str) -> pd.Series:
    """Return tag ``key`` per row, from its column or a ``tags`` dict/JSON column."""
    if key in frame.columns:
        return frame[key].where(frame[key].notna(), None)
    if "tags" not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)

    def lookup(tags: Any) -> Any:
        if isinstance(tags, str):
            try:
                tags = json.loads(tags)
            except json.JSONDecodeError:
                return None
        return tags.get(key) if isinstance(tags, dict) else None

    return frame["tags"].map(lookup)


def _gate_points(features: gpd.GeoDataFrame | None, crs: str) -> gpd.GeoSeries:
    """Return the gate and entrance nodes among raw OSM ``features`` (metric CRS)."""
    if features is None or features.empty:
        return gpd.GeoSeries([], crs=crs)
    points = features[features.geom_type == "Point"]
    barrier = osm_tag(points, "barrier").fillna("").astype(str)
    entrance = osm_tag(points, "entrance").fillna("").astype(str)
    is_gate = barrier.isin(GATE_BARRIERS) | (entrance.str.len() > 0)
    return gpd.GeoSeries(points[is_gate.to_numpy()].geometry.to_numpy(), crs=points.crs).to_crs(crs)


def _fence_lines(features: gpd.GeoDataFrame | None, crs: str) -> gpd.GeoSeries:
    if features is None or features.empty:
        return gpd.GeoSeries([], crs=crs)
    lines = features[
        features.geom_type.isin(["LineString", "LinearRing", "MultiLineString", "Polygon"])
    ]
    barrier = osm_tag(lines, "barrier").fillna("").astype(str)
    fences = lines[barrier.isin(FENCE_BARRIERS).to_numpy()]
    geoms = fences.geometry.to_numpy()
    polygon = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    geoms = np.where(polygon, shapely.boundary(geoms), geoms)
    return gpd.GeoSeries(geoms, crs=fences.crs).to_crs(crs)


def fenced_parks(parks: gpd.GeoDataFrame, barriers: gpd.GeoDataFrame | None = None) -> pd.Series:
    """Return, per park, whether it is fenced all round (see the module docstring, rule 3).

    ``barriers`` holds raw OSM features with a ``barrier`` tag (column or ``tags``);
    a park's own ``barrier`` tag (column) counts too.

    Examples
    --------
    >>> box = shapely.box(590_000, 3_470_000, 590_100, 3_470_100)
    >>> parks = gpd.GeoDataFrame({"park_id": ["a", "b"]},
    ...     geometry=[box, shapely.box(590_300, 3_470_000, 590_400, 3_470_100)], crs=4549)
    >>> fence = gpd.GeoDataFrame({"barrier": ["fence"]}, geometry=[box.exterior], crs=4549)
    >>> fenced_parks(parks, fence).tolist()
    [True, False]
    """
    result = pd.Series(False, index=parks.index, dtype=bool)
    if parks.empty:
        return result
    own = osm_tag(parks, "barrier").fillna("").astype(str).isin(FENCE_BARRIERS)
    result |= own.to_numpy()
    if barriers is None or barriers.empty:
        return result
    crs = metric_crs_for(parks)
    fences = _fence_lines(barriers, crs)
    if fences.empty:
        return result
    rings = shapely.boundary(parks.to_crs(crs).geometry.to_numpy())
    zone = shapely.buffer(fences.to_numpy(), _FENCE_SNAP_M)
    park_idx, fence_idx = shapely.STRtree(zone).query(rings, predicate="intersects")
    for p in np.unique(park_idx):
        near = shapely.union_all(zone[fence_idx[park_idx == p]])
        ring = rings[p]
        share = shapely.length(shapely.intersection(ring, near)) / max(shapely.length(ring), 1e-9)
        if share >= _FENCED_SHARE:
            result.iloc[p] = True
    return result


def _edges_metric(walk_edges: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    edges = walk_edges[["u", "v", "geometry"]].to_crs(crs).reset_index(drop=True)
    edges["edge_index"] = np.arange(len(edges), dtype=np.int64)
    return edges


def _stretches(
    park_ids: np.ndarray, geoms: np.ndarray, edges: gpd.GeoDataFrame, tolerance_m: float
) -> pd.DataFrame:
    """Every part of an edge within ``tolerance_m`` of a park, as offsets along the edge.

    The park's zone is its buffer by the tolerance. An edge wholly inside a
    zone is the stretch ``[0, length]`` as it stands; only edges crossing the
    zone's outline are cut (the cut is the costly part, and about a third of
    the edges near small parks lie wholly inside).
    """
    lines = edges.geometry.to_numpy()
    zone = _zones(geoms, tolerance_m)
    p_idx, e_idx = shapely.STRtree(lines).query(zone, predicate="intersects")
    shapely.prepare(zone)  # after the query: it would prepare them again, slower
    if len(p_idx) == 0:
        return pd.DataFrame(columns=["park", "edge", "lo", "hi"])
    closed = shapely.is_closed(lines[e_idx])
    inside = shapely.contains_properly(zone[p_idx], lines[e_idx]) & ~closed
    frames = [
        pd.DataFrame(
            {
                "park": p_idx[inside],
                "edge": e_idx[inside],
                "lo": 0.0,
                "hi": shapely.length(lines[e_idx[inside]]),
            }
        )
    ]
    cut = ~inside
    if cut.any():
        frames.append(_cut(p_idx[cut], e_idx[cut], lines, zone))
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


# 32 segments a quarter circle: the zone's corners are within 6 mm of the true circle.
_QUAD_SEGS = 32


def _zones(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Return every park's zone: its buffer by ``tolerance_m`` (GEOS, ``_QUAD_SEGS``).

    Many axis-aligned rectangles (suggested sites) get GEOS's own numbers without
    buffering each: GEOS turns each corner by the same offsets whatever the
    rectangle's size, so a zone is its rectangle's corners plus the offsets GEOS
    gave the first. Checked bit for bit on a sample; on any difference GEOS
    buffers them all.
    """
    n = len(geoms)
    if n < _TEMPLATE_FROM or not _all_boxes(geoms):
        return np.asarray(shapely.buffer(geoms, tolerance_m, quad_segs=_QUAD_SEGS))
    bounds = shapely.bounds(geoms)
    first = shapely.get_coordinates(shapely.buffer(geoms[0], tolerance_m, quad_segs=_QUAD_SEGS))
    high = first > (bounds[0, :2] + bounds[0, 2:]) / 2  # which corner each vertex turns round
    offset = first - np.where(high, bounds[0, 2:], bounds[0, :2])
    k = len(first)
    coords = np.empty((n, k, 2))
    for axis in (0, 1):
        coords[:, :, axis] = (
            np.where(high[None, :, axis], bounds[:, None, 2 + axis], bounds[:, None, axis])
            + offset[None, :, axis]
        )
    sample = np.unique(np.linspace(0, n - 1, 16).astype(np.int64))
    for i in sample:
        own = shapely.get_coordinates(shapely.buffer(geoms[i], tolerance_m, quad_segs=_QUAD_SEGS))
        if own.shape != coords[i].shape or not np.array_equal(own, coords[i]):
            return np.asarray(shapely.buffer(geoms, tolerance_m, quad_segs=_QUAD_SEGS))
    offsets = (np.arange(0, n * k + 1, k), np.arange(n + 1))
    return np.asarray(
        shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords.reshape(-1, 2), offsets)
    )


_TEMPLATE_FROM = 1000  # below this many rectangles GEOS is as quick


def _all_boxes(geoms: np.ndarray) -> bool:
    """Whether every geometry is an axis-aligned rectangle of positive size (no hole)."""
    if not (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON).all():
        return False
    if not (shapely.get_num_coordinates(geoms) == 5).all():
        return False
    if not (shapely.get_num_interior_rings(geoms) == 0).all():
        return False
    bounds = shapely.bounds(geoms)
    if not (bounds[:, 2:] > bounds[:, :2]).all():
        return False
    xy = shapely.get_coordinates(geoms).reshape(len(geoms), 5, 2)
    lo, hi = bounds[:, None, :2], bounds[:, None, 2:]
    return bool(((xy == lo) | (xy == hi)).all())


def _cut(p_cut: np.ndarray, e_cut: np.ndarray, lines: np.ndarray, zone: np.ndarray) -> pd.DataFrame:
    """Cut edges by zones with GEOS: every piece inside, as offsets along the edge.

    Many cuts run in a few threads (GEOS releases the interpreter's lock).
    """
    pieces = _intersections(lines[e_cut], zone[p_cut])
    parts, owner = shapely.get_parts(pieces, return_index=True)
    kind = shapely.get_type_id(parts)
    keep = kind <= 1  # points and lines (an edge touching the zone)
    parts, owner, kind = parts[keep], owner[keep], kind[keep]
    point = kind == 0
    start = np.where(point, parts, shapely.get_point(parts, 0))
    end = np.where(point, parts, shapely.get_point(parts, -1))
    edge_of = e_cut[owner]
    a = shapely.line_locate_point(lines[edge_of], start)
    b = shapely.line_locate_point(lines[edge_of], end)
    return pd.DataFrame(
        {"park": p_cut[owner], "edge": edge_of, "lo": np.minimum(a, b), "hi": np.maximum(a, b)}
    )


_THREADED_FROM = 20_000  # cuts; below this a thread costs more than it saves


def _intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return ``shapely.intersection(a, b)``, in up to four threads when there are many."""
    workers = min(4, os.cpu_count() or 1)
    if len(a) < _THREADED_FROM or workers < 2:
        return np.asarray(shapely.intersection(a, b))
    bounds = np.linspace(0, len(a), workers + 1).astype(np.int64)
    blocks = [slice(lo, hi) for lo, hi in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda s: shapely.intersection(a[s], b[s]), blocks))
    return np.concatenate(parts)


def park_entrances(
    parks: gpd.GeoDataFrame,
    walk_edges: gpd.GeoDataFrame,
    *,
    features: gpd.GeoDataFrame | None = None,
    rules: AccessRules | None = None,
) -> gpd.GeoDataFrame:
    """Return every park's entrances on the walk network (see the module docstring).

    Parameters
    ----------
    parks
        ``park_id`` and polygons, any declared CRS (a ``barrier`` column is read).
    walk_edges
        ``u``, ``v`` and lines, in the order of the walk graph's edges.
    features
        Raw OSM features with ``barrier``/``entrance`` tags (columns or a ``tags``
        column): gates and entrances (points) and fences and walls (lines).
    rules
        The entrance tolerance and fallback distance (default :class:`AccessRules`).

    Returns
    -------
    geopandas.GeoDataFrame
        The ``park_access`` schema, WGS84.
    """
    if parks.empty or walk_edges.empty:
        return _empty()
    crs = metric_crs_for(parks)
    edges = _edges_metric(walk_edges, crs)
    table = entrance_rows(parks, edges, features=features, rules=rules, crs=crs)
    if table.empty:
        return _empty()
    mid = shapely.line_interpolate_point(
        edges.geometry.to_numpy()[table["edge_index"].to_numpy(np.int64)],
        (table["offset_m"].to_numpy(float) + table["end_offset_m"].to_numpy(float)) / 2,
    )
    return gpd.GeoDataFrame(table, geometry=mid, crs=crs).to_crs(DISPLAY_CRS)


def entrance_rows(
    parks: gpd.GeoDataFrame,
    walk_edges: gpd.GeoDataFrame,
    *,
    features: gpd.GeoDataFrame | None = None,
    rules: AccessRules | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """Return :func:`park_entrances` without the points: the ``park_access`` columns only.

    The walk engine needs only the offsets; this spares placing a point per
    entrance and projecting it. ``crs`` is the metric CRS to measure in (default:
    :func:`geo.crs.metric_crs_for` the parks).
    """
    rules = rules or AccessRules()
    if parks.empty or walk_edges.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ACCESS_COLUMNS})
    crs = crs or metric_crs_for(parks)
    parks_m = parks[["park_id", "geometry"]].to_crs(crs).reset_index(drop=True)
    geoms = shapely.make_valid(parks_m.geometry.to_numpy())
    park_ids = parks_m["park_id"].to_numpy(object)
    edges = _edges_metric(walk_edges, crs)
    lines = edges.geometry.to_numpy()
    tree = shapely.STRtree(lines)
    tol = rules.entrance_tolerance_m
    rows: list[pd.DataFrame] = []

    # Gates within the tolerance of a park's boundary, placed on their nearest edge.
    gates = _gate_points(features, crs).to_numpy()
    gated = np.zeros(len(parks_m), dtype=bool)
    if len(gates):
        g_park, g_idx = shapely.STRtree(gates).query(
            shapely.boundary(geoms), predicate="dwithin", distance=tol
        )
        if len(g_park):
            hits, gaps = tree.query_nearest(
                gates[g_idx], max_distance=tol, return_distance=True, all_matches=False
            )
            on_edge = hits[0]
            edge_of = hits[1]
            offset = shapely.line_locate_point(lines[edge_of], gates[g_idx][on_edge])
            rows.append(
                pd.DataFrame(
                    {
                        "park": g_park[on_edge],
                        "edge": edge_of,
                        "lo": offset,
                        "hi": offset,
                        "gap": gaps,
                        "method": "gate",
                    }
                )
            )
            gated[g_park[on_edge]] = True

    fenced = fenced_parks(parks.reset_index(drop=True), features).to_numpy()
    open_parks = np.flatnonzero(~(fenced & gated))
    stretches = _stretches(park_ids[open_parks], geoms[open_parks], edges, tol)
    if not stretches.empty:
        stretches["park"] = open_parks[stretches["park"].to_numpy(np.int64)]
        rows.append(stretches.assign(gap=0.0, method="edge"))

    reached = np.zeros(len(parks_m), dtype=bool)
    for frame in rows:
        reached[frame["park"].to_numpy(np.int64)] = True
    lonely = np.flatnonzero(~reached)
    if len(lonely) and rules.fallback_m > 0:
        hits, gaps = tree.query_nearest(
            geoms[lonely], max_distance=rules.fallback_m, return_distance=True, all_matches=False
        )
        if len(hits[0]):
            park_of, edge_of = lonely[hits[0]], hits[1]
            on_edge = shapely.get_point(shapely.shortest_line(lines[edge_of], geoms[park_of]), 0)
            offset = shapely.line_locate_point(lines[edge_of], on_edge)
            rows.append(
                pd.DataFrame(
                    {
                        "park": park_of,
                        "edge": edge_of,
                        "lo": offset,
                        "hi": offset,
                        "gap": gaps,
                        "method": "nearest",
                    }
                )
            )
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ACCESS_COLUMNS})
    table = pd.concat(rows, ignore_index=True)
    edge = table["edge"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "park_id": park_ids[table["park"].to_numpy(np.int64)],
            "edge_index": edge,
            "edge_u": edges["u"].to_numpy(np.int64)[edge],
            "edge_v": edges["v"].to_numpy(np.int64)[edge],
            "offset_m": table["lo"].to_numpy(float).round(3),
            "end_offset_m": table["hi"].to_numpy(float).round(3),
            "gap_m": table["gap"].to_numpy(float).round(3),
            "method": table["method"].to_numpy(object),
        }
    )


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ACCESS_COLUMNS},
        geometry=gpd.GeoSeries([], crs=DISPLAY_CRS),
    )
