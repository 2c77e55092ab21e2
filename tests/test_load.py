"""The load generator speaks Streamlit's protocol: its report and its JSON line are a contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser import ROOT, streamlit_app

pytestmark = pytest.mark.multiprocess  # a `streamlit run` of its own

KEYS = ["scenario", "sessions", "finished", "errors", "p50_s", "p95_s", "max_s", "rss_mb"]


def _load(url: str, *args: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--url", url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout.strip().splitlines()


def test_sessions_open_the_page_change_a_choice_and_report_as_json(tmp_path):
    with streamlit_app(env={"KUNSHAN_DATA_DIR": str(tmp_path)}) as url:
        code, lines = _load(url, "--sessions", "3", "--scenario", "clusters", "--json")
        assert code == 0, lines
        report = json.loads(lines[-1])
        assert list(report)[: len(KEYS)] == KEYS
        assert report["scenario"] == "clusters"
        assert report["sessions"] == report["finished"] == 3
        assert report["errors"] == 0
        assert 0 < report["p50_s"] <= report["p95_s"] <= report["max_s"]
        assert report["change_p50_s"] > 0  # the cluster chosen, and the page followed it
        assert len(report["rss_mb"]) == 1
        assert report["rss_mb"][0] > 50
        # A page that is not there is an error of every session, not a silent success.
        code, lines = _load(f"{url.rsplit(':', 1)[0]}:9", "--sessions", "2", "--json")
        assert code == 1
        assert json.loads(lines[-1])["errors"] == 2
