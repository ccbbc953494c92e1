"""A real outage: every check times out at once. Leases hold, nothing is checked twice."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter

import pytest

from hindsight.monitors.models import CheckResult, MonitorRegionState
from hindsight.monitors.worker import Worker, WorkerOptions
from tests.monitors.support import make_all_due, make_monitor

pytestmark = pytest.mark.django_db(transaction=True)

MONITORS = 40


@pytest.fixture
def outage(stalling, settings):  # type: ignore[no-untyped-def]
    """40 monitors whose checks all time out; a lease grace far shorter than the queue."""
    settings.WORKER_LEASE_GRACE_SECONDS = 1
    for i in range(MONITORS):
        make_monitor(f"m{i}", stalling.url(f"/m{i}"), interval_seconds=300, timeout_seconds=0.5)
    make_all_due()
    return stalling


def run_workers(names: tuple[str, ...], seconds: float) -> list:  # type: ignore[type-arg]
    """Workers in threads, 4 checks in flight each: 40 timeouts queue for several seconds."""
    stats = []

    def work(name: str) -> None:
        options = WorkerOptions(concurrency=4, batch_size=MONITORS, owner=name, idle_sleep=0.05)
        stats.append(asyncio.run(Worker(options).run(seconds=seconds)))

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return stats


def test_a_mass_timeout_loses_no_lease(outage, caplog):
    caplog.set_level(logging.WARNING, logger="hindsight.monitors")
    [stats] = run_workers(("w1",), seconds=8)
    assert stats.checks == MONITORS
    assert not [r for r in caplog.records if "lost" in r.getMessage()]
    per_monitor = Counter(CheckResult.objects.values_list("monitor_id", flat=True))
    assert len(per_monitor) == MONITORS
    assert set(CheckResult.objects.values_list("status", flat=True)) == {"down"}
    assert not MonitorRegionState.objects.exclude(lease_owner="").exists(), "leases released"


def test_two_workers_in_a_mass_timeout_check_every_monitor_once(outage, caplog):
    caplog.set_level(logging.WARNING, logger="hindsight.monitors")
    stats = run_workers(("w1", "w2"), seconds=8)
    assert sum(s.checks for s in stats) == MONITORS
    assert set(outage.hits.values()) == {1}, "no monitor was checked twice"
    assert len(outage.hits) == MONITORS
    per_monitor = Counter(CheckResult.objects.values_list("monitor_id", flat=True))
    assert set(per_monitor.values()) == {1}
    assert not [r for r in caplog.records if "lost" in r.getMessage()]
