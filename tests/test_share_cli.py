"""``python -m share`` on the bundled data: create, list, export and delete, as a batch user would.

The saved figures are the page's own (checked against ``ui.figures`` computed here),
the CSV opens in Excel (UTF-8 with BOM), the GeoPackage holds the visible layers,
and the offline HTML names no other host in any ``src`` or ``href``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from share.store import SnapshotStore

ROOT = Path(__file__).resolve().parent.parent


def _share(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "share", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def created(env):
    out = _share(
        "create", "--page", "parks", "--set", "standard=garden_city", "method=buffer",
        "--title", "东部 <script>alert(1)</script>", "--note", "说明", "--author", "规划科",
        "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.cli
@pytest.mark.multiprocess
def test_create_prints_id_url_and_token_and_saves_the_pages_figures(created, env):
    assert set(created) == {"id", "url", "delete_token"}
    assert created["url"].endswith(f"/parks?snapshot={created['id']}")
    store = SnapshotStore()
    snap = store.get(created["id"])
    assert snap.choices["standard_id"] == "garden_city"
    assert [f.key for f in snap.figures] == ["key_figures", "by_cluster", "by_unit"]
    by_cluster = snap.figure("by_cluster")
    assert by_cluster.columns_zh[0] == "范围"
    assert by_cluster.columns_en[0] == "Area"
    assert len(by_cluster.rows) == 5  # four clusters and the county
    assert snap.dataset == "bundled"
    assert snap.layer_hashes["outline"]
    listed = json.loads(_share("list", "--json").stdout)
    assert listed[0]["id"] == created["id"]
    assert {"id", "title", "page", "created_at"} <= set(listed[0])
    store.engine.dispose()


@pytest.mark.cli
@pytest.mark.multiprocess
def test_exports_csv_gpkg_and_offline_html(created, tmp_path):
    csv_path, gpkg, page = tmp_path / "f.csv", tmp_path / "v.gpkg", tmp_path / "m.html"
    for fmt, path in (("csv", csv_path), ("gpkg", gpkg), ("html", page)):
        out = _share("export", created["id"], "--format", fmt, "--out", str(path))
        assert out.returncode == 0, out.stderr
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads Chinese from UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["title"] == "东部 <script>alert(1)</script>"
    assert any(r["figure"] == "按组团" for r in rows)
    names = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"outline", "units", "clusters", "parks", "snapshot"} <= names
    assert len(pyogrio.read_dataframe(gpkg, layer="clusters")) == 4
    text = page.read_text("utf-8")
    assert len(text.encode("utf-8")) <= 1_000_000
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", text)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


@pytest.mark.cli
@pytest.mark.multiprocess
def test_delete_needs_the_token_and_unknown_ids_are_a_clear_error(created):
    bad = _share("delete", created["id"], "--token", "wrong")
    assert bad.returncode == 2
    assert "delete token is not right" in bad.stderr
    ok = _share("delete", created["id"], "--token", created["delete_token"])
    assert ok.returncode == 0, ok.stderr
    gone = _share("export", created["id"], "--format", "csv", "--out", "/dev/null")
    assert gone.returncode == 2
    assert "No such snapshot" in gone.stderr
    assert "Traceback" not in gone.stderr


@pytest.mark.cli
@pytest.mark.multiprocess
def test_bad_settings_are_refused_with_a_message(env):
    out = _share("create", "--page", "clusters", "--set", "dataset=elsewhere", "--title", "t")
    assert out.returncode == 2
    assert "bundled or osm" in out.stderr
    out = _share("create", "--page", "clusters", "--set", "cluster=east", "--title", "x" * 121)
    assert out.returncode == 2
    assert "at most 120" in out.stderr


@pytest.mark.cli
@pytest.mark.multiprocess
def test_ids_and_tokens_that_start_with_a_dash_work(created, tmp_path):
    """One id in 64 saved before ids stopped starting with "-" began so: argparse took it
    for an option, so ``export`` and ``delete`` of that snapshot failed."""
    import dataclasses

    store = SnapshotStore()
    dashed = dataclasses.replace(store.get(created["id"]), snapshot_id="-" + created["id"][1:])
    saved = store.save(dashed)
    store.engine.dispose()
    out = tmp_path / "f.csv"
    exported = _share("export", saved.snapshot_id, "--format", "csv", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    wrong = _share("delete", saved.snapshot_id, "--token", "-" + saved.delete_token[1:] + "x")
    assert wrong.returncode == 2
    assert "delete token is not right" in wrong.stderr
    gone = _share("delete", saved.snapshot_id, "--token", saved.delete_token)
    assert gone.returncode == 0, gone.stderr
    assert f"deleted {saved.snapshot_id}" in gone.stdout


def test_new_ids_and_tokens_never_start_with_a_dash():
    from share.model import new_id, unguessable

    # (63/64) ** 3000: a generator that let "-" through passes this once in 10^20 runs.
    assert not [i for i in (new_id() for _ in range(3000)) if i.startswith("-")]
    assert not [t for t in (unguessable(24) for _ in range(3000)) if t.startswith("-")]
    assert all(len(new_id()) == 22 for _ in range(100))
