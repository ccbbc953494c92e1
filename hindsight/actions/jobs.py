"""The action items' jobs: reminders and the recurrence watch."""

from __future__ import annotations

from hindsight.actions import recurrence, reminders
from hindsight.actions.trackers import sync as trackers
from hindsight.runner.registry import Claim, Context, Every, Job, Retry, register


def send_reminders(context: Context) -> int:
    """Write the due reminders, digests and monthly reports to the outbox."""
    return reminders.send_reminders()


def watch_recurrences(context: Context) -> int:
    """Link recent incidents to earlier ones they repeat after the fixes were done."""
    return recurrence.watch()


def pull_trackers(context: Context) -> int:
    """Read linked issues back from GitHub and Jira and merge them into the items."""
    return trackers.pull()


register(
    Job(
        name="action-reminders",
        description="Email action-item reminders, weekly digests and the monthly report",
        when=Every(3600),
        claim=Claim.ONE_WORKER,
        retry=Retry(first_seconds=60, cap_seconds=3600),
        run=send_reminders,
    )
)
register(
    Job(
        name="recurrence-watch",
        description="Link incidents that repeat an earlier one whose action items were done",
        when=Every(300),
        claim=Claim.ONE_WORKER,
        retry=Retry(first_seconds=60, cap_seconds=3600),
        run=watch_recurrences,
    )
)
register(
    Job(
        name="tracker-pull",
        description="Pull status, assignee and due date of linked issues from the trackers",
        when=Every(600),
        claim=Claim.ONE_WORKER,
        retry=Retry(first_seconds=60, cap_seconds=3600),
        run=pull_trackers,
    )
)
