"""Recognition: the month's most thorough post-mortems, to share with the team.

Thorough means a good review score, written within 48 hours of resolution,
and action items done with evidence of the fix (``core.metrics.thoroughness``).
The insights page shows it; the monthly follow-up report calls ``recognition``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from hindsight.actions.models import ActionItem
from hindsight.core.metrics import thoroughness, written_on_time
from hindsight.incidents.models import sees_restricted
from hindsight.insights import facts
from hindsight.postmortems.models import PostMortem


@dataclass(frozen=True)
class Recognised:
    postmortem: PostMortem
    points: float
    score: int | None
    on_time: bool | None
    actions: int
    evidenced: int  # done, with a link or verification note
    authors: list[str]


def _month_range(month: str) -> tuple[datetime, datetime]:
    start = datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)
    return start, (start + timedelta(days=32)).replace(day=1)


def recognition(
    *, month: str, include_restricted: bool, now: datetime, limit: int = 5
) -> list[Recognised]:
    """Return the most thorough post-mortems written in ``month`` ("YYYY-MM")."""
    start, end = _month_range(month)
    written = Q(approved_at__gte=start, approved_at__lt=end) | Q(
        approved_at__isnull=True, published_at__gte=start, published_at__lt=end
    )
    chosen = PostMortem.objects.filter(written)
    if not include_restricted:
        chosen = chosen.filter(incident__restricted=False)
    postmortems = list(chosen.select_related("incident"))
    totals: dict[int, list[int]] = {pm.pk: [0, 0] for pm in postmortems}
    items = ActionItem.objects.filter(postmortem__in=postmortems)
    for postmortem_id, action in facts.actions(items):
        if postmortem_id in totals and not action.wont_do:
            totals[postmortem_id][0] += 1
            totals[postmortem_id][1] += action.done and action.evidence
    ranked = []
    for pm in postmortems:
        on_time = written_on_time(
            resolved=pm.incident.resolved_at,
            written=facts.written_at(approved_at=pm.approved_at, published_at=pm.published_at),
            now=now,
        )
        count, evidenced = totals[pm.pk]
        ranked.append(
            Recognised(
                postmortem=pm,
                points=thoroughness(
                    score=pm.quality_score, on_time=on_time, actions=count, evidenced=evidenced
                ),
                score=pm.quality_score,
                on_time=on_time,
                actions=count,
                evidenced=evidenced,
                authors=[],
            )
        )
    ranked.sort(key=lambda r: (-r.points, r.postmortem.pk))
    best = ranked[:limit]
    authors = PostMortem.authors.through.objects.filter(postmortem__in=[r.postmortem for r in best])
    names: dict[int, list[str]] = {}
    for row in authors.select_related("user").order_by("user__username"):
        names.setdefault(row.postmortem_id, []).append(row.user.display_name)
    return [replace(r, authors=names.get(r.postmortem.pk, [])) for r in best]


def recognition_for(*, user: object, month: str, now: datetime, limit: int = 5) -> list[Recognised]:
    """Return the month's most thorough post-mortems among those the user may see."""
    return recognition(month=month, include_restricted=sees_restricted(user), now=now, limit=limit)
