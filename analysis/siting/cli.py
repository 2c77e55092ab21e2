"""``python -m analysis.siting``: suggest pocket-park sites from an OpenStreetMap cache."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis.distances import Method
from analysis.siting.problem import siting_problem
from analysis.siting.search import _check_k, exact_sites, greedy_sites, site_footprints
from geo.cli import CommandLineParser, run_command
from geo.errors import SitingError

__all__ = [
    "main",
]

_USAGE = """Suggest sites for new pocket parks (greedy maximum coverage, or exact with --exact).

python -m analysis.siting --osm-cache CACHE.gpkg [--area POLYGONS] [--standards FILE]
    --standard ID --tier ID --k N [--method walk|buffer] [--cell-m 100]
    [--demand land|residential] [--candidates FILE] [--exact] --out SITES.geojson [--json]

SITES.geojson holds the sites (squares of the tier's minimum area) with rank, gain
(demand added, m² of land or residential land) and covered_share_after; pass it
as it is to python -m analysis.reach --planned. --area defaults to the county
outline. --method defaults to walk when the cache has a walk network, else buffer.
With --json the last line printed is {"before", "after", "total_demand", "method", "gap"}.
The greedy total is at least 1 - 1/e (63.2 %) of the optimum.
"""


def _cli_parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="python -m analysis.siting",
        description=_USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--osm-cache", type=Path, required=True)
    parser.add_argument("--area", type=Path, help="polygons to site in (default: the county)")
    parser.add_argument("--standards", type=Path, default=None, help="standards JSON")
    parser.add_argument("--standard", required=True, help="standard id")
    parser.add_argument("--tier", required=True, help="tier id (the site's size and radius)")
    parser.add_argument("--k", type=int, required=True, help="number of sites")
    parser.add_argument("--method", choices=["walk", "buffer"], help="coverage by walk or buffer")
    parser.add_argument("--cell-m", type=float, default=100.0, help="grid cell in metres (100)")
    parser.add_argument("--demand", choices=["land", "residential"], default="land")
    parser.add_argument("--candidates", type=Path, help="polygons the sites must lie in")
    parser.add_argument("--exact", action="store_true", help="solve the MCLP exactly (CBC)")
    parser.add_argument("--time-limit-s", type=float, default=120.0, help="exact solver limit")
    parser.add_argument("--out", type=Path, required=True, help="GeoJSON to write")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the site-suggestion command; return the exit code (2 for bad arguments or inputs)."""
    return run_command(lambda: _main(argv), file_errors=True)


def _main(argv: list[str] | None) -> int:
    import json  # noqa: PLC0415 - the command line only

    from analysis.reach import area_origins, load_standard, open_cache, read_area  # noqa: PLC0415
    from geo.boundaries import load_outline  # noqa: PLC0415
    from geo.osm.entrances import load_access_rules  # noqa: PLC0415
    from geo.paths import STANDARDS_PATH  # noqa: PLC0415

    args = _cli_parser().parse_args(argv)
    if not (np.isfinite(args.cell_m) and args.cell_m > 0):
        msg = f"--cell-m 必须为正数。 / --cell-m must be positive, got {args.cell_m:g}."
        raise SitingError(msg)
    _check_k(args.k)
    if not args.out.parent.is_dir():
        msg = f"输出目录不存在。 / The output folder {args.out.parent} does not exist."
        raise SitingError(msg)
    standard = load_standard(args.standards or STANDARDS_PATH, args.standard)
    standard.tier(args.tier)
    area = read_area(args.area) if args.area is not None else load_outline()
    candidates = read_area(args.candidates) if args.candidates is not None else None
    cache = open_cache(args.osm_cache)
    method: Method = "buffer"
    if args.method == "walk" or (args.method is None and cache.graph is not None):
        if cache.graph is None:
            msg = "缓存中没有步行路网。 / The cache has no walk network: use --method buffer."
            raise SitingError(msg)
        method = "network"
    origins = area_origins(area, cache, cell_m=float(args.cell_m), demand=args.demand)
    from analysis.distances import park_reach, prepare_reach  # noqa: PLC0415

    prepared = prepare_reach(
        origins,
        cache.parks,
        graph=cache.graph if method == "network" else None,
        entrances=cache.entrances if method == "network" else None,
        rules=load_access_rules(),
    )
    reach = park_reach(prepared, standard)
    problem = siting_problem(
        prepared, reach, tier_id=args.tier, method=method, candidate_area=candidates
    )
    print(
        f"{len(origins):,} 格 / cells · {len(problem.candidates):,} 候选 / candidates · "
        f"{'步行 / walk' if method == 'network' else '缓冲区 / buffer'}",
        flush=True,
    )
    if args.exact:
        result = exact_sites(problem, args.k, time_limit_s=args.time_limit_s)
    else:
        result = greedy_sites(problem, args.k)
    site_footprints(problem, result).to_file(args.out, driver="GeoJSON")
    for site in result.sites:
        print(
            f"#{site.rank}: +{site.gain:,.0f} → {site.covered_share_after * 100:.2f} %",
            flush=True,
        )
    print(
        f"{result.method}: {result.before_share * 100:.2f} % → {result.after_share * 100:.2f} % "
        f"({result.seconds:.2f} s) -> {args.out}"
    )
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False))
    return 0
