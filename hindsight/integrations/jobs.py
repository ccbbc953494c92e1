"""The integrations' job: import uploaded chat exports in the background."""

from __future__ import annotations

from hindsight.integrations.chat.uploads import JOB, RETRY, import_next
from hindsight.runner.registry import Claim, Context, Job, Queue, register


def import_chat(context: Context) -> int:
    """Lease the oldest uploaded chat export and import it, with progress on its row."""
    return import_next(worker=context.worker, stopped=context.stopped)


register(
    Job(
        name=JOB,
        description="Import uploaded chat exports into incident timelines, oldest first",
        when=Queue(poll_seconds=2.0),
        claim=Claim.ROWS,
        retry=RETRY,
        run=import_chat,
    )
)
