"""Map sheets say what the view says: the scenario, every key, every row, the zone's own figures.

Rendered by Debian Chromium and read back with Debian's ``pdftotext`` (poppler-utils),
as a planner reading the PDF would: the scenario's planned parks and before/after
figures, the headline after the scenario with the before beside it, the key of the
coloured surface, every row of a long table (continued on a page of its own, never
clipped), names instead of internal ids, a metric scale bar only, and an atlas page
of a cluster showing that cluster's rows and units rather than the county's.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import geopandas as gpd
import pytest
import shapely

from geo.files.schema import planned_parks
from geo.store.local import store_layer
from tests.browser import CHROMIUM
from views.table import Figure

pytestmark = pytest.mark.browser


def _require_tools() -> None:
    import os

    missing = [
        what
        for what, ok in (
            (str(CHROMIUM), CHROMIUM.exists()),
            ("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None),
        )
        if not ok
    ]
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but missing: {missing} (make browser-deps)")
        pytest.skip(f"missing: {missing} (make browser-deps installs them)")


def _pages(pdf: bytes, tmp_path) -> list[str]:
    """Return each page's text, as pdftotext reads it (layout kept)."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [p for p in text.split("\f") if p.strip()]


def _planned(env) -> str:
    """Store a 400 m square planned park (16 ha) in the middle of the county; its hash."""
    centre = gpd.GeoSeries([shapely.Point(120.95, 31.33)], crs=4326).to_crs(4549)[0]
    square = shapely.box(centre.x - 200, centre.y - 200, centre.x + 200, centre.y + 200)
    raw = gpd.GeoDataFrame({"name": ["亭林新园"], "year": [2027]}, geometry=[square], crs=4549)
    record = store_layer(
        planned_parks(raw), kind="planned_parks", original=b"p", file_name="方案 A", root=env
    )
    return record.content_hash


def _snapshot(data_hash: str | None, **choices):
    from share.capture import capture
    from share.model import MapView
    from views.choices import ParksChoices
    from views.compose import DataChoice

    data = DataChoice.of("bundled", {"planned_parks": data_hash} if data_hash else {})
    return capture(
        data,
        "parks",
        ParksChoices("garden_city", **choices),
        title="亭林片区方案",
        view=MapView(basemap="none"),
    )


def test_a_scenario_sheet_reports_the_scenario_its_key_every_unit_and_no_ids(env, tmp_path):
    _require_tools()
    from share import sheets
    from views import inputs
    from views.compose import DataChoice, dataset_for

    snap = _snapshot(_planned(env), view="change")
    pages = _pages(sheets.snapshot_sheet(snap, kind="pdf"), tmp_path)
    text = "\n".join(pages)
    first = pages[0]
    # The scenario first: its headline after (with the before), before/after, its parks.
    assert "全市服务半径覆盖率（方案后）" in first
    assert "现状" in first
    assert "方案前后对比" in first
    assert "亭林新园" in first
    # The change map's key, under the map.
    assert "新增缓冲区覆盖" in first
    # Every unit of the by-unit table (each unit with a boundary), here or on a continued page.
    _, units, table, _ = inputs.bundle(dataset_for(DataChoice()))
    names = dict(zip(table["unit_id"], table["name_zh"], strict=True))
    assert len(units) >= 10
    for uid in units["unit_id"]:
        assert names[uid] in text, names[uid]
    # Names, not ids; the snapshot's id labelled as one.
    for internal in ("garden_city", "planned_parks", "bundled", "None"):
        assert internal not in text, internal
    assert f"快照编号: {snap.snapshot_id[:8]}" in first
    assert "国家园林城市" in first  # the standard by its name
    # A metric scale bar only.
    assert " km" in first or " m\n" in first
    assert " mi" not in text
    assert " ft" not in text


KEYS = {
    "coverage": ("已覆盖", "未覆盖"),
    "distance": ("0–300 米", "≥ 2000 米", "超出计算范围"),
}


