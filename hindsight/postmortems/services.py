"""Post-mortem service functions: which ones are due soon or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

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


def outstanding(*, user: object) -> QuerySet[PostMortem]:
    """Post-mortems still owed (draft or in review) on incidents the user may see."""
    from hindsight.incidents.models import Incident

    return (
        PostMortem.objects.filter(
            status__in=OUTSTANDING, incident__in=Incident.objects.visible_to(user)
        )
        .select_related("incident")
        .order_by("due_at", "id")
    )


def due_list(*, user: object, now: datetime) -> DueList:
    """Sort outstanding post-mortems into overdue, due within 48 h, and later.

    While a post-mortem is still a draft its next deadline is the debrief
    (when the policy asks for one), so a missed debrief shows as overdue even
    though the full review is days away; after that it is the full review.
    """
    overdue, soon, later = [], [], []
    for postmortem in outstanding(user=user):
        if postmortem.due_at is None:
            continue
        deadline, what = postmortem.due_at, "post-mortem"
        debrief = postmortem.debrief_due_at
        if debrief is not None and postmortem.status == PostMortemStatus.DRAFT:
            deadline, what = min(debrief, deadline), "debrief"
        entry = DueEntry(
            postmortem=postmortem,
            deadline=deadline,
            what=what,
            overdue_by=now - deadline if deadline < now else None,
            due_in=deadline - now if deadline >= now else None,
        )
        if deadline < now:
            overdue.append(entry)
        elif deadline - now <= DUE_SOON:
            soon.append(entry)
        else:
            later.append(entry)
    return DueList(overdue, soon, later)
