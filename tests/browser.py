"""Helpers to run the app with `streamlit run` and drive it in headless Debian Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from layers.assets import missing_vendor_files

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "artifacts"


def require_browser() -> None:
    """Skip, or fail with REQUIRE_BROWSER=1, without Chromium, Playwright or vendored Leaflet."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not installed (make browser-deps installs Debian chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    missing = missing_vendor_files(ROOT / "static")
    assert not missing, f"vendored Leaflet missing: {missing}; run make vendor"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_app(env: dict[str, str] | None = None, timeout_s: float = 60.0) -> Iterator[str]:
    """Start `streamlit run app.py` on a free local port; yield its URL; stop it."""
    port = free_port()
    log = tempfile.TemporaryFile()  # a pipe could fill up and block the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "KUNSHAN_BASEMAP": "none", **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    msg = f"streamlit did not start: {output[-2000:]}"
                    raise RuntimeError(msg) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def map_frame(
    page, timeout_s: float = 30.0, *, drawn: str = ".leaflet-container path.leaflet-interactive"
):
    """Return the frame holding the drawn Leaflet map (waits until ``drawn`` exists in it).

    A map rebuilt with other layers is a new frame: wait for what the new one draws.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(drawn):
                    return frame
            except Exception:
                continue
        time.sleep(0.05)
    msg = "the Leaflet map did not appear"
    raise TimeoutError(msg)
