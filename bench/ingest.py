"""Ingest benchmarks: timeline events/s through the batch API, and a 1,000,000-message Slack import.

    .venv/bin/python bench/ingest.py api [--pg postgresql://postgres@127.0.0.1:5432/bench]
    .venv/bin/python bench/ingest.py slack [--messages 1000000]
    .venv/bin/python bench/ingest.py all --pg postgresql://postgres@127.0.0.1:5432/bench

`api` posts batches of 1,000 events through the in-process Django client (the
full request path: token auth, validation, one transaction per batch) and
then over HTTP to a real `hindsight serve` on a free loopback port, each into a
fresh database, on SQLite and, with --pg, PostgreSQL (the database is dropped
and re-created). It prints the median events/s over the batches.
`slack` writes a synthetic export (500 day-files of 2,000 messages, threads,
joins and edits included) to a temporary folder, then runs
`hindsight import slack` in a child process and prints its wall time and peak
memory (ru_maxrss of that child). Goals: >= 5,000 events/s on SQLite; import
peak memory < 200 MB. Everything is written under a temporary folder that is
removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
BATCH = 1000


def _child_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(
        {
            "HINDSIGHT_DATA_DIR": str(data_dir),
            "HINDSIGHT_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "hindsight.settings",
            "PYTHONPATH": str(REPO),
        }
    )
    if database_url:
        env["HINDSIGHT_DATABASE_URL"] = database_url
    return env


def _recreate_pg(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# Runs inside a child process so each database gets its own Django settings.
API_CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.incidents.services import declare_incident
batches, size, warmup = int(sys.argv[1]), int(sys.argv[2]), 2
User.objects.create(username="bench", role="responder")
_, secret = create_token(username="bench", name="bench")
incident = declare_incident(title="bench")
client = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": f"Bearer {secret}"})
url = f"/api/incidents/{incident.pk}/events/batch"
rates = []
for b in range(batches + warmup):
    events = [
        {"text": f"log line {b}-{n}: upstream 502 from 10.0.{n % 250}.7", "kind": "note",
         "idempotency_key": f"b{b}-{n}", "thread_key": f"t{n % 17}"}
        for n in range(size)
    ]
    body = json.dumps({"events": events})
    started = time.perf_counter()
    response = client.post(url, body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == size, response.json()
    if b >= warmup:
        rates.append(size / elapsed)
stored = incident.events.count() - 1
assert stored == (batches + warmup) * size, stored
print(json.dumps({"median": statistics.median(rates), "min": min(rates), "max": max(rates),
                  "batches": batches, "stored": stored}))
"""