@pytest.mark.parametrize(("view", "words"), list(KEYS.items()))
def test_every_coloured_surface_on_a_sheet_has_its_key(env, tmp_path, view, words):
    _require_tools()
    from share import sheets

    first = _pages(sheets.snapshot_sheet(_snapshot(None, view=view), kind="pdf"), tmp_path)[0]
    for word in words:
        assert word in first, (view, word)


def test_a_long_table_continues_on_a_page_of_its_own_and_loses_no_row(env, tmp_path):
    _require_tools()
    from share import sheets

    snap = _snapshot(None)
    rows = tuple((f"地块{i:03d}", f"{i * 1.5:.1f}") for i in range(1, 151))
    long = Figure("plots", "地块清单", "Plots", ("地块", "面积"), ("Plot", "Area"), rows)
    snap = dataclasses.replace(snap, figures=(*snap.figures, long))
    pages = _pages(sheets.snapshot_sheet(snap, kind="pdf"), tmp_path)
    assert len(pages) >= 2
    text = "\n".join(pages)
    for name, _ in rows:
        assert text.count(name) == 1, name  # each row once: none clipped, none twice
    assert "续表" in "\n".join(pages[1:])
    assert "内部资料" in pages[-1]  # a continued page is headed like the sheet


def test_an_atlas_page_shows_its_clusters_rows_and_units_not_the_countys(env, tmp_path):
    _require_tools()
    from share import sheets

    pages = _pages(sheets.atlas(_snapshot(None), by="cluster"), tmp_path)
    east = [p for p in pages if "国际数字商务贸易组团" in p.splitlines()[0]]
    south = [p for p in pages if "江南水乡生态人文组团" in p.splitlines()[0]]
    assert east
    assert south
    east_text = "\n".join(east)
    assert "花桥经济开发区" in east_text
    assert "陆家镇" in east_text
    assert "周庄镇" not in east_text  # a unit of the south cluster
    assert "全市服务半径覆盖率" not in east_text  # the county's key figure
    assert "周庄镇" in "\n".join(south)


def test_a_sheets_link_is_the_address_the_browser_used_unless_the_server_sets_one(env, monkeypatch):
    from share import sheets

    monkeypatch.delenv("KUNSHAN_PUBLIC_URL", raising=False)
    snap = _snapshot(None)
    sid = snap.snapshot_id
    doc = sheets.sheet_document(snap, base_url="http://gis.kunshan.local/map/parks?x=1#top")
    assert f"http://gis.kunshan.local/map/parks?snapshot={sid}" in doc
    assert "localhost" not in doc
    # A server behind a proxy names its public address: it wins over what the browser used.
    monkeypatch.setenv("KUNSHAN_PUBLIC_URL", "https://plan.example.cn/")
    doc = sheets.sheet_document(snap, base_url="http://10.0.0.5:8501/snapshots")
    assert f"https://plan.example.cn/parks?snapshot={sid}" in doc
    assert "10.0.0.5" not in doc


def test_an_english_sheet_names_its_rows_in_english(env):
    """The figures' rows follow the sheet's language (zones, verdicts), not only the headers."""
    from share import sheets

    snap = _snapshot(None)
    en = sheets.sheet_document(snap, lang="en")
    zh = sheets.sheet_document(snap, lang="zh")
    assert "<td>Huaqiao Economic Development Zone</td>" in en
    assert "<td>花桥经济开发区</td>" not in en
    assert "<td>花桥经济开发区</td>" in zh
    # A snapshot saved before English rows were kept still opens, with the rows it has.
    old = dataclasses.replace(
        snap, figures=tuple(dataclasses.replace(f, rows_en=()) for f in snap.figures)
    )
    assert "<td>花桥经济开发区</td>" in sheets.sheet_document(old, lang="en")
    # Kept through a snapshot's JSON.
    again = [Figure.from_dict(f.as_dict()) for f in snap.figures]
    assert again == list(snap.figures)
