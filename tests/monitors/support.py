"""Helpers for monitor tests: make monitors, run a worker round with everything due."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from django.utils import timezone

from hindsight.monitors import services
from hindsight.monitors.models import Monitor, MonitorRegionState
from hindsight.monitors.worker import Worker, WorkerOptions, WorkerStats
from hindsight.runner.services import run_now


def make_monitor(name: str, target: str, **fields: object) -> Monitor:
    fields.setdefault("confirmations_down", 2)
    fields.setdefault("confirmations_up", 1)
    fields.setdefault("timeout_seconds", 5)
    return services.save_monitor(monitor=Monitor(name=name, target=target, **fields))


def make_all_due() -> None:
    MonitorRegionState.objects.update(next_due_at=timezone.now() - timedelta(seconds=1))


def run_round(region: str = "default", owner: str = "", due: bool = True) -> WorkerStats:
    """One claim round of the check engine, then the flips job until its queue is empty."""
    if due:
        make_all_due()
    options = WorkerOptions(region=region, concurrency=20, batch_size=100, owner=owner)
    stats = asyncio.run(Worker(options).run(rounds=1))
    run_now(name="flips")
    return stats
