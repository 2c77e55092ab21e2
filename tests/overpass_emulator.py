"""A local stand-in for the Overpass API, answering from a real .osm.pbf extract.

It understands the subset of Overpass QL that osmnx sends: ``node``/``way``/
``relation`` statements with tag filters (``[k]``, ``[k=v]``, ``[k~re]``,
``[k!~re]``, ``[k!=v]``) inside ``(poly:"lat lon ...")``, recursion down to
members (``>`` and ``(._;>;)``) and ``out;``. Elements are read with pyosmium.
It serves ``/api/status`` and ``/api/interpreter`` on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np
import osmium
import shapely

_STATEMENT = re.compile(r"(node|way|relation)((?:\[[^\]]*\])*)\(poly:['\"]([^'\"]*)['\"]\)")
_FILTER = re.compile(r"\[([^\]]*)\]")
_CLAUSE = re.compile(r"""^(["'])(.+?)\1(?:(!=|=|!~|~)(["'])(.*)\4)?$""")
_MEMBER_TYPES = {"n": "node", "w": "way", "r": "relation"}
_STATUS = (
    "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, "
    "time limit, start time):\n"
)


class OSMStore:
    """Every node, way and relation of an extract, with tags."""

    def __init__(self, pbf: Path) -> None:
        self.nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
        self.ways: dict[int, tuple[list[int], dict[str, str]]] = {}
        self.relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]] = {}
        store = self

        class _Reader(osmium.SimpleHandler):
            def node(self, n: Any) -> None:
                store.nodes[n.id] = (n.location.lat, n.location.lon, dict(n.tags))

            def way(self, w: Any) -> None:
                store.ways[w.id] = ([nd.ref for nd in w.nodes], dict(w.tags))

            def relation(self, r: Any) -> None:
                members = [(_MEMBER_TYPES[m.type], m.ref, m.role) for m in r.members]
                store.relations[r.id] = (members, dict(r.tags))

        _Reader().apply_file(str(pbf))
        # An extract is clipped: drop references to nodes it does not hold (Overpass
        # never answers with dangling references) and remember which ways were cut.
        self.cut_ways: set[int] = set()
        for way_id, (refs, tags) in list(self.ways.items()):
            kept = [ref for ref in refs if ref in self.nodes]
            if len(kept) < len(refs):
                self.cut_ways.add(way_id)
            if len(kept) < 2:
                del self.ways[way_id]
            else:
                self.ways[way_id] = (kept, tags)
        self._node_ids = np.fromiter(self.nodes, dtype=np.int64)
        coords = np.array([(lon, lat) for lat, lon, _ in self.nodes.values()])
        self._lon, self._lat = coords[:, 0], coords[:, 1]

    def nodes_inside(self, polygon: shapely.Geometry) -> set[int]:
        """Return the ids of the nodes inside ``polygon``."""
        inside = shapely.contains_xy(polygon, self._lon, self._lat)
        return set(self._node_ids[inside].tolist())


def _matches(tags: dict[str, str], clauses: list[tuple[str, str | None, str | None]]) -> bool:
    for key, op, value in clauses:
        present = key in tags
        if op is None:
            ok = present
        elif op == "=":
            ok = present and tags[key] == value
        elif op == "!=":
            ok = not present or tags[key] != value
        elif op == "~":
            ok = present and re.search(value or "", tags[key]) is not None
        else:  # "!~": absent, or present and not matching
            ok = not present or re.search(value or "", tags[key]) is None
        if not ok:
            return False
    return True


def _parse_clauses(filters: str) -> list[tuple[str, str | None, str | None]]:
    clauses = []
    for raw in _FILTER.findall(filters):
        match = _CLAUSE.match(raw.strip())
        if match is None:
            msg = f"unsupported filter [{raw}]"
            raise ValueError(msg)
        clauses.append((match.group(2), match.group(3), match.group(5)))
    return clauses


