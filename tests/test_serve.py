"""The team server: two replicas behind nginx (deploy/serve.py), 20 protocol sessions through it.

A snapshot saved through replica 1 opens on replica 2 (one store), a killed replica
is taken out of the rotation and started again, and SIGTERM stops everything.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ROOT, free_port

pytestmark = pytest.mark.multiprocess

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _up(url: str, timeout_s: float = 150.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    msg = f"{url} did not answer"
    raise TimeoutError(msg)


def _load(url: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--url", url, *args, "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_replicas_behind_nginx_share_one_store_and_survive_a_dead_one(tmp_path, monkeypatch):
    if not Path(NGINX).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":  # CI: make serve-deps installs it
            pytest.fail("nginx is not installed (make serve-deps)")
        pytest.skip("nginx is not installed (make serve-deps)")
    port = free_port()
    while any(_taken(port + i) for i in (1, 2)):
        port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the SQLite store here
    env |= {"KUNSHAN_DATA_DIR": str(tmp_path), "KUNSHAN_BASEMAP": "none"}
    server = subprocess.Popen(
        [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    front, one, two = (f"http://127.0.0.1:{port + i}" for i in (0, 1, 2))
    try:
        for url in (one, two, front):
            _up(url)
        report = _load(front, "--sessions", "20", "--scenario", "clusters")
        assert report["finished"] == 20, report
        assert report["errors"] == 0
        # A snapshot saved through replica 1 opens on replica 2.
        saved = _load(one, "--sessions", "1", "--scenario", "snapshot")
        assert saved["errors"] == 0, saved
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import load

        from share.store import open_store

        monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        rows = open_store().list()
        assert len(rows) == 1
        link = f"snapshot={rows[0].snapshot_id}"
        permalink = load.Scenario("parks", query=link, expect="负载测试")
        opened = asyncio.run(load._session(two, permalink, 120))
        assert opened.error == ""
        # Replica 2 killed: nginx sends everyone to replica 1, and replica 2 comes back.
        pid = next(
            int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and f"{port + 2}".encode() in _cmdline(p)
            and b"streamlit" in _cmdline(p)
        )  # fmt: skip
        os.kill(pid, signal.SIGKILL)
        report = _load(front, "--sessions", "6", "--scenario", "clusters")
        assert report["errors"] == 0, report
        _up(two, 60)
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    assert server.returncode == 0, out
    assert b"starting it again" in out
    time.sleep(1)
    assert not _taken(port)  # nginx stopped with it
    assert not _taken(port + 1)


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def _taken(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
