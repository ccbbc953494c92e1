"""Compare web servers for `hindsight serve` on the same Django pages.

Starts Hindsight under granian running the ASGI front (`hindsight.asgi`, what
`serve` uses: bodies read on the event loop, Django on a thread pool), granian
running Django as plain WSGI (the reference: what `serve` used before the
front), gunicorn (gthread) and uvicorn (the same ASGI front) in turn on a loopback port with the same data dir, and
loads each with wrk: the login page (a full Django request: middleware,
session, CSRF, template) and a static file. Prints requests/s and p99 latency,
median of the runs. Bounded: RUNS × DURATION seconds per server and page.

    .venv/bin/pip install -e ".[bench]"; .venv/bin/python bench/webservers.py
"""

from __future__ import annotations

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

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
PAGES = {"login page (Django)": "/accounts/login/", "static file": "/static/hindsight/app.css"}
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def granian(port: int, static_root: Path, target: str, *options: str) -> list[str]:
    return [
        str(VENV_BIN / "granian"),
        *options,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--static-path-route",
        "/static",
        "--static-path-mount",
        str(static_root),
        "--log-level",
        "warning",
        target,
    ]


def servers(port: int, static_root: Path) -> dict[str, list[str]]:
    threads = str(2 * (os.cpu_count() or 1))
    return {
        "granian (ASGI front)": granian(
            port, static_root, "hindsight.asgi:application", "--interface", "asginl"
        ),
        "granian (WSGI)": granian(
            port,
            static_root,
            "hindsight.wsgi:application",
            "--interface",
            "wsgi",
            "--blocking-threads",
            threads,
        ),
        "gunicorn (gthread)": [
            str(VENV_BIN / "gunicorn"),
            "-k",
            "gthread",
            "--threads",
            threads,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "hindsight.wsgi:application",
        ],
        "uvicorn (ASGI front)": [
            str(VENV_BIN / "uvicorn"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "hindsight.asgi:application",
        ],
    }


def wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=DURATION + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="hindsight-bench-"))
    env = {
        **os.environ,
        "HINDSIGHT_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hindsight.settings",
    }
    env.pop("HINDSIGHT_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, check=True
    )
    # gunicorn and uvicorn have no static serving of their own: Django serves it there.
    print(f"{RUNS} runs × {DURATION}s, {CONNECTIONS} connections, {os.cpu_count()} cores; medians")
    print(f"{'server':<20} {'page':<20} {'req/s':>9} {'p99 ms':>8}")
    try:
        for name in servers(0, data_dir):
            port = free_port()
            command = servers(port, data_dir / "static")[name]
            if not Path(command[0]).exists():
                print(f"{name:<20} not installed (pip install -e '.[bench]')")
                continue
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                wait(f"http://127.0.0.1:{port}/accounts/login/")
                for label, path in PAGES.items():
                    if path.startswith("/static/") and not name.startswith("granian"):
                        print(f"{name:<20} {label:<20} {'n/a: no static serving of its own':>18}")
                        continue
                    results = [wrk(f"http://127.0.0.1:{port}{path}") for _ in range(RUNS)]
                    rps = statistics.median(r for r, _ in results)
                    p99 = statistics.median(p for _, p in results)
                    print(f"{name:<20} {label:<20} {rps:>9.0f} {p99:>8.1f}")
            finally:
                proc.terminate()
                proc.wait(timeout=20)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
