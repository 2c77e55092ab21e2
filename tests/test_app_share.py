"""Share and permalinks through AppTest: save a view, open its link, see what changed since."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.parks import bundled_parks
from geo.paths import STANDARDS_PATH
from geo.store.local import set_server_layer, store_layer
from layers.cluster_view import comparison_table
from layers.labels import tr
from share.store import SnapshotStore
from ui import state
from views import inputs
from views.compose import DataChoice, dataset_for

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TITLE = "东部 <img src=x onerror=alert(1)> **粗体**"


def _save_on_clusters(cluster: str = "east") -> tuple[AppTest, str, str]:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).select(cluster).run()
    at.text_input(key=state.SHARE_TITLE).input(TITLE)
    at.text_area(key=state.SHARE_NOTE).input("给领导的说明\n第二行 [链接](javascript:alert(1))")
    at.text_input(key=state.SHARE_AUTHOR).input("规划科")
    next(b for b in at.button if b.label == tr("share_save", "zh")).click().run()
    assert not at.exception
    snapshot_id, token, page = at.session_state[state.SHARE_SAVED]
    assert page == "clusters"
    return at, snapshot_id, token


def _open(snapshot_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["snapshot"] = snapshot_id
    return at.run()


def test_share_saves_the_view_with_its_figures_and_gives_the_link(env):
    at, snapshot_id, token = _save_on_clusters()
    codes = [c.value for c in at.code]
    assert any(c.endswith(f"/?snapshot={snapshot_id}") for c in codes)
    assert token in codes  # shown once, to whoever saved
    assert at.get("image")  # the QR code
    store = SnapshotStore()
    snap = store.get(snapshot_id)
    assert snap.title == TITLE  # kept as typed; escaped where shown
    assert snap.choices == {"cluster_id": "east"}
    assert snap.author == "规划科"
    fig = snap.figure("clusters")
    expected = comparison_table(inputs.summary(dataset_for(DataChoice())), "zh")
    assert list(fig.columns_zh) == list(expected.columns)
    assert [r[0] for r in fig.rows] == expected.iloc[:, 0].tolist()
    store.engine.dispose()


def test_the_permalink_restores_the_view_and_shows_the_title_as_text(env):
    _, snapshot_id, _ = _save_on_clusters("south")
    at = _open(snapshot_id)
    assert not at.exception
    assert at.session_state[state.CLUSTER] == "south"
    shown = " ".join(m.value for m in at.markdown)
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in shown  # escaped for Markdown, not markup
    assert "\\*\\*粗体\\*\\*" in shown
    assert "\\[链接\\]\\(javascript\\:alert\\(1\\)\\)" in shown
    assert any(tr("snapshot_data_same", "zh") in c.value for c in at.caption)
    assert not at.warning


def test_changed_data_is_named_the_saved_figures_stay_and_recompute_saves_anew(env):
    _, snapshot_id, _ = _save_on_clusters()
    parks = bundled_parks()
    fewer = parks.iloc[:-1]
    record = store_layer(
        fewer, kind="parks", original=b"parks", file_name="parks.geojson", root=env
    )
    set_server_layer("parks", record.content_hash, root=env)
    at = _open(snapshot_id)
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "数据自保存以来已变化（公园）" in warning  # the layer's name, not its id
    assert at.dataframe  # the saved figures are on the page
    next(b for b in at.button if b.label == tr("snapshot_recompute", "zh")).click().run()
    assert not at.exception
    new_id = at.query_params["snapshot"]
    new_id = new_id[0] if isinstance(new_id, list) else new_id
    assert new_id != snapshot_id
    store = SnapshotStore()
    assert store.count() == 2
    assert store.get(new_id).layer_hashes["parks"] == record.content_hash
    store.engine.dispose()


def test_an_edited_standards_file_is_named_as_changed(env, tmp_path, monkeypatch):
    """The standards are a layer of the data set: a permalink says they changed since."""
    _, snapshot_id, _ = _save_on_clusters()
    snap = SnapshotStore().get(snapshot_id)
    assert "park_standards" in snap.layer_hashes  # the snapshot records the standards it used
    raw = json.loads(STANDARDS_PATH.read_text(encoding="utf-8"))
    raw["standards"][0]["target_share"] = 0.9
    edited = tmp_path / "park_standards.json"
    edited.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("KUNSHAN_PARK_STANDARDS", str(edited))
    at = _open(snapshot_id)
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "数据自保存以来已变化（公园标准）" in warning
    at.sidebar.segmented_control(key=state.LANG).set_value("en").run()
    warning = " ".join(w.value for w in at.warning)
    assert "The data have changed since it was saved (Park standards)" in warning


def test_an_unknown_or_malformed_link_gets_not_found_never_a_traceback(env):
    for bad in ("AAAAAAAAAAAAAAAAAAAAAA", "<script>alert(1)</script>", "../../x"):
        at = _open(bad)
        assert not at.exception
        assert any(tr("snapshot_not_found", "zh") in w.value for w in at.warning)


def test_the_snapshots_page_lists_searches_and_deletes_with_the_token(env):
    _, first, token = _save_on_clusters()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/page_snapshots.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[0][tr("col_title", "zh")] == TITLE
    # A snapshot is being rendered: its row says there is no preview yet, not "None".
    assert all(str(v).startswith("data:image/") for v in table[tr("col_thumbnail", "zh")])
    at.text_input(key=state.SNAPSHOTS_SEARCH).input("没有这个").run()
    assert [i.value for i in at.info] == ["没有标题包含“没有这个”的快照。"]  # not "none yet"
    at.text_input(key=state.SNAPSHOTS_SEARCH).input("东部").run()
    # Delete pressed without ticking the confirmation: it says why nothing happened.
    next(b for b in at.button if b.label == tr("snapshots_delete", "zh")).click().run()
    assert [w.value for w in at.warning] == [tr("snapshots_not_confirmed", "zh")]
    assert SnapshotStore().count() == 1
    token_box = next(t for t in at.text_input if t.label == tr("snapshots_delete_token", "zh"))
    token_box.input("wrong")
    at.checkbox[0].check()
    next(b for b in at.button if b.label == tr("snapshots_delete", "zh")).click().run()
    assert any(e.value == "删除口令不正确。" for e in at.error)  # Chinese only
    token_box = next(t for t in at.text_input if t.label == tr("snapshots_delete_token", "zh"))
    token_box.input(token)
    at.checkbox[0].check()
    next(b for b in at.button if b.label == tr("snapshots_delete", "zh")).click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"已删除快照“{TITLE}”。"]  # it says it is done
    store = SnapshotStore()
    assert store.count() == 0
    store.engine.dispose()
    del first


@pytest.mark.browser  # the atlas is printed by headless Chromium
def test_the_snapshots_page_makes_the_atlas_with_progress(env):
    from share.sheets import CHROMIUM

    if not CHROMIUM.exists():
        import os

        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")
    _save_on_clusters()
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("ui/page_snapshots.py").run()
    next(b for b in at.button if b.label == tr("atlas_make", "zh")).click().run()
    assert not at.exception
    assert not at.error
    snapshot_id, by, size, pdf = at.session_state[state.ATLAS_PDF]
    assert (by, size) == ("cluster", "a4")
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 4  # a sheet per cluster
    del snapshot_id


def test_a_permalink_is_read_only_until_go_on_from_here(env):
    _, snapshot_id, _ = _save_on_clusters("south")
    at = _open(snapshot_id)
    assert not at.exception
    select = at.selectbox(key=state.widget_key(state.CLUSTER, "zh"))
    assert select.value == "south"
    assert select.disabled  # the saved view, locked
    assert at.selectbox(key=state.widget_key(state.BASEMAP, "zh")).disabled
    assert at.radio(key=state.widget_key(state.DATASET, "zh")).disabled
    assert any(i.value == tr("snapshot_read_only", "zh") for i in at.info)
    go_on = at.button(key=state.SNAPSHOT_LEAVE)
    assert go_on.label == "继续操作（离开快照）"
    go_on.click().run()
    assert not at.exception
    assert "snapshot" not in at.query_params  # the link is left explicitly
    select = at.selectbox(key=state.widget_key(state.CLUSTER, "zh"))
    assert not select.disabled
    assert select.value == "south"  # going on from the snapshot's view
    select.select("north").run()
    assert at.session_state[state.CLUSTER] == "north"
    assert not any(tr("snapshot_data_same", "zh") in c.value for c in at.caption)
    assert not any(i.value == tr("snapshot_read_only", "zh") for i in at.info)


def test_a_parks_permalink_locks_every_choice(env):
    from share.capture import capture
    from share.model import MapView
    from views.choices import ParksChoices

    snap = capture(
        DataChoice(), "parks", ParksChoices("garden_city", cell_m=200), title="公园",
        view=MapView(basemap="none"),
    )  # fmt: skip
    store = SnapshotStore()
    store.save(snap)
    store.engine.dispose()
    at = _open(snap.snapshot_id)
    assert not at.exception
    assert at.selectbox(key=state.widget_key(state.PARKS_STANDARD, "zh")).disabled
    assert at.selectbox(key=state.PARKS_CELL).disabled
    assert at.selectbox(key=state.PARKS_CELL).value == 200
    assert at.radio(key=state.widget_key(state.PARKS_METHOD, "zh")).disabled
    assert at.radio(key=state.widget_key(state.PARKS_VIEW, "zh")).disabled
