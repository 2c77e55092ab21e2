"""Many planners at once: N sessions over Streamlit's own websocket protocol, no browser.

Each session connects to ``/_stcore/stream`` as the browser does, sends the
protobuf ``BackMsg`` that runs a page, reads the ``ForwardMsg`` deltas until the
script has finished, then changes a choice as a planner would (a widget state
sent back, by the widget's key) and waits again. Reported per scenario: sessions
finished, errors, p50 / p95 / max time to the figures (connect → the first run's
``script_finished``, the map's component sent), the same for the change, and the
server's resident memory (every ``streamlit run`` process serving the port, and
replicas behind nginx given with ``--pids``) before and after.

    python benchmarks/load.py --url http://127.0.0.1:8501 --sessions 20 --scenario clusters
    python benchmarks/load.py --url … --sessions 5 --scenario parks-buffer --json

``--json`` prints, as its last line, ``{"scenario", "sessions", "finished", "errors",
"p50_s", "p95_s", "max_s", "rss_mb"}`` (and further keys after those). ``--smoke``
starts its own server on the bundled data and runs two sessions of every scenario
that needs no OpenStreetMap cache.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from ui import state  # noqa: E402

# A choice a scenario changes: the widget's key and the option (by position) it picks.
Change = tuple[str, int]


@dataclass(frozen=True)
class Scenario:
    """A page to open, choices set before it (the data set), and the choice then changed."""

    page: str  # the page's url path ("" for the clusters page)
    before: tuple[Change, ...] = ()  # set one after the other before timing the change
    change: Change | None = None
    needs_osm: bool = False


_ZH = "zh"  # the sessions use the app's default language
SCENARIOS: dict[str, Scenario] = {
    "clusters": Scenario("", change=(state.widget_key(state.CLUSTER, _ZH), 1)),
    "parks-buffer": Scenario("parks", change=(state.widget_key(state.PARKS_STANDARD, _ZH), 1)),
    "parks-walk": Scenario(
        "parks",
        before=((state.widget_key(state.DATASET, _ZH), 1),),  # the OpenStreetMap data set
        change=(state.widget_key(state.PARKS_METHOD, _ZH), 1),  # walking
        needs_osm=True,
    ),
}


@dataclass
class Run:
    """What one script run sent: its widgets (id and options by key), the map, the end."""

    widgets: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # each widget's value as drawn
    texts: list[str] = field(default_factory=list)  # what the page wrote (text, figures)
    map_at: float | None = None
    finished_at: float | None = None
    status: str = ""
    exception: str = ""


def _value(proto: Any, options: list[str]) -> str:
    """The option a select box or radio shows (its set value, else its default)."""
    if proto.set_value and proto.HasField("raw_value"):
        return str(proto.raw_value)
    if proto.HasField("default") and 0 <= proto.default < len(options):
        return options[proto.default]
    return ""


def _widget(element: Any) -> tuple[str, list[str]] | None:
    kind = element.WhichOneof("type")
    if kind in {"selectbox", "radio"}:
        proto = getattr(element, kind)
        return proto.id, list(proto.options)
    return None


async def _read_run(ws: Any, run: Run, timeout_s: float) -> Run:
    """Read ForwardMsgs until the script run ends (or ``timeout_s`` passes)."""
    deadline = time.perf_counter() + timeout_s
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            run.status = "timeout"
            return run
        raw = await asyncio.wait_for(ws.recv(), timeout=left)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        which = msg.WhichOneof("type")
        if which == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            kind = element.WhichOneof("type")
            if kind == "component_instance" and run.map_at is None:
                run.map_at = time.perf_counter()
            elif kind == "exception":
                run.exception = element.exception.message[:200]
            elif kind in {"markdown", "metric", "heading", "alert"}:
                run.texts.append(str(getattr(element, kind)))
            elif (found := _widget(element)) is not None:
                key = found[0].rsplit("-", 1)[-1]
                run.widgets[key] = found
                proto = getattr(element, element.WhichOneof("type"))
                run.shown[key] = _value(proto, found[1])
        elif which == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if status == "FINISHED_EARLY_FOR_RERUN":
                continue
            if status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
                continue  # the map's fragment reporting its view
            run.finished_at = time.perf_counter()
            run.status = status
            return run


def _rerun(page: str, query: str, states: list[WidgetState]) -> bytes:
    back = BackMsg()
    back.rerun_script.query_string = query
    back.rerun_script.page_name = page
    back.rerun_script.widget_states.widgets.extend(states)
    return back.SerializeToString()


@dataclass
class SessionResult:
    open_s: float | None = None
    change_s: float | None = None
    error: str = ""


async def _session(url: str, scenario: Scenario, timeout_s: float) -> SessionResult:
    import websockets

    parsed = urlparse(url)
    ws_url = f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}/_stcore/stream"
    origin = f"{parsed.scheme}://{parsed.netloc}"
    result = SessionResult()
    start = time.perf_counter()
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=origin,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=timeout_s,
            ping_interval=None,
        ) as ws:
            states: dict[str, WidgetState] = {}
            previous = Run()
            await ws.send(_rerun(scenario.page, "", []))
            run = await _read_run(ws, Run(), timeout_s)
            steps = [*scenario.before, *([scenario.change] if scenario.change else [])]
            for i, (key, option) in enumerate(steps):
                if run.status != "FINISHED_SUCCESSFULLY" or run.exception:
                    break
                if i == len(scenario.before):  # the first run with every choice set
                    result.open_s = (run.finished_at or 0) - start
                    began = time.perf_counter()
                if key not in run.widgets:
                    result.error = f"no widget {key!r} on the page"
                    return result
                wid, options = run.widgets[key]
                if option >= len(options):
                    result.error = f"widget {key!r} has {len(options)} options"
                    return result
                states[key] = WidgetState(id=wid, string_value=options[option])
                await ws.send(_rerun(scenario.page, "", list(states.values())))
                previous, run = run, await _read_run(ws, Run(), timeout_s)
            if run.status != "FINISHED_SUCCESSFULLY":
                result.error = run.status or "no end"
            elif run.exception:
                result.error = f"exception: {run.exception}"
            elif run.map_at is None:
                result.error = "no map sent"
            elif scenario.change is None:
                result.open_s = (run.finished_at or 0) - start
            elif run.texts == previous.texts:  # the page's figures follow the choice
                result.error = f"the page did not change with {scenario.change[0]!r}"
            else:
                result.change_s = (run.finished_at or 0) - began
    except Exception as exc:  # a refused or dropped connection is an error of the run
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    return result


def _serving_pids(url: str) -> list[int]:
    """The ``streamlit run`` processes serving ``url``'s port (read from /proc)."""
    port = str(urlparse(url).port or 80)
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv]
        if "streamlit" in " ".join(words) and "run" in words:
            if f"--server.port={port}" in words or any(
                a == "--server.port" and b == port for a, b in itertools.pairwise(words)
            ):
                pids.append(int(proc.name))
    return pids


