"""The snapshot store, the same tests on SQLite and on PostgreSQL.

Save and read back, immutability, search, the delete token, unknown and
malformed ids, schema versions (a fixture per past version, a refused future
one), 50 saves at once from separate processes, and a save killed midway.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.errors import SnapshotError, SnapshotNotFoundError
from share.model import (
    NOTE_MAX,
    SCHEMA_VERSION,
    TITLE_MAX,
    MapView,
    Snapshot,
    new_id,
    now_iso,
    snapshot_from_payload,
)
from share.store import LIST_MAX, SnapshotStore
from views.table import Figure

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "snapshots"
WORKER = ROOT / "tests" / "share_worker.py"
BACKENDS = pytest.mark.parametrize(
    "store_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
SEPARATE_PROCESSES = pytest.mark.multiprocess


def _snapshot(title: str = "东部组团 公园覆盖", **kw) -> Snapshot:
    zh = pd.DataFrame({"组团": ["东部组团"], "覆盖率 (%)": [12.5]})
    en = pd.DataFrame({"Cluster": ["East cluster"], "Coverage (%)": [12.5]})
    fields = {
        "page": "parks",
        "choices": {"standard_id": "garden_city", "method": "buffer"},
        "title": title,
        "note": "第一行\n第二行",
        "author": "规划科",
        "view": MapView("none", (31.33, 120.98), 11.0, (120.8, 31.2, 121.1, 31.45)),
        "session_layers": {"parks": "a" * 64},
        "layer_hashes": {"parks": "a" * 64, "outline": "b" * 64},
        "dataset_version": "c" * 64,
        "created_at": now_iso(),
        "figures": (Figure.from_frames("by_cluster", ("按组团", "By cluster"), zh, en),),
    }
    fields.update(kw)
    return Snapshot(new_id(), **fields)


@pytest.fixture
def store(store_url, tmp_path):
    s = SnapshotStore(store_url, artefact_dir=tmp_path / "artefacts")
    yield s
    s.engine.dispose()


@BACKENDS
def test_a_snapshot_reads_back_exactly_and_saving_again_makes_a_new_one(store):
    snap = _snapshot()
    saved = store.save(snap)
    assert store.get(saved.snapshot_id) == snap
    again = store.save(_snapshot())
    assert again.snapshot_id != saved.snapshot_id
    assert len(saved.snapshot_id) >= 16
    assert len(saved.delete_token) >= 16
    assert store.count() == 2
    assert store.layers_in_use() == {"a" * 64}
    assert store.revision() == "0001"
    with pytest.raises(sa.exc.IntegrityError):  # the same id cannot be stored twice
        store.save(snap)


def test_the_view_the_browser_reports_is_kept_and_nonsense_is_not():
    reported = {
        "center": {"lat": 31.116, "lng": 120.845},
        "zoom": 12.5,
        "bounds": {
            "_southWest": {"lat": 31.05, "lng": 120.74},
            "_northEast": {"lat": 31.18, "lng": 120.95},
        },
    }
    view = MapView.from_browser("osm", reported)
    assert view == MapView("osm", (31.116, 120.845), 12.5, (120.74, 31.05, 120.95, 31.18))
    assert view.reported
    assert MapView.from_dict(view.as_dict()) == view
    # A map not drawn yet reports no centre and empty bounds: no position is kept.
    unset = {
        "center": None,
        "zoom": 10,
        "bounds": {
            "_southWest": {"lat": None, "lng": None},
            "_northEast": {"lat": None, "lng": None},
        },
    }
    assert MapView.from_browser("osm", unset) == MapView("osm")
    assert not MapView.from_browser("osm", {**reported, "zoom": 40}).reported
    with pytest.raises(SnapshotError):
        MapView("osm", bounds=(121.0, 31.0, 120.0, 31.5))  # west of east is not a map area


@BACKENDS
def test_search_matches_titles_literally_and_lists_newest_first(store):
    store.save(_snapshot("100%_达标 东部", created_at="2026-01-01T00:00:00+00:00"))
    store.save(_snapshot("西部 100 percent", created_at="2026-02-01T00:00:00+00:00"))
    assert [r.title for r in store.list(search="100%_")] == ["100%_达标 东部"]
    assert [r.title for r in store.list(search="100")] == ["西部 100 percent", "100%_达标 东部"]
    assert store.list(search="东部")[0].as_dict()["page"] == "parks"
    assert 0 < len(store.list(limit=10_000)) <= LIST_MAX


@BACKENDS
def test_deleting_needs_the_token_or_the_administrator(store):
    saved = store.save(_snapshot())
    with pytest.raises(SnapshotError, match="delete token"):
        store.delete(saved.snapshot_id, "not-the-token")
    with pytest.raises(SnapshotError, match="delete token"):
        store.delete(saved.snapshot_id, None)
    store.delete(saved.snapshot_id, saved.delete_token)
    with pytest.raises(SnapshotNotFoundError):
        store.get(saved.snapshot_id)
    other = store.save(_snapshot())
    store.delete(other.snapshot_id, None, admin=True)
    assert store.count() == 0
    assert store.layers_in_use() == set()


@BACKENDS
@pytest.mark.parametrize(
    "bad",
    ["", "1", "../../etc/passwd", "<script>alert(1)</script>", "x" * 200, "AAAAAAAAAAAAAAAAAAAAAA"],
)
def test_unknown_or_malformed_ids_are_not_found(store, bad):
    with pytest.raises(SnapshotNotFoundError, match="No such snapshot"):
        store.get(bad)


@BACKENDS
def test_artefacts_are_files_named_by_their_hash(store):
    saved = store.save(_snapshot())
    digest = store.put_artefact(saved.snapshot_id, "thumbnail.png", b"\x89PNG fake-free bytes")
    assert store.artefact_path(digest).read_bytes() == b"\x89PNG fake-free bytes"
    assert store.artefact(saved.snapshot_id, "thumbnail.png") == b"\x89PNG fake-free bytes"
    assert store.list()[0].thumbnail == digest
    assert store.artefact(saved.snapshot_id, "sheet_a4.pdf") is None


def test_every_past_schema_version_has_a_fixture_that_reads():
    versions = sorted(int(p.stem[1:]) for p in FIXTURES.glob("v*.json"))
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    for v in versions:
        raw = json.loads((FIXTURES / f"v{v}.json").read_text("utf-8"))
        snap = snapshot_from_payload(raw)
        assert snap.schema_version == SCHEMA_VERSION
        assert snap.title
        assert snap.figures[0].rows


def test_version_1_views_migrate_to_what_the_browser_reported():
    """v1 kept the server's guess of the fitted view: dropped; browser bounds, when there, kept."""
    v1 = json.loads((FIXTURES / "v1.json").read_text("utf-8"))
    assert v1["view"]["center"] is not None  # the server's estimate, not the planner's view
    migrated = snapshot_from_payload(v1).view
    assert migrated.basemap == v1["view"]["basemap"]
    assert (migrated.center, migrated.zoom, migrated.bounds) == (None, None, None)
    assert not migrated.reported

    bounds = [120.74, 31.05, 120.95, 31.18]
    reported = {**v1, "view": {"basemap": "osm", "center": [31.116, 120.845], "zoom": 12.5}}
    reported["view"]["bounds"] = bounds
    kept = snapshot_from_payload(reported).view
    assert kept.reported
    assert kept.center == (31.116, 120.845)
    assert list(kept.bounds or ()) == bounds

    v2 = snapshot_from_payload(json.loads((FIXTURES / "v2.json").read_text("utf-8")))
    assert v2.view.reported
    assert v2.view.zoom == 12.5


