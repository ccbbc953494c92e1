"""The monitors' jobs: the check engine, flip processing, quiet incidents, storage."""

from __future__ import annotations

import asyncio

from django.conf import settings

from hindsight.monitors import services, storage
from hindsight.runner.registry import Claim, Context, Continuous, Every, Job, Queue, Retry, register

FLIPS = "flips"


async def run_checks(context: Context) -> int:
    """Lease due checks, run them and record them until the worker stops; return checks done."""
    from hindsight.monitors.worker import Worker, WorkerOptions

    options = WorkerOptions(
        region=context.region,
        concurrency=int(context.options.get("concurrency") or settings.WORKER_CONCURRENCY),
        batch_size=int(context.options.get("batch_size") or 500),
        owner=context.worker,
        on_flips=lambda: context.wake(FLIPS),
    )
    worker = Worker(options)
    stopping: asyncio.Event = context.stopping

    async def stop_when_asked() -> None:
        await stopping.wait()
        worker.stop()

    watcher = asyncio.create_task(stop_when_asked())
    try:
        stats = await worker.run()
    finally:
        watcher.cancel()
    return stats.checks


def process_flips(context: Context) -> int:
    """Lease waiting flips and turn them into incidents and component changes."""
    return services.process_flips(worker=context.worker)


def give_slots(context: Context) -> int:
    """Give check slots to monitors created without them (admin, demo data, imports)."""
    return services.ensure_slots()


def resolve_quiet(context: Context) -> int:
    """Resolve incidents whose monitors have all stayed up for the quiet period."""
    return len(services.resolve_quiet_incidents())


def roll_up(context: Context) -> int:
    """Roll raw results up into minute, hour and day buckets."""
    return sum(storage.roll_up().values())


def prune(context: Context) -> int:
    """Delete results and rollups past their retention."""
    return sum(storage.prune().values())


STORAGE_RETRY = Retry(first_seconds=30, cap_seconds=900)

register(
    Job(
        name="checks",
        description="Run due monitor checks (leases check slots; any number of workers)",
        when=Continuous(),
        claim=Claim.ROWS,
        retry=Retry(first_seconds=1, cap_seconds=30),
        loop=run_checks,
    )
)
register(
    Job(
        name=FLIPS,
        description="Turn monitor flips into incidents and component statuses, oldest first",
        # The check loop that writes a flip wakes this queue at once; the poll is a fallback.
        when=Queue(poll_seconds=5.0),
        claim=Claim.ROWS,
        retry=services.FLIP_RETRY,
        run=process_flips,
    )
)
register(
    Job(
        name="monitor-slots",
        description="Give check slots to monitors created without them",
        when=Every(30),
        claim=Claim.ONE_WORKER,
        retry=STORAGE_RETRY,
        run=give_slots,
    )
)
register(
    Job(
        name="quiet-incidents",
        description="Resolve monitor incidents after their monitors stayed up for the quiet period",
        when=Every(30),
        claim=Claim.ONE_WORKER,
        retry=STORAGE_RETRY,
        run=resolve_quiet,
    )
)
register(
    Job(
        name="rollups",
        description="Roll check results up per minute, hour and day",
        when=Every(30),
        claim=Claim.ONE_WORKER,
        retry=STORAGE_RETRY,
        run=roll_up,
    )
)
register(
    Job(
        name="pruning",
        description="Delete check results and rollups past their retention",
        when=Every(600),
        claim=Claim.ONE_WORKER,
        retry=STORAGE_RETRY,
        run=prune,
    )
)
