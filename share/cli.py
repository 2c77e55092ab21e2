"""``python -m share``: make, list, export and delete snapshots from the command line.

::

    python -m share create --page clusters|corridors|parks [--set KEY=VALUE ...] --title T
                           [--note N] [--author A] [--json]
    python -m share list [--search TEXT] [--json]
    python -m share export ID --format pdf|png|html|gpkg|csv [--size a4|a3] --out FILE
    python -m share atlas --page PAGE --by cluster|unit [--set KEY=VALUE ...] [--title T]
                          [--size a4|a3] --out FILE.pdf
    python -m share thumbnail ID
    python -m share delete ID [--token TOKEN]

``--set`` takes the page's choices (``standard=garden_city method=buffer
cluster=east``; the choices' own field names work too) and ``dataset=bundled|osm``,
``layers=kind:hash,…`` (stored uploads), ``lang=zh|en``, ``basemap=…``.
``create --json`` prints ``{"id", "url", "delete_token"}`` as its last line;
``list --json`` a JSON list of ``{"id", "title", "page", "created_at", …}``. On
the server's command line ``delete`` needs no token (the administrator's right).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.cli import CommandLineParser, run_command
from geo.errors import PlanningMapError
from share.model import Snapshot
from views.choices import PAGES

__all__ = ["main"]

_ALIASES = {
    "standard": "standard_id",
    "tier": "tier_id",
    "cluster": "cluster_id",
    "radius": "radius_m",
    "station": "station_id",
    "cell": "cell_m",
    "grid": "cell_m",
    "entrances": "show_entrances",
}
_HASH = re.compile(r"^[0-9a-f]{64}$")


def _value(raw: str) -> Any:
    if raw.lower() in {"true", "false"}:
        return raw.lower() == "true"
    if raw.lower() in {"none", "null", "any", ""}:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw


def _parse_sets(items: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``KEY=VALUE`` items into the page's choices and the session's settings."""
    choices: dict[str, Any] = {}
    session: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            msg = f"--set 需要 KEY=VALUE，收到 {item!r}。 / --set takes KEY=VALUE, got {item!r}."
            raise PlanningMapError(msg)
        if key in {"dataset", "layers", "lang", "basemap"}:
            session[key] = raw.strip()
        else:
            choices[_ALIASES.get(key, key)] = _value(raw.strip())
    return choices, session


def _layer_refs(text: str) -> dict[str, str]:
    """Return ``kind:hash,…`` as a dict, checking each hash is a SHA-256."""
    layers: dict[str, str] = {}
    for item in filter(None, text.split(",")):
        kind, _, content = item.partition(":")
        if not _HASH.match(content):
            msg = f"图层引用无效：{item!r}。 / Not a layer reference: {item!r} (kind:sha256)."
            raise PlanningMapError(msg)
        layers[kind] = content
    return layers


def _saved_view(args: argparse.Namespace) -> tuple[Snapshot, Any]:
    """Save a snapshot of ``args.page`` with ``args.set``; return it and its saved record."""
    from share.capture import capture, choices_from  # noqa: PLC0415
    from share.model import MapView  # noqa: PLC0415
    from share.store import open_store  # noqa: PLC0415
    from views.compose import DataChoice, dataset_for  # noqa: PLC0415

    values, settings = _parse_sets(args.set or [])
    layers = _layer_refs(str(settings.get("layers", "")))
    if args.page == "parks" and values.get("scenario"):
        layers["planned_parks"] = str(values["scenario"])
    data = DataChoice.of(str(settings.get("dataset", "bundled")), layers)
    lang = "en" if str(settings.get("lang", "zh")) == "en" else "zh"
    choices = choices_from(dataset_for(data), args.page, values)
    snap = capture(
        data,
        args.page,
        choices,
        title=args.title,
        note=getattr(args, "note", None) or "",
        author=getattr(args, "author", None) or "",
        lang=lang,
        view=MapView(basemap=str(settings.get("basemap", "osm"))),
    )
    return snap, open_store().save(snap)


def _atlas(args: argparse.Namespace) -> int:
    from share import sheets  # noqa: PLC0415

    if not args.title:
        args.title = f"{args.page} atlas by {args.by}"
    snap, saved = _saved_view(args)
    out = Path(args.out)
    out.write_bytes(sheets.atlas(snap, by=args.by, size=args.size))
    print(f"wrote {out} ({out.stat().st_size:,} bytes); snapshot {saved.snapshot_id}")
    return 0


def _create(args: argparse.Namespace) -> int:
    from share.capture import permalink  # noqa: PLC0415

    _, saved = _saved_view(args)
    url = permalink(saved.snapshot_id, args.page)
    if args.json:
        print(json.dumps({"id": saved.snapshot_id, "url": url, "delete_token": saved.delete_token}))
    else:
        print(f"saved {saved.snapshot_id}\n{url}\ndelete token (shown once): {saved.delete_token}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from share.store import open_store  # noqa: PLC0415

    rows = open_store().list(search=args.search or "")
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r.snapshot_id}  {r.created_at}  {r.page:<9}  {r.title}  {r.author}")
    return 0