def test_version_2_snapshots_leave_the_settings_they_did_not_record_out_of_what_changed():
    """v3 records the settings (standards, unit table, clusters, access rules) as layers."""
    v2 = snapshot_from_payload(json.loads((FIXTURES / "v2.json").read_text("utf-8")))
    assert set(v2.unrecorded) == {"access_rules", "clusters", "park_standards", "unit_table"}
    now = {**v2.layer_hashes, "park_standards": "f" * 64, "clusters": "e" * 64}
    assert v2.changed_layers(now) == ()  # unknown then: not reported as changed
    assert v2.changed_layers({**now, "parks": "d" * 64}) == ("parks",)
    v3 = snapshot_from_payload(json.loads((FIXTURES / "v3.json").read_text("utf-8")))
    assert v3.unrecorded == ()
    assert "park_standards" in v3.layer_hashes
    edited = {**v3.layer_hashes, "park_standards": "f" * 64}
    assert v3.changed_layers(edited) == ("park_standards",)


@BACKENDS
def test_a_stored_fixture_is_migrated_when_read(store):
    raw = json.loads((FIXTURES / "v1.json").read_text("utf-8"))
    snap = snapshot_from_payload(raw)
    saved = store.save(snap)
    assert store.get(saved.snapshot_id).figure("by_cluster").rows == snap.figure("by_cluster").rows


