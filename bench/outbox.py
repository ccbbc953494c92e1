"""How long incident notifications take to reach a healthy channel while another never answers.

A real `hindsight worker --jobs deliveries` process on a fresh SQLite data dir
(or --database) sends N incidents' notifications to two loopback webhook
receivers: one answers at once, one accepts the connection and never answers
(the sender gives up after its 10 s timeout). The figure is the time from the
worker's start until the healthy receiver has all N; the reference, in the
same run, is the same with the dead channel switched off. Before the outbox
had per-destination back-off, 12 incidents took 131 s to reach the healthy
channel.

    .venv/bin/python bench/outbox.py --incidents 12
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Healthy:
    """A receiver that answers 200 at once and counts what it got."""

    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.count += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def silent() -> tuple[socket.socket, str]:
    """A receiver that accepts connections (the kernel's backlog does) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}/hook"


def measure(incidents: int, *, with_dead: bool, env: dict[str, str]) -> float:
    """Seconds from the worker's start until the healthy receiver has every notification."""
    from django.core.management import call_command

    from hindsight.incidents.models import Incident
    from hindsight.incidents.services import declare_incident
    from hindsight.integrations.models import NotificationChannel
    from hindsight.outbox.models import Delivery, Destination

    call_command("flush", interactive=False, verbosity=0)
    healthy = Healthy()
    listener, dead_url = silent()
    NotificationChannel.objects.create(name="healthy", kind="webhook", target=healthy.url)
    NotificationChannel.objects.create(
        name="dead", kind="webhook", target=dead_url, enabled=with_dead
    )
    for n in range(incidents):
        declare_incident(title=f"Outage {n}", severity="SEV3")
    from django.db import connection

    connection.close()
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "hindsight", "worker", "--jobs", "deliveries"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        while healthy.count < incidents and time.monotonic() - started < 600:
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(60)
        healthy.server.shutdown()
        listener.close()
    assert Incident.objects.count() == incidents
    assert Delivery.objects.count() >= incidents and Destination.objects.exists()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="", help="postgresql://… (default: SQLite)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hindsight-outbox-bench-"))
    env = {**os.environ, "HINDSIGHT_DATA_DIR": str(workdir), "HINDSIGHT_LOG_LEVEL": "ERROR"}
    if args.database:
        env["HINDSIGHT_DATABASE_URL"] = args.database
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hindsight.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    dead, reference = [], []
    for _ in range(args.runs):  # alternating, so load on the machine hits both alike
        dead.append(measure(args.incidents, with_dead=True, env=env))
        reference.append(measure(args.incidents, with_dead=False, env=env))
    dead.sort()
    reference.sort()
    median = dead[len(dead) // 2]
    ref = reference[len(reference) // 2]
    print(f"incidents               {args.incidents}, runs {args.runs} (medians)")
    print(
        f"healthy, dead one on    {median:.2f} s  (all runs: {', '.join(f'{d:.2f}' for d in dead)})"
    )
    print(f"healthy, dead one off   {ref:.2f} s  (reference)")
    print(f"ratio                   {median / ref:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
