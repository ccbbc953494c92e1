"""The status page's jobs: rewrite the snapshot, move maintenance along, catch up on
changes made on other machines."""

from __future__ import annotations

from django.conf import settings

from hindsight.runner.registry import Claim, Context, Every, Job, Queue, Retry, register
from hindsight.statuspage import publishing, services, snapshot


def publish(context: Context) -> int:
    """Rewrite the snapshot for every waiting publish request, as one publish."""
    return publishing.publish_requested(worker=context.worker)


def advance_maintenance(context: Context) -> int:
    """Start and complete maintenance windows whose time has come."""
    return services.tick_maintenance()


def refresh(context: Context) -> int:
    """Rewrite this machine's snapshot of pages changed elsewhere or past their freshness."""
    return snapshot.refresh_changed()


register(
    Job(
        name=publishing.JOB,
        description="Rewrite the status-page snapshot files after a change (within a second)",
        when=Queue(),
        claim=Claim.ROWS,
        retry=publishing.RETRY,
        run=publish,
    )
)
register(
    Job(
        name="maintenance",
        description="Start and complete scheduled maintenance windows on time",
        when=Every(10),
        claim=Claim.ONE_WORKER,
        retry=Retry(first_seconds=10, cap_seconds=300),
        run=advance_maintenance,
    )
)
register(
    Job(
        name=publishing.REFRESH_JOB,
        description="Rewrite this machine's snapshot of pages changed on another machine or stale",
        when=Every(lambda: settings.STATUSPAGE_TICK_SECONDS),
        claim=Claim.EVERY_WORKER,
        retry=Retry(first_seconds=30, cap_seconds=600),
        run=refresh,
    )
)