def bench_api(label: str, database_url: str | None, batches: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hindsight-bench-") as folder:
        env = _child_env(Path(folder), database_url)
        out = subprocess.run(
            [sys.executable, "-c", API_CHILD, str(batches), str(BATCH)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if out.returncode != 0:
            raise SystemExit(f"{label}: benchmark failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"batch API on {label}: median {result['median']:,.0f} events/s "
        f"(min {result['min']:,.0f}, max {result['max']:,.0f}; {result['batches']} batches of "
        f"{BATCH}; {result['stored']:,} events stored)"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_served(label: str, database_url: str | None, batches: int) -> None:
    """Post batches over HTTP (one keep-alive connection) to a real `hindsight serve`."""
    import http.client

    with tempfile.TemporaryDirectory(prefix="hindsight-bench-") as folder:
        env = _child_env(Path(folder), database_url)
        hindsight = [sys.executable, "-m", "hindsight"]
        port = _free_port()
        server = subprocess.Popen(
            [*hindsight, "serve", "--no-demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):  # bounded wait for migrations and start-up
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                        "GET", "/healthz"
                    )
                    break
                except OSError:
                    time.sleep(0.2)

            def run(*args: str) -> str:
                return subprocess.run(
                    [*hindsight, *args], env=env, capture_output=True, text=True, check=True
                ).stdout

            run("users", "create", "bench", "--role", "responder")
            secret = (
                run("tokens", "create", "bench", "--name", "bench").split(": ", 1)[1].split()[0]
            )
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
            conn.request("POST", "/api/incidents/", json.dumps({"title": "bench"}), headers)
            incident = json.loads(conn.getresponse().read())["id"]
            rates = []
            for b in range(batches + 2):
                events = [
                    {"text": f"log line {b}-{n}: upstream 502", "idempotency_key": f"b{b}-{n}"}
                    for n in range(BATCH)
                ]
                body = json.dumps({"events": events})
                started = time.perf_counter()
                conn.request("POST", f"/api/incidents/{incident}/events/batch", body, headers)
                answer = json.loads(conn.getresponse().read())
                elapsed = time.perf_counter() - started
                if answer.get("created") != BATCH:
                    raise SystemExit(f"{label}: unexpected answer {answer}")
                if b >= 2:
                    rates.append(BATCH / elapsed)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"batch API over HTTP (hindsight serve, granian) on {label}: median "
        f"{statistics.median(rates):,.0f} events/s (min {min(rates):,.0f}, max {max(rates):,.0f}; "
        f"{batches} batches of {BATCH})"
    )


def write_export(root: Path, messages: int, per_day: int = 2000) -> int:
    """Write a synthetic Slack export; return how many messages should import."""
    rng = random.Random(4)
    users = [
        {
            "id": f"U{n:06d}",
            "name": f"user{n}",
            "real_name": f"User {n}",
            "profile": {"display_name": f"u{n}"},
        }
        for n in range(200)
    ]
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(json.dumps([{"id": "C000INC", "name": "incident-42"}]))
    folder = root / "incident-42"
    folder.mkdir()
    start = 1_700_000_000
    importable = 0
    days = (messages + per_day - 1) // per_day
    written = 0
    for day in range(days):
        batch = []
        base = start + day * 86400
        for n in range(min(per_day, messages - written)):
            ts = f"{base + n * 40}.{n:06d}"
            message: dict[str, object] = {
                "type": "message",
                "user": f"U{rng.randrange(200):06d}",
                "text": f"checking shard {rng.randrange(64)}: p99 {rng.randrange(100, 9000)} ms",
                "ts": ts,
            }
            if n % 10 == 1:
                message["thread_ts"] = f"{base}.{0:06d}"
            if n % 97 == 0:
                message["subtype"] = "channel_join"
            elif n % 89 == 0:
                message["subtype"] = "message_changed"
            else:
                importable += 1
            batch.append(message)
        written += len(batch)
        day_name = time.strftime("%Y-%m-%d", time.gmtime(base))
        (folder / f"{day_name}.json").write_text(json.dumps(batch))
    return importable


IMPORT_SETUP = r"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from hindsight.incidents.services import declare_incident
print(declare_incident(title="chat import bench").pk)
"""


def bench_slack(messages: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hindsight-bench-") as folder:
        root = Path(folder)
        export = root / "export"
        export.mkdir()
        started = time.perf_counter()
        expected = write_export(export, messages)
        size = sum(p.stat().st_size for p in export.rglob("*.json"))
        print(
            f"synthetic export: {messages:,} messages ({expected:,} importable) in "
            f"{len(list((export / 'incident-42').iterdir()))} day-files, {size / 1e6:,.0f} MB, "
            f"written in {time.perf_counter() - started:,.1f} s"
        )
        env = _child_env(root / "data", None)
        setup = subprocess.run(
            [sys.executable, "-c", IMPORT_SETUP],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        incident = setup.stdout.strip().splitlines()[-1]
        command = [
            sys.executable, "-m", "hindsight", "import", "slack", str(export),
            "--incident", incident, "--channel", "incident-42",
        ]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        out = proc.stdout.read().decode() if proc.stdout else ""
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"import failed:\n{err[-3000:]}")
        summary = [line for line in out.splitlines() if line.startswith("Imported")]
        peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
        print(summary[-1] if summary else out[-500:])
        print(
            f"slack import: {expected:,} messages in {elapsed:,.1f} s "
            f"({expected / elapsed:,.0f} messages/s), peak memory {peak_mb:,.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["api", "slack", "all"])
    parser.add_argument(
        "--pg", help="PostgreSQL URL for a scratch database (dropped and re-created)"
    )
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    if not 1 <= args.messages <= 5_000_000:
        raise SystemExit("--messages: between 1 and 5,000,000")
    if not 1 <= args.batches <= 500:
        raise SystemExit("--batches: between 1 and 500")
    if args.what in ("api", "all"):
        bench_api("SQLite", None, args.batches)
        bench_served("SQLite", None, args.batches)
        if args.pg:
            _recreate_pg(args.pg)
            bench_api("PostgreSQL", args.pg, args.batches)
            _recreate_pg(args.pg)
            bench_served("PostgreSQL", args.pg, args.batches)
    if args.what in ("slack", "all"):
        bench_slack(args.messages)


if __name__ == "__main__":
    main()
