"""Workers share the work through database leases: no double checks, takeover after a crash."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.monitors import claims
from hindsight.monitors.models import CheckResult, MonitorRegionState
from hindsight.monitors.worker import Worker, WorkerOptions
from tests.monitors.support import make_all_due, make_monitor
from tests.runner.support import process_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_in_threads_never_check_the_same_monitor_twice_in_a_round(target):
    for i in range(60):
        make_monitor(f"m{i}", target.url(f"/m{i}"))
    make_all_due()
    stats = []

    def work(name: str) -> None:
        options = WorkerOptions(concurrency=10, batch_size=7, owner=name, idle_sleep=0.05)
        stats.append(asyncio.run(Worker(options).run(rounds=12)))

    threads = [threading.Thread(target=work, args=(n,)) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(s.checks for s in stats) == 60
    assert all(s.checks > 0 for s in stats), "both workers took a share"
    assert set(target.hits.values()) == {1}
    assert len(target.hits) == 60
    per_monitor = Counter(CheckResult.objects.values_list("monitor_id", flat=True))
    assert set(per_monitor.values()) == {1}
    assert not MonitorRegionState.objects.exclude(lease_owner="").exists(), "leases released"


def test_concurrent_claims_get_disjoint_slots(target):
    for i in range(40):
        make_monitor(f"m{i}", target.url(f"/m{i}"))
    make_all_due()
    got: dict[str, list[int]] = {}

    def claim(owner: str) -> None:
        got[owner] = [s.pk for s in claims.claim_due(owner=owner, region="default", limit=25)]
        connection.close()

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    claimed = [pk for pks in got.values() for pk in pks]
    assert len(claimed) == len(set(claimed)) == 40


def test_a_dead_workers_lease_expires_and_another_worker_takes_over(target):
    monitor = make_monitor("orphan", target.url("/orphan"), interval_seconds=60, timeout_seconds=5)
    make_all_due()
    now = timezone.now()
    [slot] = claims.claim_due(owner="dead-worker", region="default", limit=10, now=now)
    assert slot.lease_until == now + timedelta(seconds=5) + claims.lease_grace()
    assert claims.claim_due(owner="alive", region="default", limit=10, now=now) == []
    # The dead worker never records. Once its lease lapses (well within two
    # 60 s intervals: 5 s timeout + 15 s grace), the slot is anybody's again.
    later = slot.lease_until + timedelta(seconds=1)
    [taken] = claims.claim_due(owner="alive", region="default", limit=10, now=later)
    assert taken.monitor_id == monitor.pk
    assert later - slot.next_due_at < timedelta(seconds=2 * monitor.interval_seconds)
    # The dead worker's late write is refused: it no longer holds the lease.
    from hindsight import probe

    result = probe.ProbeResult(status=probe.Status.UP, checked_at=now, latency_ms=1.0)
    claims.record_batch(slots=[slot], results=[result], owner="dead-worker")
    assert CheckResult.objects.count() == 0
    assert MonitorRegionState.objects.get().lease_owner == "alive"


@pytest.mark.slow
def test_several_worker_processes_share_monitors_and_survive_one_being_killed(target, tmp_path):
    """Real `hindsight worker` processes on the test database (PostgreSQL in CI)."""
    for i in range(30):
        make_monitor(f"m{i}", target.url(f"/m{i}"), interval_seconds=60, timeout_seconds=2)
    make_all_due()
    # Slots leased by a worker that died a moment ago, lease lapsing in 2 s.
    orphans = list(MonitorRegionState.objects.order_by("pk")[:5])
    MonitorRegionState.objects.filter(pk__in=[s.pk for s in orphans]).update(
        lease_owner="killed-earlier", lease_until=timezone.now() + timedelta(seconds=2)
    )
    env = process_env(tmp_path, HINDSIGHT_WORKER_LEASE_GRACE_SECONDS="2")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "hindsight", "worker", "--batch-size", "4", "--jobs", "checks"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    try:
        deadline = time.monotonic() + 60
        killed = False
        while time.monotonic() < deadline:
            done = CheckResult.objects.values("monitor_id").distinct().count()
            if done >= 10 and not killed:
                workers[0].send_signal(signal.SIGKILL)
                killed = True
            if done == 30:
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        errors = [w.communicate(timeout=30)[1].decode() for w in workers]
    assert killed, errors
    per_monitor = Counter(CheckResult.objects.values_list("monitor_id", flat=True))
    assert len(per_monitor) == 30, errors
    assert set(per_monitor.values()) == {1}, "no monitor was recorded twice"
    # Only checks the killed worker had in flight (never recorded) were repeated.
    repeated = sum(target.hits.values()) - 30
    assert 0 <= repeated <= 4 * 4, target.hits
    assert all(per_monitor[s.monitor_id] == 1 for s in orphans), "orphaned slots taken over"


def test_a_failed_claim_is_retried_and_does_not_end_the_worker(target, monkeypatch):
    from django.db import OperationalError

    make_monitor("m", target.url("/m"))
    make_all_due()
    real_claim, calls = claims.claim_due, []

    def flaky_claim(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(**kwargs)

    monkeypatch.setattr(claims, "claim_due", flaky_claim)
    options = WorkerOptions(concurrency=5, batch_size=5, idle_sleep=0.01)
    stats = asyncio.run(Worker(options).run(rounds=1))
    assert (stats.errors, stats.checks) == (1, 1)
    assert target.hits == {"/m": 1}


def test_the_worker_command_refuses_a_database_without_tables(tmp_path):
    env = {**os.environ, "HINDSIGHT_DATA_DIR": str(tmp_path)}
    env.pop("HINDSIGHT_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "hindsight", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "The database is not ready" in done.stderr
    assert "Run `hindsight serve` once" in done.stderr
    assert "Traceback" not in done.stderr
