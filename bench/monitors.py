"""Benchmark the whole monitoring pipeline: real `hindsight worker` processes, real database.

N monitors on a 60 s interval (spread over the interval by the scheduler's
jitter) point at a local target (nginx from /usr/sbin/nginx on a free loopback
port, else an in-process aiohttp server in a child process; `apt-get install
nginx-light wrk` gives both nginx and the ceiling tool). Every slot is first
put on its next grid time, as in a system that kept up. Workers run for a fixed
time; then this prints checks/s (whole run and steady part), p50/p99 schedule
lag (check start minus its grid due time, from the stored results) in total and
per 10 s, the workers' CPU per check and peak RSS, database growth, and the
loopback ceiling measured in the same run with `wrk -H "Connection: close"`
against the same target, and the ratio.

    .venv/bin/python bench/monitors.py --monitors 20000 --seconds 60
    .venv/bin/python bench/monitors.py --monitors 100000 --seconds 60 --workers 2
    .venv/bin/python bench/monitors.py --monitors 100000 --seconds 60 --workers 2 \
        --database postgresql://postgres@127.0.0.1:5432/hindsight_bench
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_target(workdir: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    """nginx answering 200 on a free loopback port, or an aiohttp process without nginx."""
    port = free_port()
    nginx = "/usr/sbin/nginx"
    if os.path.exists(nginx):
        conf = workdir / "nginx.conf"
        conf.write_text(
            textwrap.dedent(f"""
            worker_processes 1;
            daemon off;
            pid {workdir}/nginx.pid;
            error_log {workdir}/nginx-error.log;
            events {{ worker_connections 4096; }}
            http {{
              access_log off;
              client_body_temp_path {workdir}/body;
              proxy_temp_path {workdir}/proxy;
              fastcgi_temp_path {workdir}/fastcgi;
              uwsgi_temp_path {workdir}/uwsgi;
              scgi_temp_path {workdir}/scgi;
              server {{
                listen 127.0.0.1:{port} backlog=4096;
                location / {{ return 200 "ok\\n"; }}
              }}
            }}
            """)
        )
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(workdir)])
        kind = "nginx"
    else:
        code = (
            "import sys; from aiohttp import web\n"
            "app = web.Application()\n"
            "app.router.add_get('/{t:.*}', lambda r: web.Response(text='ok'))\n"
            "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), access_log=None, print=None)\n"
        )
        proc = subprocess.Popen([sys.executable, "-c", code, str(port)])
        kind = "aiohttp (no nginx)"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port, kind
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the target did not start")


def loopback_ceiling(port: int, seconds: int) -> float | None:
    """Requests/s that wrk gets from the target with a new connection per request."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    out = subprocess.run(
        [
            wrk,
            "-t2",
            "-c64",
            f"-d{seconds}s",
            "-H",
            "Connection: close",
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else None


def create_monitors(n: int, interval: int, port: int) -> None:
    """N monitors with one region-less slot each, due on their own grid times."""
    from django.utils import timezone

    from hindsight import probe
    from hindsight.monitors.engine import schedule_key, state_to_json
    from hindsight.monitors.models import Monitor, MonitorRegionState

    now = timezone.now()
    step = timedelta(seconds=interval)
    # A running system: every monitor already up, so a check changes no state.
    up = state_to_json(probe.ProbeState(status=probe.Status.UP, health=probe.Status.UP))
    for start in range(0, n, 5000):
        batch = [
            Monitor(
                name=f"bench {i:06d}",
                target=f"http://127.0.0.1:{port}/m{i}",
                interval_seconds=interval,
                timeout_seconds=10,
                state="up",
                engine_state=up,
            )
            for i in range(start, min(n, start + 5000))
        ]
        Monitor.objects.bulk_create(batch)
        ids = Monitor.objects.filter(name__in=[m.name for m in batch]).values_list("pk", flat=True)
        MonitorRegionState.objects.bulk_create(
            MonitorRegionState(
                monitor_id=pk,
                region="",
                next_due_at=probe.next_due(schedule_key(pk, ""), step, now),
            )
            for pk in ids
        )


def regrid(interval: int, after: Any) -> None:
    """Put every slot on its first grid time after `after`, as in a system that kept up.

    Creating 100,000 monitors takes a while; without this, the ones whose grid
    time passed meanwhile would all be due at once when the workers start.
    """
    from django.db import connection, transaction

    from hindsight import probe
    from hindsight.monitors.engine import schedule_key
    from hindsight.monitors.models import MonitorRegionState

    step = timedelta(seconds=interval)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (adapt(probe.next_due(schedule_key(pk, region), step, after)), pk_slot)
        for pk_slot, pk, region in MonitorRegionState.objects.values_list(
            "pk", "monitor_id", "region"
        ).iterator(chunk_size=10000)
    ]
    table = MonitorRegionState._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET next_due_at = %s WHERE id = %s", rows)


