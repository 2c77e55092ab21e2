"""Benchmark snapshots on the bundled data: save, open a permalink, sheets, atlas, HTML size.

``python benchmarks/share.py`` (Debian chromium needed for the sheets) prints, side by
side in one run:

- saving a snapshot of the parks page (figures as the page has them, then the store's
  write), SQLite under a fresh data directory; and PostgreSQL when ``DATABASE_URL`` is set;
- opening the parks page with and without ``?snapshot=<id>`` (AppTest, warm caches, the
  script's run time), and the difference;
- one A4 PDF sheet, one PNG sheet, the atlas of the four clusters;
- the offline HTML export's size;
- another session opening the parks page while one renders a PDF sheet, and when idle
  (a real ``streamlit run`` in Chromium).

``--smoke``: every measurement once, and a check that every figure was produced
(the sheets too: Chromium is required then). ``--sessions``: only the last one.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ["KUNSHAN_DATA_DIR"] = tempfile.mkdtemp(prefix="share_bench_")
os.environ.setdefault("KUNSHAN_BASEMAP", "none")
logging.disable(logging.WARNING)

from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks._smoke import expect, figure, run  # noqa: E402
from share import exports, sheets  # noqa: E402
from share.capture import capture  # noqa: E402
from share.model import MapView  # noqa: E402
from share.store import SnapshotStore  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, map_frame, streamlit_app  # noqa: E402
from views.choices import ParksChoices  # noqa: E402
from views.compose import DataChoice, dataset_for  # noqa: E402
from views.figures import figures_for  # noqa: E402


def _median(fn, repeat: int = 5) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv: list[str], *, smoke: bool) -> int:
    """Run the benchmark and print its numbers (``--sessions``: only the two sessions)."""
    once = 1 if smoke else None  # the smoke size measures everything once
    if argv == ["--sessions"]:
        _other_sessions(once or 3)
        return 0
    if smoke:
        expect("A4 PDF s", "A4 PNG s", "atlas s", "other session idle s")
    data = DataChoice()
    choices = ParksChoices("garden_city")
    figures = figures_for(dataset_for(data), "parks", choices)  # warm the caches, as a page has
    stores = {"sqlite": SnapshotStore()}
    if os.environ.get("DATABASE_URL"):
        stores["postgresql"] = SnapshotStore(os.environ["DATABASE_URL"])
    saved_id = ""
    for name, store in stores.items():

        def save(store=store):
            # Without a basemap, as the page's is set here (KUNSHAN_BASEMAP=none): no tiles to
            # wait for on a machine without the internet.
            snap = capture(data, "parks", choices, title="bench", view=MapView(basemap="none"))
            return store.save(snap)

        t, saved = _median(save, repeat=once or 5)
        saved_id = saved_id or saved.snapshot_id
        figure(f"save {name} s", t)
        print(f"save a parks snapshot ({name}): {t * 1000:.0f} ms (median of 5)")
    del figures

    app = str(ROOT / "app.py")

    def open_parks(params: dict[str, str]) -> float:
        at = AppTest.from_file(app, default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        start = time.perf_counter()
        at.switch_page("ui/page_parks.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, at.exception
        return time.perf_counter() - start

    open_parks({})  # warm every cache once
    plain = figure("parks page s", statistics.median(open_parks({}) for _ in range(once or 3)))
    linked = statistics.median(open_parks({"snapshot": saved_id}) for _ in range(once or 3))
    figure("parks page from its permalink s", linked)
    print(
        f"open the parks page: {plain:.2f} s; from its permalink: {linked:.2f} s "
        f"(+{linked - plain:.2f} s; median of 3, AppTest, warm caches)"
    )

    snap = stores["sqlite"].get(saved_id)
    t_html, page = _median(lambda: exports.offline_html(snap), repeat=once or 3)
    figure("offline HTML s", t_html)
    figure("offline HTML bytes", len(page.encode("utf-8")))
    print(f"offline HTML: {len(page.encode('utf-8')) / 1e6:.2f} MB, made in {t_html:.2f} s")
    if not sheets.CHROMIUM.exists():
        print("no /usr/bin/chromium: sheets not measured")
        return 0
    _sheets(snap, once)
    _other_sessions(once or 3)
    return 0


def _sheets(snap, once: int | None) -> None:
    """Time one A4 PDF sheet, one PNG sheet and the atlas of the four clusters."""
    t_pdf, pdf = _median(lambda: sheets.snapshot_sheet(snap, kind="pdf"), repeat=once or 3)
    print(f"A4 PDF sheet: {figure('A4 PDF s', t_pdf):.2f} s (median of 3), {len(pdf) / 1e3:.0f} kB")
    t_png, png = _median(lambda: sheets.snapshot_sheet(snap, kind="png"), repeat=once or 3)
    print(f"A4 PNG sheet: {figure('A4 PNG s', t_png):.2f} s (median of 3), {len(png) / 1e3:.0f} kB")
    t_atlas, book = _median(lambda: sheets.atlas(snap, by="cluster"), repeat=1)
    figure("atlas s", t_atlas)
    kb = figure("atlas kB", len(book) / 1e3)
    print(f"atlas of the four clusters (4 A4 sheets, one PDF): {t_atlas:.2f} s, {kb:.0f} kB")


def _save_snapshot(page):
    """Click 保存快照 and return the sheet's download button, clicking again if the first
    click fell into a rerun; a screenshot is left in the temporary directory if neither
    brings the button."""
    button = page.locator("[data-testid='stDownloadButton'] button", has_text="PDF 图纸 A4")
    for attempt in range(2):
        page.get_by_role("button", name="保存快照").click()
        try:
            button.wait_for(timeout=60_000)
            return button
        except Exception:
            shot = Path(tempfile.gettempdir()) / f"share_bench_save_{attempt}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"no sheet button after saving (attempt {attempt + 1}); see {shot}")
    msg = "saving the snapshot never offered the PDF sheet"
    raise RuntimeError(msg)


def _other_sessions(runs: int) -> None:
    """Open the parks page in one browser while another is getting its PDF sheet, and not.

    ``streamlit run`` on a fresh data directory; the first session saves a corridors
    snapshot from 分享 / Share and clicks "PDF 图纸 A4"; the second opens the parks page
    and waits for its map. Medians of ``runs``, each beside a fresh idle load.
    """

    def load(browser, url: str) -> float:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        page.goto(f"{url}/parks")
        map_frame(page, timeout_s=120)
        took = time.perf_counter() - start
        page.close()
        return took

    store = tempfile.mkdtemp(prefix="share_bench_sessions_")
    with streamlit_app(env={"KUNSHAN_DATA_DIR": store, "KUNSHAN_THUMBNAILS": "0"}) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            load(browser, url)  # warm the server's caches
            idle, busy, pdf_s = [], [], []
            for _ in range(runs):
                idle.append(load(browser, url))
                a = browser.new_page(viewport={"width": 1400, "height": 1000})
                a.goto(f"{url}/corridors")
                map_frame(a, timeout_s=120)
                a.wait_for_function(
                    "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
                )
                a.get_by_text("分享", exact=True).first.click()
                a.get_by_label("标题").fill("bench")
                a.wait_for_function(
                    "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
                )
                button = _save_snapshot(a)
                with a.expect_download(timeout=120_000) as download:
                    start = time.perf_counter()
                    button.click()
                    busy.append(load(browser, url))
                    download.value.path()
                pdf_s.append(time.perf_counter() - start)
                a.close()
            browser.close()
    figure("other session idle s", statistics.median(idle))
    figure("other session while a PDF renders s", statistics.median(busy))
    figure("that PDF s", statistics.median(pdf_s))
    print(
        f"another session opening the parks page: {statistics.median(idle):.2f} s idle, "
        f"{statistics.median(busy):.2f} s while a PDF sheet renders "
        f"(that PDF, clicked to file: {statistics.median(pdf_s):.2f} s; medians of 3, real server)"
    )


if __name__ == "__main__":
    raise SystemExit(run(main, sys.argv[1:]))
