"""One address for the bureau: N Streamlit replicas behind Debian's nginx, in the foreground.

    python deploy/serve.py --replicas 2 --port 8500     # make serve REPLICAS=2 PORT=8500

Replica i listens on 127.0.0.1:(PORT + i); nginx listens on PORT and proxies
HTTP and Streamlit's websocket to them. A planner's requests stay on one
replica (sticky by Streamlit's XSRF cookie, so that an upload reaches the
session it belongs to). Every two seconds each replica's ``/_stcore/health`` is
asked: a replica that misses two checks in a row is taken out of nginx's rotation (the
configuration rewritten and reloaded), a replica whose process has ended is
started again, and it returns to the rotation once it answers. ``DATABASE_URL``
and ``KUNSHAN_DATA_DIR`` are passed to every replica from the environment.
SIGTERM or SIGINT stops the replicas and nginx.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTH_EVERY_S = 2.0

_NGINX = """
daemon off;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  client_max_body_size {upload_mb}m;
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  # Sticky: a planner's requests (page, websocket, uploads) go to one replica.
  map $cookie__streamlit_xsrf $sticky {{
    "" $remote_addr$http_user_agent;
    default $cookie__streamlit_xsrf;
  }}
  upstream kunshan_replicas {{
    hash $sticky consistent;
{servers}
  }}
  server {{
    listen {port};
    location / {{
      proxy_pass http://kunshan_replicas;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 86400s;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""


def nginx_config(port: int, replicas: list[int], live: set[int], tmp: Path, upload_mb: int) -> str:
    """Return nginx's configuration: the replicas that answer, the others marked down."""
    servers = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s{'' if p in live else ' down'};"
        for p in replicas
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers write the temp folders below
    return _NGINX.format(tmp=tmp, user=user, upload_mb=upload_mb, servers=servers, port=port)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _replica(port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    where = ["--server.port", str(port), "--server.address", "127.0.0.1"]
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", *where, "--server.headless", "true"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _upload_mb() -> int:
    text = (ROOT / ".streamlit" / "config.toml").read_text("utf-8")
    for line in text.splitlines():
        if line.strip().startswith("maxUploadSize"):
            return int(line.split("=", 1)[1].split("#", 1)[0].strip())
    return 200  # Streamlit's default


def serve(replicas: int, port: int) -> int:
    """Run until SIGTERM/SIGINT; return the exit code."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("没有找到 nginx（apt-get install nginx-light）。 / nginx not found.", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="kunshan-serve-"))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir()
    ports = [port + i for i in range(1, replicas + 1)]
    procs = {p: _replica(p, tmp / f"replica-{p}.log") for p in ports}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(_healthy(p) for p in ports):
        time.sleep(0.5)
    live = {p for p in ports if _healthy(p)}
    conf = tmp / "nginx.conf"
    upload_mb = _upload_mb()
    conf.write_text(nginx_config(port, ports, live, tmp, upload_mb))
    front = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)], start_new_session=True)
    print(f"serving on http://0.0.0.0:{port} — replicas {ports}, live {sorted(live)}", flush=True)
    stopping = False
    failures = dict.fromkeys(ports, 0)

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and front.poll() is None:
            time.sleep(HEALTH_EVERY_S)
            for p, proc in list(procs.items()):
                if proc.poll() is not None:  # the process ended: start it again
                    print(f"replica {p} ended ({proc.returncode}); starting it again", flush=True)
                    procs[p] = _replica(p, tmp / f"replica-{p}.log")
            for p in ports:
                failures[p] = 0 if _healthy(p) else failures[p] + 1
            # Out after two missed checks in a row (one slow answer under load is not death).
            now = {p for p in ports if failures[p] < 2 and procs[p].poll() is None}
            if now != live:
                live = now
                conf.write_text(nginx_config(port, ports, live, tmp, upload_mb))
                reload = [nginx, "-c", str(conf), "-p", str(tmp), "-s", "reload"]
                subprocess.run(reload, check=False)
                print(f"live replicas now {sorted(live)}", flush=True)
    finally:
        front.terminate()
        for proc in procs.values():
            proc.terminate()
        for proc in (front, *procs.values()):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if stopping else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8500)
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return serve(args.replicas, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
