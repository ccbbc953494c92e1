"""`hindsight worker` answers SIGTERM within seconds, even with checks stalled in flight."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from hindsight.monitors.models import CheckResult, MonitorRegionState
from hindsight.runner.models import WorkerHeartbeat
from tests.monitors.support import make_all_due, make_monitor
from tests.runner.support import process_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LIVENESS = 15.0  # well under the checks' 60 s timeout: the worker did not wait for them


@pytest.fixture
def stalled_worker(stalling, tmp_path):  # type: ignore[no-untyped-def]
    """A real worker with 4 checks stalled in flight and 8 more claimed behind them."""
    for i in range(12):
        make_monitor(f"m{i}", stalling.url(f"/m{i}"), interval_seconds=300, timeout_seconds=60)
    make_all_due()
    worker = subprocess.Popen(
        [sys.executable, "-m", "hindsight", "worker", "--jobs", "checks"]
        + ["--concurrency", "4", "--batch-size", "12"],
        env=process_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while stalling.requests < 4 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert stalling.requests == 4, worker.stderr.read() if worker.poll() is not None else ""
        yield worker
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=30)


def test_the_worker_exits_promptly_on_sigterm_with_checks_stalled(stalled_worker):
    stalled_worker.send_signal(signal.SIGTERM)
    out, err = stalled_worker.communicate(timeout=LIVENESS)
    assert stalled_worker.returncode == 0, err
    assert "Stopped." in out


def test_the_stalled_checks_are_handed_back_due_and_unrecorded(stalled_worker):
    stalled_worker.send_signal(signal.SIGTERM)
    stalled_worker.communicate(timeout=LIVENESS)
    slots = list(MonitorRegionState.objects.all())
    assert [s.lease_owner for s in slots] == [""] * 12, "no lease left behind"
    assert all(s.next_due_at <= timezone.now() for s in slots), "still due: another worker checks"
    assert CheckResult.objects.count() == 0, "nothing half-checked was recorded"
    assert not WorkerHeartbeat.objects.exists()
