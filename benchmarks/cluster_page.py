"""Benchmark the cluster page: cold start to visible map, map payload, warm rerun.

Run with ``make bench`` (or ``python benchmarks/cluster_page.py`` from the repo root).
Prints one line per measurement; record the numbers in benchmarks/README.md.
``--smoke``: one run of each instead of 3, and a check that every figure was produced.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks._smoke import figure, run  # noqa: E402
from geo.boundaries import load_clusters, load_outline, load_units  # noqa: E402
from layers.cluster_view import cluster_layers, cluster_map_inputs  # noqa: E402
from layers.render import build_map  # noqa: E402
from layers.specs import basemap_by_id  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, map_frame, streamlit_app  # noqa: E402
from ui import state  # noqa: E402

RUNS = 3


def cold_start_to_map(browser) -> tuple[float, int, int, float]:
    """Seconds to the map drawn (cold server, then a second visitor); bytes received."""
    start = time.perf_counter()
    with streamlit_app(timeout_s=60) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        ws_bytes = 0

        def on_ws(ws) -> None:
            def count(payload) -> None:
                nonlocal ws_bytes
                ws_bytes += len(payload) if isinstance(payload, bytes) else len(payload.encode())

            ws.on("framereceived", count)

        page.on("websocket", on_ws)
        page.goto(url)
        map_frame(page, timeout_s=60)
        elapsed = time.perf_counter() - start
        page.wait_for_timeout(1000)
        page.close()
        second = browser.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        second.goto(url)
        map_frame(second, timeout_s=60)
        warm_open = time.perf_counter() - t0
        second.close()
    return elapsed, ws_bytes, vendored_gzip_bytes(), warm_open


def vendored_gzip_bytes() -> int:
    """Gzip size of the vendored Leaflet files (Streamlit serves static files gzipped)."""
    import gzip

    vendor = ROOT / "static" / "vendor" / "leaflet"
    return sum(len(gzip.compress((vendor / n).read_bytes())) for n in ("leaflet.js", "leaflet.css"))


def trivial_app_baseline(browser) -> float:
    """Seconds from `streamlit run` to a one-line Streamlit page's title visible (the floor)."""
    import subprocess
    import tempfile
    import urllib.request

    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app.py"
        app.write_text('import streamlit as st\nst.title("baseline")\n', encoding="utf-8")
        port = free_port()
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None or time.perf_counter() - start > 60:
                        msg = "the one-line Streamlit app did not start within 60 s"
                        raise RuntimeError(msg) from None
                    time.sleep(0.05)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector("h1", timeout=60_000)
            elapsed = time.perf_counter() - start
            page.close()
        finally:
            process.terminate()
            process.wait()
    return elapsed


def map_payload_bytes() -> int:
    """Bytes of the map itself as st_folium sends it (Leaflet JS, HTML, header)."""
    import streamlit_folium

    inputs = cluster_map_inputs(load_outline(), load_units(), load_clusters(), lang="zh")
    m = build_map(cluster_layers(inputs, "zh"), lang="zh", basemap=basemap_by_id("none"))
    m.render()
    script = m.get_root().script.render()
    header = streamlit_folium._get_header(m)
    html = streamlit_folium._get_html(m)
    return len(script.encode()) + len(header.encode()) + len(html.encode())


def warm_rerun_seconds() -> tuple[float, float]:
    """Median seconds of a warm script rerun (AppTest) and of a cluster switch in the browser."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    times = []
    for cluster in ("east", "west", "north", "south", "all"):
        t0 = time.perf_counter()
        at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value(cluster).run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def browser_switch_seconds(browser) -> float:
    """Median seconds from choosing a cluster in the list to its panel heading shown."""
    with streamlit_app() as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        map_frame(page)
        times = []
        for short, name in (
            ("东部组团", "国际数字商务贸易组团"),
            ("南部组团", "江南水乡生态人文组团"),
        ):
            page.locator("[data-testid=stMain] [data-testid=stSelectbox]").first.click()
            t0 = time.perf_counter()
            page.get_by_role("option", name=name).click()
            # The panel's heading: the cluster's one name, short with the full in brackets.
            page.get_by_role("heading", name=f"{short}（{name}）").wait_for(timeout=15_000)
            times.append(time.perf_counter() - t0)
        page.close()
    return statistics.median(times)


def main(argv: list[str], *, smoke: bool) -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: run make browser-deps first")
        return 1
    runs = 1 if smoke else RUNS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        baseline = [trivial_app_baseline(browser) for _ in range(runs)]
        results = [cold_start_to_map(browser) for _ in range(runs)]
        switch = browser_switch_seconds(browser)
        browser.close()
    starts = [r[0] for r in results]
    warm_opens = [r[3] for r in results]
    figure("cold start s", statistics.median(starts))
    figure("second visitor s", statistics.median(warm_opens))
    figure("baseline s", statistics.median(baseline))
    figure("websocket bytes", results[0][1])
    figure("vendored bytes", results[0][2])
    print(
        f"streamlit run app.py -> map visible (median of {runs}): "
        f"{statistics.median(starts):.2f} s "
        f"(runs: {', '.join(f'{s:.2f}' for s in starts)})"
    )
    print(
        f"second visitor, server warm: open page -> map visible (median of {runs}): "
        f"{statistics.median(warm_opens):.2f} s"
    )
    print(
        f"baseline: one-line Streamlit page -> title visible (median of {runs}): "
        f"{statistics.median(baseline):.2f} s (runs: {', '.join(f'{s:.2f}' for s in baseline)})"
    )
    print(f"websocket bytes received for the default page: {results[0][1]:,}")
    print(f"static bytes (vendored Leaflet JS+CSS): {results[0][2]:,}")
    payload = figure("map payload bytes", map_payload_bytes())
    print(f"map payload (st_folium script+html+header): {payload:,} bytes")
    median, worst = warm_rerun_seconds()
    figure("warm rerun s", median)
    figure("cluster switch s", switch)
    print(f"warm rerun, server side (AppTest, median of 5): {median:.3f} s (max {worst:.3f} s)")
    print(f"cluster switch in the browser (list -> panel shown, median of 2): {switch:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(run(main, sys.argv[1:]))
