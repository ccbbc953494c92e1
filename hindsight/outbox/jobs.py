"""The outbox's job: send what is due, one destination per call."""

from __future__ import annotations

from django.conf import settings

from hindsight.outbox.services import JOB, RETRY, deliver_next
from hindsight.runner.registry import Claim, Context, Job, Queue, register


def send_due(context: Context) -> int:
    """Lease one destination with due deliveries and send them in order."""
    return deliver_next(worker=context.worker, stopped=context.stopped)


register(
    Job(
        name=JOB,
        description="Send due outbox deliveries, one destination per call, several at once",
        when=Queue(concurrency=lambda: settings.OUTBOX_CONCURRENCY),
        claim=Claim.ROWS,
        retry=RETRY,
        run=send_due,
    )
)
