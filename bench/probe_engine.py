"""Benchmark the probe engine on loopback: checks/s, schedule lag, RSS, and the wrk ceiling.

Steps, each bounded in time and count:
1. start a target on 127.0.0.1: nginx from Debian with a temporary config when
   /usr/sbin/nginx exists, else an aiohttp server in a child process;
2. throughput: run `--checks` HTTP checks through run_batch `--runs` times
   (each run capped at `--run-seconds`) and take the median checks/s;
3. schedule lag: `--monitors` monitors on `--interval` s spread with next_due,
   run for `--seconds` s by a loop that claims what is due and runs it through
   run_batch, as the worker does; lag = check start minus due time;
4. ceiling: wrk -H "Connection: close" against the same target for `--wrk-seconds`;
5. print the figures and the ratio of engine checks/s to the wrk ceiling, and the
   CPU per request of aiohttp doing the same GETs (what the check path used before).

Usage: python bench/probe_engine.py [--checks 20000] [--concurrency 256] [--monitors 100000]
       [--processes 2] [--loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import heapq
import multiprocessing
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hindsight.probe.http import make_session
from hindsight.probe.model import CheckSpec, Status
from hindsight.probe.runner import next_due, run_batch

LOOPBACK = "127.0.0.1"
PAGE = b"<html><body>" + b"hindsight " * 1200 + b"</body></html>"  # about 12 KB
NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
T = TypeVar("T")

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log error;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen {host}:{port} backlog=4096;
        root {tmp}/www;
        location / {{ index index.html; }}
    }}
}}
"""

AIOHTTP_TARGET = """
import sys
from aiohttp import web
page = open(sys.argv[2], "rb").read()
async def index(request):
    return web.Response(body=page, content_type="text/html")
app = web.Application()
app.router.add_get("/", index)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


def wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"target on port {port} did not start within {seconds} s")


@contextmanager
def target(kind: str) -> Iterator[tuple[str, str]]:
    """Start the target; yields (its description, its URL)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hindsight-bench-") as tmp:
        os.chmod(tmp, 0o755)
        (Path(tmp) / "www").mkdir()
        (Path(tmp) / "www" / "index.html").write_bytes(PAGE)
        if kind == "nginx":
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, host=LOOPBACK, port=port))
            cmd = [NGINX, "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log"]
            label = "nginx (Debian, 1 worker)"
        else:
            cmd = [sys.executable, "-c", AIOHTTP_TARGET, str(port), f"{tmp}/www/index.html"]
            label = "aiohttp server in a child process"
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(port)
            yield label, f"http://{LOOPBACK}:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


async def throughput(
    url: str, checks: int, concurrency: int, cap: float
) -> tuple[float, float, int]:
    """One run: checks/s, CPU seconds (user+sys) per check, and how many were not UP.

    CPU per check moves much less with the machine's load than checks/s does.
    """
    specs = [CheckSpec(kind="http", url=url, timeout=5.0, monitor_id=str(i)) for i in range(checks)]
    async with make_session(concurrency=concurrency) as session:
        started, cpu = time.perf_counter(), time.process_time()
        async with asyncio.timeout(cap):
            results = await run_batch(specs, concurrency=concurrency, session=session)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    failures = sum(1 for r in results if r.status is not Status.UP)
    return len(results) / elapsed, cpu / len(results), failures


async def aiohttp_reference(url: str, requests: int, concurrency: int) -> float:
    """CPU seconds per request for aiohttp doing the same request a check does.

    A `ClientSession` with a new connection per request (`force_close`), as the
    check path used before `wire.Session`; kept here to show why it was replaced.
    """
    import aiohttp

    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(force_close=True, limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:

        async def one() -> None:
            async with limit, session.get(url) as response:
                response.raise_for_status()

        cpu = time.process_time()
        await asyncio.gather(*(one() for _ in range(requests)))
        return (time.process_time() - cpu) / requests


async def wire_reference(url: str, requests: int, concurrency: int) -> float:
    """CPU seconds per request for `wire.Session` alone (no check logic around it)."""
    from yarl import URL

    from hindsight.probe.wire import Session

    class Progress:
        reading_body, bytes_read, body_complete = False, 0, False

    target = URL(url)
    async with Session(concurrency=concurrency) as session:

        async def one() -> None:
            response = await session.request(
                "GET", target, {}, read_body=False, limit=1, progress=Progress()
            )
            assert response.status == 200

        cpu = time.process_time()
        await asyncio.gather(*(one() for _ in range(requests)))
        return (time.process_time() - cpu) / requests


async def schedule_lag(
    url: str, monitors: range, interval: float, seconds: float, concurrency: int
) -> tuple[list[float], int, int]:
    """Run a claim-due-then-run_batch loop for `seconds`; returns lags (s), checks, failures."""
    period = timedelta(seconds=interval)
    start = datetime.now(UTC)
    due: list[tuple[datetime, int]] = [(next_due(str(i), period, start), i) for i in monitors]
    heapq.heapify(due)
    specs = {i: CheckSpec(kind="http", url=url, timeout=5.0, monitor_id=str(i)) for i in monitors}
    lags: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds
    async with make_session(concurrency=concurrency) as session:
        while time.monotonic() < stop:
            now = datetime.now(UTC)
            batch: list[tuple[datetime, int]] = []
            while due and due[0][0] <= now and len(batch) < 4 * concurrency:
                batch.append(heapq.heappop(due))
            if not batch:
                wait = (due[0][0] - now).total_seconds() if due else 0.05
                await asyncio.sleep(min(max(wait, 0.001), 0.05))
                continue
            results = await run_batch(
                [specs[i] for _, i in batch], concurrency=concurrency, session=session
            )
            for (when, i), result in zip(batch, results, strict=True):
                lags.append((result.checked_at - when).total_seconds())
                failures += result.status is not Status.UP
                heapq.heappush(due, (next_due(str(i), period, when), i))
    return lags, len(lags), failures


def run(coro: Coroutine[Any, Any, T], loop: str) -> T:
    """Run on the stock asyncio loop or on uvloop (if installed)."""
    if loop == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coro)
    return asyncio.run(coro)


