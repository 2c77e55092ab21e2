"""Set the server's layers from the command line (the same reading path as the browser).

Usage::

    python -m geo.layers add KIND FILE [--crs CRS] [--encoding ENC] [--layer NAME]
                                       [--map FIELD=COLUMN ...] [--by NAME] [--force]
    python -m geo.layers list
    python -m geo.layers remove KIND
    python -m geo.layers export KIND --out FILE.geojson

``add`` reads FILE (GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV/XLSX with
coordinate columns), fits it to the schema of KIND (parks, stations, units,
population, residential, plan_lines, …), keeps it in the layer store and makes it the
server's layer of that kind (the previous one stays stored). CRS is ``wgs84``,
``cgcs2000``, ``cgcs2000_gk120``, ``cgcs2000_gk40``, ``gcj02``, ``bd09`` or
``EPSG:n``. A file without a declared CRS is refused unless ``--crs`` is given (the
message names the likely ones); a file with several layers is refused unless
``--layer`` is given; a layer that lands outside Kunshan is refused (with the CRS that
would put it in place) unless ``--force``. ``remove`` takes the server's layer of KIND
back to OpenStreetMap/bundled (the file stays stored). ``export`` writes the active
layer of KIND in WGS84. The store is ``$KUNSHAN_DATA_DIR`` (default ``data/local``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli import CommandLineParser, run_command
from geo.errors import UploadError
from geo.files.reading import ReadOptions, inspect_file, read_layer
from geo.files.schema import apply_mapping, guess_mapping
from geo.paths import OSM_CACHE, data_dir
from geo.store.active import load_layer, server_dataset
from geo.store.dataset import FILE_KINDS, layer_kind
from geo.store.local import server_layers, set_server_layer, store_layer, stored_layers

__all__ = ["add_layer", "main"]


def _osm_cache() -> Path | None:
    import os  # noqa: PLC0415 - read when run, not at import

    path = Path(os.environ.get("KUNSHAN_OSM_CACHE") or OSM_CACHE)
    return path if path.is_file() else None


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            msg = f"--map 需要 字段=列名，收到 {pair!r}。 / --map takes FIELD=COLUMN, got {pair!r}."
            raise UploadError(msg)
        out[field.strip()] = column.strip()
    return out


def add_layer(
    kind: str,
    path: Path,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    mapping: dict[str, str] | None = None,
    added_by: str = "",
    force: bool = False,
    root: Path | None = None,
) -> str:
    """Read ``path`` as the layer ``kind``, store it, make it the server's; return a summary.

    Raises
    ------
    UploadError
        If the file cannot be used as it is (see the module docstring for the rules).
    """
    layer_kind(kind)
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        msg = f"无法读取文件 {path}。 / Cannot read {path}: {exc.strerror}."
        raise UploadError(msg) from exc
    info = inspect_file(content, Path(path).name)
    if len(info.layers) > 1 and layer is None:
        names = ", ".join(info.layers)
        msg = (
            f"文件有多个图层（{names}），请用 --layer 选择。 / The file has several layers "
            f"({names}): choose one with --layer."
        )
        raise UploadError(msg)
    if info.declared_crs is None and crs is None:
        likely = ", ".join(c.crs for c in info.crs_candidates[:3])
        msg = (
            f"文件未声明坐标系，请用 --crs 指定（可能是：{likely}）。 / The file declares no "
            f"coordinate system: give one with --crs (likely: {likely})."
        )
        raise UploadError(msg)
    result = read_layer(
        content,
        Path(path).name,
        ReadOptions(crs=crs, encoding=encoding, layer=layer),
        points_and_polygons=layer_kind(kind).mixes_points_and_polygons,
    )
    if not result.location.in_kunshan and not force:
        msg = f"{result.location.message} (--force to add it anyway)"
        raise UploadError(msg)
    fields = {**guess_mapping(kind, list(result.gdf.columns)), **(mapping or {})}
    fitted = apply_mapping(result.gdf, kind, fields, id_prefix=f"upload:{Path(path).stem}")
    record = store_layer(
        fitted,
        kind=kind,
        original=content,
        file_name=Path(path).name,
        added_by=added_by,
        crs=result.crs_used,
        encoding=result.encoding_used or "",
        notes=tuple(result.notes),
        root=root,
    )
    set_server_layer(kind, record.content_hash, root=root)
    mapped = ", ".join(f"{k}={v}" for k, v in fields.items()) or "—"
    notes = "".join(f"\n  · {n}" for n in result.notes)
    return (
        f"{kind}: {record.n_features} features from {record.file_name} "
        f"(CRS {record.crs}, encoding {record.encoding or '—'}; columns {mapped}) "
        f"-> {record.content_hash[:12]}{notes}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(prog="python -m geo.layers", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="read a file and make it the server's layer of KIND")
    add.add_argument("kind", choices=list(FILE_KINDS))
    add.add_argument("file", type=Path)
    add.add_argument("--crs")
    add.add_argument("--encoding")
    add.add_argument("--layer")
    add.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    add.add_argument("--by", default="", help="who adds it (recorded)")
    add.add_argument("--force", action="store_true", help="add a layer outside Kunshan")
    sub.add_parser("list", help="the server's layers and what is stored")
    remove = sub.add_parser("remove", help="take the server's layer of KIND back")
    remove.add_argument("kind", choices=list(FILE_KINDS))
    export = sub.add_parser("export", help="write the active layer of KIND in WGS84")
    export.add_argument("kind", choices=list(FILE_KINDS))
    export.add_argument("--out", type=Path, required=True)
    return parser


def _list() -> str:
    active = server_layers()
    dataset = server_dataset(_osm_cache())
    lines = [f"store: {data_dir()}", "active layers:"]
    for kind in dataset.kinds():
        source = dataset.source(kind)
        assert source is not None
        lines.append(
            f"  {kind:<15} {source.origin:<8} {source.label}  ({source.n_features} features, "
            f"{source.content_hash[:12]})"
        )
    others = [r for r in stored_layers() if active.get(r.kind) != r.content_hash]
    if others:
        lines.append("stored, not active:")
        lines += [
            f"  {r.kind:<15} {r.file_name}  {r.added_at} {r.added_by}  ({r.content_hash[:12]})"
            for r in others
        ]
    lines.append(f"data set version: {dataset.version[:16]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the exit code (2 with a one-line message on bad input)."""
    return run_command(lambda: _run(argv))


def _run(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "add":
        print(
            add_layer(
                args.kind,
                args.file,
                crs=args.crs,
                encoding=args.encoding,
                layer=args.layer,
                mapping=_mapping(args.map),
                added_by=args.by,
                force=args.force,
            )
        )
    elif args.command == "list":
        print(_list())
    elif args.command == "remove":
        set_server_layer(args.kind, None)
        print(f"{args.kind}: back to OpenStreetMap / bundled (the file stays stored)")
    else:
        dataset = server_dataset(_osm_cache())
        gdf = load_layer(dataset, args.kind, osm_cache=_osm_cache())
        gdf.to_crs(4326).to_file(args.out, driver="GeoJSON")
        print(f"{args.kind}: {len(gdf)} features -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