def _polygon(coords: str) -> shapely.Geometry:
    values = [float(v) for v in coords.split()]
    return shapely.Polygon(list(zip(values[1::2], values[0::2], strict=True)))


def _elements(
    store: OSMStore, nodes: set[int], ways: set[int], relations: set[int]
) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for n in sorted(nodes):
        lat, lon, tags = store.nodes[n]
        element: dict[str, Any] = {"type": "node", "id": n, "lat": lat, "lon": lon}
        if tags:
            element["tags"] = tags
        elements.append(element)
    for w in sorted(ways):
        refs, tags = store.ways[w]
        elements.append({"type": "way", "id": w, "nodes": refs, "tags": tags})
    for r in sorted(relations):
        members, tags = store.relations[r]
        elements.append(
            {
                "type": "relation",
                "id": r,
                "members": [{"type": t, "ref": ref, "role": role} for t, ref, role in members],
                "tags": tags,
            }
        )
    return elements


def answer(store: OSMStore, query: str) -> dict[str, Any]:  # noqa: PLR0912
    """Return the Overpass JSON answer to ``query`` from ``store``."""
    nodes: set[int] = set()
    ways: set[int] = set()
    relations: set[int] = set()
    inside_cache: dict[str, set[int]] = {}
    for kind, filters, coords in _STATEMENT.findall(query):
        clauses = _parse_clauses(filters)
        if coords not in inside_cache:
            inside_cache[coords] = store.nodes_inside(_polygon(coords))
        inside = inside_cache[coords]
        if kind == "node":
            nodes |= {n for n in inside if _matches(store.nodes[n][2], clauses)}
        elif kind == "way":
            ways |= {
                w
                for w, (refs, tags) in store.ways.items()
                if _matches(tags, clauses) and not inside.isdisjoint(refs)
            }
        else:
            for r, (members, tags) in store.relations.items():
                if not _matches(tags, clauses):
                    continue
                member_nodes = {ref for t, ref, _ in members if t == "node"}
                member_nodes |= {
                    n
                    for t, ref, _ in members
                    if t == "way" and ref in store.ways
                    for n in store.ways[ref][0]
                }
                if not inside.isdisjoint(member_nodes):
                    relations.add(r)
    # Recurse down (">"): relations' member ways and nodes, ways' nodes.
    for r in relations:
        for t, ref, _ in store.relations[r][0]:
            if t == "way" and ref in store.ways:
                ways.add(ref)
            elif t == "node" and ref in store.nodes:
                nodes.add(ref)
    for w in ways:
        nodes.update(ref for ref in store.ways[w][0] if ref in store.nodes)
    elements = _elements(store, nodes, ways, relations)
    return {"version": 0.6, "generator": "overpass-emulator (tests)", "elements": elements}


@contextmanager
def overpass_server(
    pbf: Path, *, cut_after_bytes: int | None = None, fail_with: int | str | None = None
) -> Iterator[str]:
    """Serve ``pbf`` as an Overpass API on 127.0.0.1; yield the base URL (…/api).

    With ``cut_after_bytes`` every answer announces its full length but the
    connection drops after that many bytes: a download cut off half-way. With
    ``fail_with`` every query is answered by that HTTP status (429, 504) or, for
    ``"html"``, by a 200 HTML error page instead of JSON (as a proxy might).
    """
    store = OSMStore(pbf)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.startswith("/api/status"):
                self._send(_STATUS.encode(), "text/plain")
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            query = form.get("data", [""])[0]
            if isinstance(fail_with, int):
                self.send_error(fail_with)
                return
            if fail_with == "html":
                self._send(b"<html><body><h1>Gateway error</h1></body></html>", "text/html")
                return
            body = json.dumps(answer(store, query)).encode()
            if cut_after_bytes is None:
                self._send(body, "application/json")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + cut_after_bytes + 1))
            self.end_headers()
            self.wfile.write(body[:cut_after_bytes])
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
