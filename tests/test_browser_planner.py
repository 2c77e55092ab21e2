"""What a planner looks for, in headless Chromium: suggested sites on the map, the phone's order.

Issue 23, parts 5 and 6: each suggested site is in sight at the county's zoom and
its row moves the map to it, the map keeps its place when the sites join the
scenario; on a phone the key figures and a tapped station's panel follow the
map, tables scroll inside their own width and tooltips stay inside the map.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import ARTIFACTS, map_frame

pytestmark = pytest.mark.browser
SERVER = pytest.mark.multiprocess  # the test's app runs in a `streamlit run` process of its own

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
FOLIUM = "iframe[title='streamlit_folium.st_folium']"
ROW_PX = 35  # Streamlit's data grid: the header and each row are 35 px tall


def _idle(page) -> None:
    """Wait until the app is not running (as a person waits for the page to settle)."""
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=120_000
    )
    page.wait_for_timeout(400)


def _view(frame) -> tuple[float, float, float]:
    lat, lng, zoom = frame.evaluate(
        "[window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    )
    return float(lat), float(lng), float(zoom)


def _shown(frame, css_class: str) -> int:
    """How many of a layer's elements are drawn (not hidden by its zoom rule)."""
    return int(
        frame.evaluate(
            f"Array.from(document.querySelectorAll('path.{css_class}'))"
            ".filter(e => getComputedStyle(e).display !== 'none').length"
        )
    )


@SERVER
def test_suggested_sites_are_seen_at_county_zoom_chosen_by_row_and_the_map_stays(
    scenario_app_url, browser
):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{scenario_app_url}/parks")
    frame = map_frame(page, 90)
    _idle(page)
    county_zoom = _view(frame)[2]
    page.get_by_role("button", name="给出建议").click()
    page.get_by_text("选中表格中的一行").wait_for(timeout=120_000)
    _idle(page)
    frame = map_frame(page)
    # At the county's zoom each site is a mark one can see (its square is a few pixels).
    assert _view(frame)[2] == county_zoom
    assert _shown(frame, "lyr-suggested-site-marks") == 5
    # The table names each site's unit, cluster and coordinates; choosing row 2 moves there.
    grid = page.locator("[data-testid='stDataFrame']").filter(has_text="经度（WGS84）").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + ROW_PX + ROW_PX * 1.5)  # the row's check box
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('iframe')).some(f => "
        "{ try { return f.contentWindow.map && f.contentWindow.map.getZoom() > 14; } "
        "catch (e) { return false; } })",
        timeout=60_000,
    )
    _idle(page)
    frame = map_frame(page)
    lat, lng, zoom = _view(frame)
    assert zoom >= 15
    # The map is centred on the site the table gives (its lon/lat to six decimals).
    table = page.evaluate(
        """() => { const out = [];
          for (const g of document.querySelectorAll('[data-testid=stDataFrame]')) {
            const rows = g.querySelectorAll('table tr');
            for (const r of rows) out.push(Array.from(r.children).map(c => c.innerText)); }
          return out; }"""
    )
    six = re.compile(r"\d+\.\d{6}")
    rows = [[c.strip() for c in r] for r in table]
    chosen = next(r for r in rows if "2" in r[:3] and sum(bool(six.fullmatch(c)) for c in r) == 2)
    centre = [float(c) for c in chosen if six.fullmatch(c)]
    assert lng == pytest.approx(centre[0], abs=2e-4)
    assert lat == pytest.approx(centre[1], abs=2e-4)
    assert frame.query_selector_all("path.lyr-site-focus")
    # Close in, the squares show and the marks give way to them.
    assert _shown(frame, "lyr-suggested-site-marks") == 0
    assert _shown(frame, "lyr-suggested-sites") >= 1
    # Adding them to the scenario rebuilds the map with the planned parks, where it was.
    page.get_by_role("button", name="将建议加入方案").click()
    page.get_by_text("5 个规划公园").first.wait_for(timeout=120_000)
    _idle(page)
    page.wait_for_timeout(1500)
    frame = map_frame(page, 60, drawn="path.lyr-planned-parks")
    after = _view(frame)
    assert after[2] == pytest.approx(zoom)
    assert after[0] == pytest.approx(lat, abs=1e-4)
    assert after[1] == pytest.approx(lng, abs=1e-4)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "parks_sites_kept_view.png"))
    page.close()