def _restored(snapshot_id: str) -> Snapshot:
    """Return the snapshot (its exports compose its own layers and choices)."""
    from share.store import open_store  # noqa: PLC0415

    return open_store().get(snapshot_id)


def _export(args: argparse.Namespace) -> int:
    from share import exports  # noqa: PLC0415

    snap = _restored(args.id)
    out = Path(args.out)
    if args.format in {"pdf", "png"}:
        from share import sheets  # noqa: PLC0415

        out.write_bytes(sheets.snapshot_sheet(snap, kind=args.format, size=args.size))
    elif args.format == "csv":
        out.write_bytes(exports.figures_csv(snap))
    elif args.format == "gpkg":
        out.write_bytes(exports.visible_gpkg(snap))
    else:
        out.write_text(exports.offline_html(snap), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


def _thumbnail(args: argparse.Namespace) -> int:
    from share import sheets  # noqa: PLC0415
    from share.store import open_store  # noqa: PLC0415

    snap = _restored(args.id)
    if not sheets.CHROMIUM.exists():
        print(f"no {sheets.CHROMIUM}: no thumbnail", file=sys.stderr)
        return 0
    digest = open_store().put_artefact(
        snap.snapshot_id, "thumbnail.png", sheets.snapshot_thumbnail(snap)
    )
    print(f"thumbnail {digest}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from share.store import open_store  # noqa: PLC0415

    open_store().delete(args.id, args.token, admin=args.token is None)
    print(f"deleted {args.id}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(prog="python -m share", description=__doc__.split("::")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="save a snapshot of a page")
    create.add_argument("--page", required=True, choices=PAGES)
    create.add_argument("--set", action="append", nargs="+", default=None, metavar="KEY=VALUE")
    create.add_argument("--title", required=True)
    create.add_argument("--note")
    create.add_argument("--author")
    create.add_argument("--json", action="store_true")
    listing = sub.add_parser("list", help="list snapshots, newest first")
    listing.add_argument("--search")
    listing.add_argument("--json", action="store_true")
    export = sub.add_parser("export", help="write a snapshot's download")
    export.add_argument("id")
    export.add_argument("--format", required=True, choices=("pdf", "png", "html", "gpkg", "csv"))
    export.add_argument("--size", choices=("a4", "a3"), default="a4")
    export.add_argument("--out", required=True)
    atlas = sub.add_parser("atlas", help="one map sheet per cluster or unit, in one PDF")
    atlas.add_argument("--page", required=True, choices=PAGES)
    atlas.add_argument("--by", required=True, choices=("cluster", "unit"))
    atlas.add_argument("--set", action="append", nargs="+", default=None, metavar="KEY=VALUE")
    atlas.add_argument("--title")
    atlas.add_argument("--size", choices=("a4", "a3"), default="a4")
    atlas.add_argument("--out", required=True)
    thumb = sub.add_parser("thumbnail", help="render the snapshot's thumbnail for the list")
    thumb.add_argument("id")
    delete = sub.add_parser("delete", help="delete a snapshot")
    delete.add_argument("id")
    delete.add_argument("--token", help="the delete token (none: as the administrator)")
    return parser


# Options that take a value, and those that do not: anything else starting with "-"
# is a snapshot id or a token (ids saved before ids stopped starting with "-").
_VALUED = frozenset(
    {"--page", "--set", "--title", "--note", "--author", "--search", "--format", "--size"}
    | {"--out", "--by", "--token"}
)
_FLAGS = frozenset({"-h", "--help", "--json"})
_ID_LIKE = re.compile(r"^-[A-Za-z0-9_-]+$")


def _dash_values(argv: Sequence[str]) -> list[str]:
    """Return ``argv`` with ids and tokens that start with "-" where argparse takes them.

    ``--token -abc`` becomes ``--token=-abc``; an id ``-abc`` moves after ``--``.
    """
    out: list[str] = []
    ids: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            ids.extend(argv[i + 1 :])
            break
        if out and out[-1] in _VALUED and arg.startswith("-") and arg not in _VALUED | _FLAGS:
            out[-1] = f"{out[-1]}={arg}"
        elif arg.split("=", 1)[0] not in _VALUED | _FLAGS and _ID_LIKE.match(arg):
            ids.append(arg)
        else:
            out.append(arg)
    return [*out, "--", *ids] if ids else out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit status (2: bad input, with a message)."""
    return run_command(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(_dash_values(sys.argv[1:] if argv is None else argv))
    if getattr(args, "set", None):
        args.set = [item for group in args.set for item in group]
    commands = {
        "create": _create,
        "list": _list,
        "export": _export,
        "atlas": _atlas,
        "thumbnail": _thumbnail,
        "delete": _delete,
    }
    return commands[args.command](args)
