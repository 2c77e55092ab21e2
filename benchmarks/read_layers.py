"""Benchmark reading a planner's large layer: a zipped GBK Shapefile and the same as GeoJSON.

``python benchmarks/read_layers.py [N] [--repeat R]`` builds, in a temporary directory,
N park polygons (default 20,000; 24-vertex irregular rings spread over Kunshan) in
EPSG:4549 with GBK Chinese names and no ``.cpg`` (so the encoding is detected), zips
them inside a folder with a Chinese name, writes the same parks as WGS84 GeoJSON, and
prints the median wall time of :func:`geo.files.reading.inspect_file` and
:func:`geo.files.reading.read_layer` (bytes in memory → a WGS84 GeoDataFrame with the
location check: what the upload preview needs) for each. Goal: the read ≤ 5 s.
``--smoke``: 500 parks, one run each, and a check that every figure was produced.
"""

from __future__ import annotations

import io
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from benchmarks._smoke import figure, run  # noqa: E402
from geo.boundaries import load_outline  # noqa: E402
from geo.files.reading import inspect_file, read_layer  # noqa: E402

_WORDS = ("亭林", "森林", "玉山", "阳澄湖", "淀山湖", "周庄", "千灯", "锦溪", "巴城", "花桥")
_KINDS = ("综合公园", "社区公园", "游园", "专类公园")
GOAL_S = 5.0


def park_layer(n: int, *, seed: int = 20261201) -> gpd.GeoDataFrame:
    """Return ``n`` irregular park polygons (~0.5-4 ha) over Kunshan, in EPSG:4549."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = load_outline().to_crs(4549).total_bounds
    cx, cy = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radius = rng.uniform(40, 110, (n, 1)) * rng.uniform(0.7, 1.3, (n, 24))
    xs, ys = cx[:, None] + radius * np.cos(angles), cy[:, None] + radius * np.sin(angles)
    rings = np.stack([xs, ys], axis=-1)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    polygons = shapely.polygons(rings)
    names = [f"{_WORDS[i % len(_WORDS)]}{_KINDS[i % len(_KINDS)]}{i:05d}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "park_id": [f"KS{i:06d}" for i in range(n)],
            "name": names,
            "kind": [_KINDS[i % len(_KINDS)] for i in range(n)],
            "area_ha": shapely.area(polygons) / 1e4,
        },
        geometry=polygons,
        crs="EPSG:4549",
    )


def shapefile_zip(gdf: gpd.GeoDataFrame, where: Path) -> bytes:
    """Write ``gdf`` as a GBK Shapefile without .cpg and zip it in a Chinese-named folder."""
    gdf.to_file(where / "parks.shp", encoding="gbk")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(where / f"parks{suffix}", f"公园数据/昆山公园{suffix}")
    return buffer.getvalue()


def _median_time(call, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str], *, smoke: bool) -> int:
    n = int(argv[0]) if argv and not argv[0].startswith("-") else (500 if smoke else 20_000)
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else (1 if smoke else 3)
    with tempfile.TemporaryDirectory() as name:
        where = Path(name)
        start = time.perf_counter()
        parks = park_layer(n)
        zipped = shapefile_zip(parks, where)
        parks.to_crs(4326).to_file(where / "parks.geojson", driver="GeoJSON")
        geojson = (where / "parks.geojson").read_bytes()
        print(f"built {n:,} parks in {time.perf_counter() - start:.1f} s")
    print(f"{'file':<34} {'size':>9} {'inspect_file':>13} {'read_layer':>11}")
    for label, content, filename in (
        ("zipped Shapefile (EPSG:4549, GBK)", zipped, "昆山公园.zip"),
        ("GeoJSON (WGS84)", geojson, "parks.geojson"),
    ):
        t_info, info = _median_time(lambda c=content, f=filename: inspect_file(c, f), repeat)
        t_read, result = _median_time(lambda c=content, f=filename: read_layer(c, f), repeat)
        figure(f"{label}: inspect_file s", t_info)
        figure(f"{label}: read_layer s", t_read)
        figure(f"{label}: features", info.n_features)
        print(f"{label:<34} {len(content) / 1e6:>7.1f} MB {t_info:>11.3f} s {t_read:>9.3f} s")
        print(
            f"    {info.n_features:,} features, encoding {info.encoding}, read from "
            f"{result.crs_used} ({result.crs_source}) to {result.gdf.crs.to_string()}, in "
            f"Kunshan {result.location.in_kunshan}, first name {result.gdf['name'].iloc[0]}"
        )
        verdict = "met" if t_read <= GOAL_S else "NOT met"
        print(f"    goal read <= {GOAL_S:.0f} s: {verdict}")
    peak = figure("peak MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(f"peak resident memory {peak:.0f} MB (median of {repeat} runs each)")
    return 0


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