def _top(page, selector: str) -> float:
    """The top of the first ``selector`` in the page's main part (not the sidebar)."""
    box = page.locator(f"[data-testid='stMain'] {selector}").first.bounding_box()
    assert box is not None, selector
    return float(box["y"])


@SERVER
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_key_figures_follow_the_map_on_a_phone(app_url, browser, viewport):
    page = browser.new_page(viewport=viewport)
    # The parks page: the county's coverage, then the notes and choices.
    page.goto(f"{app_url}/parks")
    map_frame(page, 90)
    _idle(page)
    map_box = page.locator(FOLIUM).first.bounding_box()
    metric = _top(page, "[data-testid='stMetric']")
    choice = _top(page, "[data-testid='stSelectbox']")
    note = _top(page, "[data-testid='stAlert']")
    if viewport is PHONE:
        assert map_box["y"] + map_box["height"] <= metric < note < choice
    else:  # beside the map, as before
        assert metric < map_box["y"] + map_box["height"]
    # The corridors page: a tapped station's panel comes before the tables and controls.
    page.goto(f"{app_url}/corridors")
    frame = map_frame(page, 90)
    _idle(page)
    station = frame.locator("path.lyr-stations").first
    station.scroll_into_view_if_needed()
    station.click(force=True)
    page.get_by_text("开通").first.wait_for(timeout=60_000)  # the panel's 开通 line
    _idle(page)
    map_box = page.locator(FOLIUM).first.bounding_box()
    panel = _top(page, "[data-testid='stMarkdown']:has-text('站点详情')")
    table = _top(page, "[data-testid='stDataFrame']")
    radius = _top(page, "[data-testid='stButtonGroup']")
    if viewport is PHONE:
        assert map_box["y"] + map_box["height"] <= panel < table < radius
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "corridors_station_phone.png"), full_page=True)
    else:
        assert panel < map_box["y"] + map_box["height"]
    page.close()


@SERVER
def test_on_a_phone_tables_scroll_inside_their_width(app_url, browser):
    page = browser.new_page(viewport=PHONE)
    for path in ("", "corridors", "parks"):
        page.goto(f"{app_url}/{path}")
        map_frame(page, 90)
        _idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        grids = page.locator("[data-testid='stDataFrame']")
        assert grids.count() >= 1
        for i in range(grids.count()):
            grid = grids.nth(i)
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
            scroller = grid.locator(".dvn-scroller")
            wide = scroller.evaluate("s => s.scrollWidth > s.clientWidth + 1")
            if not wide:
                continue
            # Wider than the phone: the table moves sideways inside its own box.
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + ROW_PX * 1.5)
            page.mouse.wheel(300, 0)
            page.wait_for_timeout(300)
            assert scroller.evaluate("s => s.scrollLeft") > 0, (path, i)
    page.close()


@SERVER
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_tooltips_stay_inside_the_map(app_url, browser, viewport):
    """A tooltip opened at each corner of the map (as a tap there would) stays inside it."""
    page = browser.new_page(viewport=viewport)
    page.goto(app_url)
    frame = map_frame(page, 90)
    _idle(page)
    outside = frame.evaluate(
        """() => { const m = window.map, size = m.getSize(), bad = [];
          let layer = null;
          m.eachLayer(l => {
            if (!layer && l.getTooltip && l.getTooltip() && l.feature) layer = l; });
          if (!layer) return ['no layer with a tooltip'];
          for (const [x, y] of [[3, 3], [size.x - 3, 3], [size.x - 3, size.y - 3], [3, size.y - 3],
                                [size.x - 3, size.y / 2]]) {
            layer.openTooltip(m.containerPointToLatLng([x, y]));
            const el = layer.getTooltip().getElement().getBoundingClientRect();
            const c = m.getContainer().getBoundingClientRect();
            if (el.left < c.left || el.top < c.top || el.right > c.right || el.bottom > c.bottom)
              bad.push([x, y, el.left, el.top, el.right, el.bottom]);
            layer.closeTooltip();
          }
          return bad; }"""
    )
    assert outside == []
    page.close()
