"""When post-mortems are due: the next deadline of one, and the due list of all.

While a post-mortem is still a draft its next deadline is the debrief (when
the policy asks for one), so a missed debrief shows as overdue even though the
full review is days away; after that it is the full review. Approved and
published post-mortems owe nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hindsight.postmortems.models import PostMortem, PostMortemStatus

# Written but not yet approved or published: still owed.
OUTSTANDING = (PostMortemStatus.DRAFT, PostMortemStatus.IN_REVIEW)
DUE_SOON = timedelta(hours=48)


@dataclass(frozen=True)
class DueEntry:
    postmortem: PostMortem
    deadline: datetime
    what: str  # "debrief" or "post-mortem"
    overdue_by: timedelta | None
    due_in: timedelta | None


@dataclass(frozen=True)
class DueList:
    overdue: list[DueEntry]
    due_soon: list[DueEntry]
    later: list[DueEntry]


def next_deadline(postmortem: PostMortem, now: datetime) -> DueEntry | None:
    """The deadline a post-mortem owes next, or None when it owes nothing."""
    if postmortem.status not in OUTSTANDING or postmortem.due_at is None:
        return None
    deadline, what = postmortem.due_at, "post-mortem"
    debrief = postmortem.debrief_due_at
    if debrief is not None and postmortem.status == PostMortemStatus.DRAFT:
        deadline, what = min(debrief, deadline), "debrief"
    return DueEntry(
        postmortem=postmortem,
        deadline=deadline,
        what=what,
        overdue_by=now - deadline if deadline < now else None,
        due_in=deadline - now if deadline >= now else None,
    )


def due_list(postmortems: Iterable[PostMortem], now: datetime) -> DueList:
    """Sort post-mortems still owed into overdue, due within 48 h, and later."""
    overdue, soon, later = [], [], []
    for postmortem in postmortems:
        entry = next_deadline(postmortem, now)
        if entry is None:
            continue
        if entry.overdue_by is not None:
            overdue.append(entry)
        elif entry.deadline - now <= DUE_SOON:
            soon.append(entry)
        else:
            later.append(entry)
    for group in (overdue, soon, later):
        group.sort(key=lambda entry: (entry.deadline, entry.postmortem.pk))
    return DueList(overdue, soon, later)