def database_bytes() -> int:
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def schedule_lags(interval: int, since: Any, warmup: float) -> list[tuple[float, float]]:
    """(Due time in seconds after start, check start minus that due time), after the warm-up."""
    from hindsight import probe
    from hindsight.monitors.engine import schedule_key
    from hindsight.monitors.models import CheckResult

    step = timedelta(seconds=interval)
    lags = []
    rows = CheckResult.objects.filter(checked_at__gte=since).values_list("monitor_id", "checked_at")
    for pk, checked_at in rows.iterator(chunk_size=10000):
        due = probe.next_due(schedule_key(pk, ""), step, checked_at) - step
        offset = (due - since).total_seconds()
        if offset >= warmup:
            lags.append((offset, (checked_at - due).total_seconds()))
    return lags


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=60, help="How long the workers run.")
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1, help="Worker processes.")
    parser.add_argument("--concurrency", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database", default="", help="postgresql://… (default: SQLite)")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="Ignore lag of checks due this soon after start."
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hindsight-bench-"))
    env = {**os.environ, "HINDSIGHT_DATA_DIR": str(workdir), "HINDSIGHT_LOG_LEVEL": "WARNING"}
    if args.database:
        env["HINDSIGHT_DATABASE_URL"] = args.database
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hindsight.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hindsight.monitors.models import CheckResult, Monitor

    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    target, port, kind = start_target(workdir)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.monotonic()
        create_monitors(args.monitors, args.interval, port)
        print(
            f"created {args.monitors} monitors in {time.monotonic() - t0:.1f} s "
            f"({connection.vendor}, target {kind} on 127.0.0.1:{port})"
        )
        size_before = database_bytes()
        regrid(args.interval, timezone.now())
        command = [
            sys.executable,
            "-m",
            "hindsight",
            "worker",
            "--concurrency",
            str(args.concurrency),
            "--batch-size",
            str(args.batch_size),
        ]
        workers = [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(args.workers)]
        started = timezone.now()  # figures count from the workers' launch
        time.sleep(args.seconds)
        rss = [peak_rss_mb(w.pid) for w in workers]
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers)
        stopped = timezone.now()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=120)
        finished = timezone.now()
        connection.close()
        checks = CheckResult.objects.filter(checked_at__gte=started).count()
        # the rate once every worker is up: from the warm-up's end to a second before the stop
        window_start = started + timedelta(seconds=args.warmup)
        window_end = finished - timedelta(seconds=1)
        steady = CheckResult.objects.filter(
            checked_at__gte=window_start, checked_at__lt=window_end
        ).count() / max(0.001, (window_end - window_start).total_seconds())
        elapsed = (finished - started).total_seconds()
        timed_lags = schedule_lags(args.interval, started, args.warmup)
        lags = sorted(lag for _, lag in timed_lags)
        growth = database_bytes() - size_before
        ceiling = loopback_ceiling(port, args.wrk_seconds)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        target.terminate()
        target.wait(timeout=10)
    due_rate = args.monitors / args.interval
    rate = checks / elapsed
    p50 = statistics.median(lags) if lags else float("nan")
    p99 = lags[int(len(lags) * 0.99) - 1] if lags else float("nan")
    print(
        f"monitors            {args.monitors} every {args.interval} s = {due_rate:.0f} checks/s due"
    )
    print(f"workers             {args.workers} process(es), concurrency {args.concurrency}")
    print(
        f"checks/s            {rate:.0f} ({checks} checks in {elapsed:.0f} s; {100 * rate / due_rate:.0f} % of due)"
    )
    print(
        f"steady checks/s     {steady:.0f} ({100 * steady / due_rate:.0f} % of due; "
        f"from {args.warmup:g} s after start to 1 s before the stop)"
    )
    print(
        f"schedule lag        p50 {p50:.2f} s, p99 {p99:.2f} s (checks due after {args.warmup:g} s warm-up)"
    )
    windows: dict[int, list[float]] = {}
    for offset, lag in timed_lags:
        windows.setdefault(int(offset // 10) * 10, []).append(lag)
    print(
        "p99 lag by due time "
        + ", ".join(
            f"{start}-{start + 10} s: {sorted(w)[int(len(w) * 0.99) - 1]:.2f}"
            for start, w in sorted(windows.items())
            if len(w) >= 100
        )
    )
    until_stop = CheckResult.objects.filter(checked_at__gte=started, checked_at__lt=stopped)
    print(
        f"worker CPU          {1e6 * worker_cpu / max(1, until_stop.count()):.0f} µs per check "
        "(user + system of the worker processes, start-up included)"
    )
    print(f"worker peak RSS     {', '.join(f'{r:.0f} MB' for r in rss)}")
    print(f"database growth     {growth / 1e6:.1f} MB ({growth / max(checks, 1):.0f} bytes/check)")
    print(f"monitors in DB      {Monitor.objects.count()}")
    if ceiling:
        print(
            f"loopback ceiling    {ceiling:.0f} req/s (wrk -H 'Connection: close', {args.wrk_seconds} s)"
        )
        print(f"ratio               {rate / ceiling:.2f} of the ceiling")
    else:
        print("loopback ceiling    wrk not found")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