def test_a_snapshot_from_a_newer_app_gets_a_clear_message():
    raw = json.loads((FIXTURES / "v1.json").read_text("utf-8"))
    raw["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(SnapshotError, match="newer version of the app"):
        snapshot_from_payload(raw)
    with pytest.raises(SnapshotError, match="no schema version"):
        snapshot_from_payload({k: v for k, v in raw.items() if k != "schema_version"})
    del raw["title"]
    raw["schema_version"] = 1
    with pytest.raises(SnapshotError, match="damaged"):
        snapshot_from_payload(raw)


def test_texts_have_limits_and_a_title_is_required():
    with pytest.raises(SnapshotError, match="at most 120"):
        _snapshot("x" * (TITLE_MAX + 1))
    with pytest.raises(SnapshotError, match="Please give a title"):
        _snapshot("   ")
    with pytest.raises(SnapshotError, match="note may have at most"):
        _snapshot(note="n" * (NOTE_MAX + 1))
    # Markup is kept as typed (it is escaped where shown), control characters are dropped.
    snap = _snapshot("<img src=x onerror=alert(1)>\x00\u202e")
    assert snap.title == "<img src=x onerror=alert(1)>"
    with pytest.raises(SnapshotError, match="not valid"):
        _snapshot(session_layers={"parks": "../../secret"})


def _workers(url: str, n: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, "save", f"并发 {i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]


@SEPARATE_PROCESSES
@BACKENDS
def test_fifty_saves_at_once_from_separate_processes_are_all_stored(store, store_url):
    ids = []
    for p in _workers(store_url, 50):
        with p:
            out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        ids.append(out.strip().splitlines()[-1])
    assert len(set(ids)) == 50
    assert store.count() == 50
    for snapshot_id in ids:
        assert store.get(snapshot_id).author == "worker"


@SEPARATE_PROCESSES
@BACKENDS
def test_fifty_first_uses_at_once_create_the_schema_once(store_url):
    # No store opened yet: each process may try to create the schema.
    for p in _workers(store_url, 50):
        with p:
            _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = SnapshotStore(store_url)
    assert store.count() == 50
    store.engine.dispose()


@SEPARATE_PROCESSES
@BACKENDS
def test_a_save_killed_midway_leaves_no_half_snapshot(store, store_url):
    with subprocess.Popen(
        [sys.executable, str(WORKER), store_url, "hang", "killed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        line = proc.stdout.readline()
        assert line.strip() == "inserted", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert store.count() == 0
    assert store.layers_in_use() == set()
    saved = store.save(_snapshot())  # the store is not left locked
    assert store.get(saved.snapshot_id).title == "东部组团 公园覆盖"