def _rss_mb(pids: list[int]) -> list[float]:
    out = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            out.append(float("nan"))
    return out


def _cpu_s(pids: list[int]) -> float:
    """The CPU time (user + system) the processes have used, in seconds."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1], 3)


async def run_load(
    url: str, scenario_name: str, sessions: int, *, timeout_s: float, pids: list[int]
) -> dict[str, Any]:
    """Run ``sessions`` sessions of a scenario at once; return the report (JSON keys)."""
    scenario = SCENARIOS[scenario_name]
    pids = pids or _serving_pids(url)
    before = _rss_mb(pids)
    cpu_before = _cpu_s(pids)
    t0 = time.perf_counter()
    results = await asyncio.gather(*(_session(url, scenario, timeout_s) for _ in range(sessions)))
    wall = time.perf_counter() - t0
    after = _rss_mb(pids)
    cpu = _cpu_s(pids) - cpu_before
    opened = [r.open_s for r in results if not r.error and r.open_s is not None]
    changed = [r.change_s for r in results if not r.error and r.change_s is not None]
    errors = [r.error for r in results if r.error]
    return {
        "scenario": scenario_name,
        "sessions": sessions,
        "finished": sessions - len(errors),
        "errors": len(errors),
        "p50_s": _quantile(opened, 0.50),
        "p95_s": _quantile(opened, 0.95),
        "max_s": round(max(opened), 3) if opened else None,
        "rss_mb": after,
        "rss_mb_before": before,
        "change_p50_s": _quantile(changed, 0.50),
        "change_p95_s": _quantile(changed, 0.95),
        "wall_s": round(wall, 3),
        "server_cpu_s_per_session": round(cpu / sessions, 3) if sessions else None,
        "error_kinds": sorted(set(errors))[:5],
    }


def _print(report: dict[str, Any], as_json: bool) -> None:
    print(
        f"{report['scenario']}: {report['finished']}/{report['sessions']} finished, "
        f"{report['errors']} errors; time to the figures p50 {report['p50_s']} s, "
        f"p95 {report['p95_s']} s, max {report['max_s']} s; change p50 {report['change_p50_s']} s, "
        f"p95 {report['change_p95_s']} s; wall {report['wall_s']} s; server CPU per session "
        f"{report['server_cpu_s_per_session']} s; RSS "
        f"{report['rss_mb_before']} → {report['rss_mb']} MB"
    )
    for kind in report["error_kinds"]:
        print(f"  error: {kind}")
    if as_json:
        print(json.dumps(report, ensure_ascii=False))


def _smoke() -> int:
    from tests.browser import streamlit_app

    failed = 0
    with streamlit_app(env={"KUNSHAN_DATA_DIR": os.environ.get("KUNSHAN_DATA_DIR", "")}) as url:
        for name, scenario in SCENARIOS.items():
            if scenario.needs_osm:
                print(f"{name}: skipped at smoke size (needs the OpenStreetMap cache)")
                continue
            report = asyncio.run(run_load(url, name, 2, timeout_s=180, pids=[]))
            _print(report, as_json=False)
            failed += report["errors"]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the app's address (a replica or nginx in front of them)")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="clusters")
    parser.add_argument("--json", action="store_true", help="print the report as JSON last")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per script run")
    parser.add_argument("--pids", default="", help="server processes to measure (comma list)")
    parser.add_argument("--smoke", action="store_true", help="own server, 2 sessions each")
    args = parser.parse_args(argv)
    if args.smoke:
        return _smoke()
    if not args.url:
        parser.error("--url is required (or --smoke)")
    pids = [int(p) for p in args.pids.split(",") if p.strip()]
    report = asyncio.run(
        run_load(args.url, args.scenario, args.sessions, timeout_s=args.timeout, pids=pids)
    )
    _print(report, args.json)
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