def in_processes(processes: int, job: Callable[[int], T]) -> list[T]:
    """Run job(0..processes-1) at the same time in forked processes, as N workers would."""
    if processes == 1:
        return [job(0)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        return list(pool.map(job, range(processes)))


def wrk_ceiling(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "-H", "Connection: close", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise SystemExit(f"could not read wrk output:\n{out}")
    return float(match.group(1))


def rss_mib() -> tuple[float, float]:
    """Current and peak resident memory of this process, MiB."""
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def _throughput_job(
    url: str, checks: int, concurrency: int, cap: float, loop: str, _shard: int
) -> tuple[float, float, int]:
    return run(throughput(url, checks, concurrency, cap), loop)


def _schedule_job(
    url: str,
    monitors: int,
    processes: int,
    interval: float,
    seconds: float,
    concurrency: int,
    loop: str,
    shard: int,
) -> tuple[list[float], int, int, float]:
    # each process owns every n-th monitor, as workers sharing the table would
    mine = range(shard, monitors, processes)
    lags, done, failures = run(schedule_lag(url, mine, interval, seconds, concurrency), loop)
    return lags, done, failures, rss_mib()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--run-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--monitors", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--target", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--processes", type=int, default=1, help="engine processes (workers)")
    args = parser.parse_args()
    kind = args.target
    if kind == "auto":
        kind = "nginx" if Path(NGINX).exists() else "aiohttp"

    with target(kind) as (label, url):
        print(
            f"target: {label} at {url}, {len(PAGE)} byte page; {os.cpu_count()} CPUs; "
            f"{args.loop} event loop"
        )
        n = args.processes
        rates, cpus = [], []
        for attempt in range(args.runs):
            job = functools.partial(
                _throughput_job,
                url,
                args.checks // n,
                args.concurrency,
                args.run_seconds,
                args.loop,
            )
            parts = in_processes(n, job)
            rate = sum(p[0] for p in parts)
            cpu = statistics.mean(p[1] for p in parts)
            failures = sum(p[2] for p in parts)
            rates.append(rate)
            cpus.append(cpu)
            print(
                f"  run {attempt + 1}: {rate:,.0f} checks/s, {cpu * 1e6:.0f} µs CPU per check "
                f"({failures} not up)"
            )
        cpu = statistics.median(cpus)
        median = statistics.median(rates)
        print(
            f"engine throughput: {median:,.0f} checks/s (median of {args.runs} runs of "
            f"{args.checks:,} checks, {n} process(es), concurrency {args.concurrency} each)"
        )
        print(
            f"engine CPU: {cpu * 1e6:.0f} µs per check (user+sys, median), "
            f"so about {1 / cpu:,.0f} checks/s per fully used core"
        )
        requests = min(args.checks, 10_000)
        reference = statistics.median(
            run(aiohttp_reference(url, requests, args.concurrency), args.loop)
            for _ in range(args.runs)
        )
        lean = statistics.median(
            run(wire_reference(url, requests, args.concurrency), args.loop)
            for _ in range(args.runs)
        )
        print(
            f"one GET on a new connection, CPU per request (median of {args.runs}): "
            f"aiohttp ClientSession {reference * 1e6:.0f} µs, wire.Session {lean * 1e6:.0f} µs "
            f"(ratio {lean / reference:.2f})"
        )

        target_rate = args.monitors / args.interval
        job_lag = functools.partial(
            _schedule_job,
            url,
            args.monitors,
            n,
            args.interval,
            args.seconds,
            args.concurrency,
            args.loop,
        )
        shards = in_processes(n, job_lag)
        lags = [lag for shard in shards for lag in shard[0]]
        done = sum(shard[1] for shard in shards)
        failures = sum(shard[2] for shard in shards)
        print(
            f"schedule: {args.monitors:,} monitors every {args.interval:g} s "
            f"(target {target_rate:,.0f} checks/s) in {n} process(es) for {args.seconds:g} s: "
            f"{done:,} checks = {done / args.seconds:,.0f} checks/s, {failures} not up"
        )
        if lags:
            print(
                f"schedule lag: p50 {percentile(lags, 50) * 1000:.1f} ms, "
                f"p99 {percentile(lags, 99) * 1000:.1f} ms, max {max(lags) * 1000:.1f} ms"
            )
        peak = max(shard[3] for shard in shards)
        print(f"RSS: {peak:.0f} MiB peak per engine process ({args.monitors // n:,} monitors each)")

        if Path(WRK).exists() and shutil.which(WRK):
            ceiling = wrk_ceiling(url, args.wrk_seconds, min(args.concurrency, 256))
            print(f'loopback ceiling: wrk -H "Connection: close" {ceiling:,.0f} req/s')
            print(f"ratio engine / ceiling: {median / ceiling:.2f}")
        else:
            print("loopback ceiling: wrk not installed, ratio not measured")


if __name__ == "__main__":
    main()
