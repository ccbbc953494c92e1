"""Benchmark: the status page from `hindsight serve` vs nginx serving the same HTML.

Usage: .venv/bin/python bench/statuspage.py [--duration 10] [--connections 100]

Starts `hindsight serve` on a temporary data dir (demo data) and nginx with a
temporary config, both on free loopback ports, then runs wrk against each in
turn and prints requests/s, p99 latency and the ratio. Goal: >= 50% of
nginx's throughput with p99 under 10 ms at 100 connections.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRK = "/usr/bin/wrk"
NGINX = "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run_wrk(url: str, *, duration: int, connections: int, threads: int) -> tuple[float, float]:
    """Return (requests per second, p99 latency in ms)."""
    out = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors[1]} error responses from {url}")
    return rps, p99_ms


def nginx_config(root: Path, port: int, workdir: Path) -> Path:
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes auto;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  {mime}
  access_log off;
  client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{ index index.html; }}
  }}
}}
"""
    )
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per server (medians)")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=0, help="hindsight web workers (0 = default)"
    )
    args = parser.parse_args()
    for tool in (WRK, NGINX):
        if not os.path.exists(tool):
            print(f"missing {tool}")
            return 2
    workdir = Path(tempfile.mkdtemp(prefix="hindsight-bench-"))
    workdir.chmod(0o755)  # nginx workers run as an unprivileged user and must read the page
    hindsight_port, nginx_port = free_port(), free_port()
    env = {
        **os.environ,
        "HINDSIGHT_DATA_DIR": str(workdir / "data"),
        "HINDSIGHT_LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("hindsight")),
        "serve",
        "--port",
        str(hindsight_port),
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        page_url = f"http://127.0.0.1:{hindsight_port}/status/"
        html = wait_for(page_url)
        root = workdir / "www"
        root.mkdir()
        (root / "index.html").write_bytes(html)
        config = nginx_config(root, nginx_port, workdir)
        processes.append(
            subprocess.Popen([NGINX, "-c", str(config), "-e", str(workdir / "error.log")])
        )
        nginx_url = f"http://127.0.0.1:{nginx_port}/"
        assert wait_for(nginx_url) == html
        print(
            f"status page: {len(html):,} bytes; {args.connections} connections, "
            f"{args.duration} s per run, wrk -t{args.threads}"
        )
        servers = (("nginx (static file)", nginx_url), ("hindsight serve", page_url))
        for _, url in servers:
            run_wrk(url, duration=2, connections=args.connections, threads=args.threads)  # warm-up
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in servers}
        for _ in range(args.runs):  # alternate, so machine noise hits both alike
            for name, url in servers:
                samples[name].append(
                    run_wrk(
                        url,
                        duration=args.duration,
                        connections=args.connections,
                        threads=args.threads,
                    )
                )
        results = {
            name: (statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs))
            for name, runs in samples.items()
        }
        print(f"{'server':<22}{'req/s (median)':>16}{'p99 ms (median)':>17}   runs")
        for name, (rps, p99) in results.items():
            detail = ", ".join(f"{r:,.0f}/{p:.1f}" for r, p in samples[name])
            print(f"{name:<22}{rps:>16,.0f}{p99:>17.2f}   {detail}")
        ours, theirs = results["hindsight serve"], results["nginx (static file)"]
        ratio = ours[0] / theirs[0]
        print(
            f"ratio: {ratio:.0%} of nginx's throughput; hindsight p99 {ours[1]:.2f} ms "
            f"(goal: >= 50% and < 10 ms: {'met' if ratio >= 0.5 and ours[1] < 10 else 'NOT met'})"
        )
        return 0
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
