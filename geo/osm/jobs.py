"""Long OpenStreetMap jobs (refresh, import) in their own process, with a progress log.

A refresh downloads for minutes and an import of a county extract reads for a
minute; run in a Streamlit session they would hold the server's interpreter and slow
every other planner's page. :func:`start_osm_job` starts ``python -m geo.osm …`` as a
child process writing its progress to a log beside the cache; :func:`osm_job_status`
reads that log and whether the job has ended, from any session. One job per cache
runs at a time; the cache itself is only replaced, atomically, when the job succeeds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.errors import JobRunningError, PlanningMapError
from geo.paths import CODE_ROOT

__all__ = ["JobStatus", "osm_job_status", "start_osm_job"]

JobKind = Literal["refresh", "import"]


@dataclass(frozen=True)
class JobStatus:
    """A job's state: running or ended (with its exit code), and its progress lines."""

    kind: str
    started_at: str
    running: bool
    exit_code: int | None
    lines: tuple[str, ...]

    @property
    def succeeded(self) -> bool:
        """Whether the job ended with exit code 0."""
        return not self.running and self.exit_code == 0


def _paths(cache: Path) -> tuple[Path, Path, Path]:
    cache = Path(cache)
    stem = cache.with_name(f".{cache.name}.job")
    return stem.with_suffix(".json"), stem.with_suffix(".log"), stem.with_suffix(".exit")


# The children this server process started, so that they are reaped when they end (a
# zombie would look alive) and not left to Popen's destructor while running.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def osm_job_status(cache: Path) -> JobStatus | None:
    """Return the state of the last job for ``cache`` (None if none was started)."""
    info_path, log_path, exit_path = _paths(cache)
    if not info_path.is_file():
        return None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    exit_code = None
    if exit_path.is_file():
        text = exit_path.read_text(encoding="utf-8").strip()
        exit_code = int(text) if text.lstrip("-").isdigit() else 1
    running = exit_code is None and _alive(int(info["pid"]))
    if exit_code is None and not running:
        exit_code = 1  # the process is gone without a word: it was killed
    lines: tuple[str, ...] = ()
    if log_path.is_file():
        lines = tuple(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:])
    return JobStatus(info["kind"], info["started_at"], running, exit_code, lines)


def start_osm_job(cache: Path, kind: JobKind, *, pbf: Path | None = None) -> JobStatus:
    """Start a refresh (or an import of ``pbf``) of ``cache`` in a child process.

    Raises
    ------
    JobRunningError
        If a job for this cache is still running.
    """
    cache = Path(cache)
    status = osm_job_status(cache)
    if status is not None and status.running:
        msg = (
            f"已有一个 OpenStreetMap 任务（{status.kind}，开始于 {status.started_at}）正在运行。 / "
            f"An OpenStreetMap {status.kind} started at {status.started_at} is still running."
        )
        raise JobRunningError(msg)
    info_path, log_path, exit_path = _paths(cache)
    cache.parent.mkdir(parents=True, exist_ok=True)
    exit_path.unlink(missing_ok=True)
    args = [sys.executable, "-m", "geo.osm", kind]
    if kind == "import":
        if pbf is None:
            msg = "导入需要一个 .osm.pbf 文件。 / An import needs an .osm.pbf file."
            raise PlanningMapError(msg)
        args.append(str(pbf))
    args += ["--out", str(cache), "--exit-file", str(exit_path)]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            args, cwd=CODE_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    _CHILDREN[process.pid] = process
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    info = {"pid": process.pid, "kind": kind, "started_at": started}
    info_path.write_text(json.dumps(info), encoding="utf-8")
    return JobStatus(kind, started, True, None, ())
