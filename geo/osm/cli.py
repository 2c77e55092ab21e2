"""``python -m geo.osm``: refresh from Overpass, import a ``.osm.pbf``, or show the cache.

Usage::

    python -m geo.osm refresh                 # Overpass via osmnx (needs internet)
    python -m geo.osm import FILE.osm.pbf     # a local extract via pyrosm (intranet)
    python -m geo.osm info                    # what the cache holds
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli import CommandLineParser, report_error, run_command
from geo.errors import PlanningMapError
from geo.osm.cache import ATTRIBUTION, DEFAULT_CACHE, read_cache_metadata
from geo.osm.extract import DEFAULT_BUFFER_M, import_pbf_to_cache, refresh_cache

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``refresh``, ``import`` or ``info`` command; return the exit code."""
    return run_command(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    code = _run(args)
    if getattr(args, "exit_file", None) is not None:
        Path(args.exit_file).write_text(str(code), encoding="utf-8")
    return code


def _parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(prog="python -m geo.osm", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="download from Overpass (needs internet)")
    imp = sub.add_parser("import", help="import a local .osm.pbf extract")
    imp.add_argument("pbf", type=Path)
    imp.add_argument("--no-clip", action="store_true", help="keep the whole extract")
    info = sub.add_parser("info", help="show what the cache holds")
    for command in (refresh, imp, info):
        command.add_argument("--out", type=Path, default=DEFAULT_CACHE, help="GeoPackage cache")
    for command in (refresh, imp):
        command.add_argument(
            "--exit-file", type=Path, help="write the exit code here when done (for the app)"
        )
    for command in (refresh, imp):
        command.add_argument("--buffer-m", type=float, default=DEFAULT_BUFFER_M)
    return parser


def _run(args: argparse.Namespace) -> int:
    def progress(line: str) -> None:
        print(f"  · {line}", flush=True)

    try:
        if args.command == "info":
            meta = read_cache_metadata(args.out)
            if not meta:
                print(f"no cache at {args.out}")
                return 1
            for key, value in meta.items():
                print(f"{key}: {value}")
            return 0
        if args.command == "refresh":
            print(f"OpenStreetMap refresh -> {args.out}", flush=True)
            refresh_cache(args.out, buffer_m=args.buffer_m, progress=progress)
        else:
            print(f"OpenStreetMap import {args.pbf} -> {args.out}", flush=True)
            buffer_m = None if args.no_clip else args.buffer_m
            import_pbf_to_cache(args.pbf, args.out, buffer_m=buffer_m, progress=progress)
    except PlanningMapError as exc:  # reported here: the exit file still gets its code
        return report_error(exc)
    print(f"done: {args.out} ({ATTRIBUTION})", flush=True)
    return 0
