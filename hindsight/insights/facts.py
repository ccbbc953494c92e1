"""What the metrics read from each domain, one function per kind of fact.

When a domain grows (action-item evidence and states, a recorded "submitted
for review" time), only the function here that reads it changes; every
figure is computed from these facts by ``hindsight.core.metrics``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hindsight.actions.models import ActionItem, ActionStatus
from hindsight.core.metrics import ActionFacts, IncidentFacts, incident_metrics
from hindsight.incidents.models import Incident
from hindsight.insights.models import PostMortemFactor
from hindsight.postmortems.models import PostMortem

ACTION_FIELDS = (
    "postmortem_id",
    "created_at",
    "due_date",
    "status",
    "completed_at",
    "updated_at",
    "external_url",
    "verification_note",
    "evidence_kind",
)


def action_facts(item: dict[str, Any]) -> ActionFacts:
    """Read an action item (its ACTION_FIELDS values) as the follow-through metrics see it.

    Today "closed" is ``completed_at`` (or the last update of an item given up
    without one), and evidence is the proof recorded on closing (actions.md), or
    a link or a written verification note from before there was one.
    """
    done = item["status"] == ActionStatus.DONE
    wont_do = item["status"] == ActionStatus.WONT_DO
    closed = item["completed_at"] or (item["updated_at"] if done or wont_do else None)
    return ActionFacts(
        created=item["created_at"],
        due=item["due_date"],
        closed=closed,
        done=done,
        wont_do=wont_do,
        evidence=bool(
            item["evidence_kind"] or item["external_url"] or item["verification_note"].strip()
        ),
    )


def actions(queryset: Any = None) -> Iterator[tuple[int | None, ActionFacts]]:
    """Yield (post-mortem id, facts) for action items (all, or those of ``queryset``)."""
    items = ActionItem.objects.all() if queryset is None else queryset
    for values in items.values(*ACTION_FIELDS).iterator(chunk_size=2000):
        yield values["postmortem_id"], action_facts(values)


def written_at(*, approved_at: datetime | None, published_at: datetime | None) -> datetime | None:
    """When a post-mortem counts as written: approved, or published if never approved.

    Drafts are started automatically when an incident resolves, so their
    creation says nothing; approval is the first moment the team stood by it.
    """
    moments = [m for m in (approved_at, published_at) if m is not None]
    return min(moments) if moments else None


def incidents(*, since: datetime, include_restricted: bool, now: datetime) -> list[IncidentFacts]:
    """Facts of the incidents started since a time (restricted ones only when asked)."""
    chosen = Incident.objects.filter(started_at__gte=since)
    if not include_restricted:
        chosen = chosen.filter(restricted=False)
    services: dict[int, list[str]] = defaultdict(list)
    through = Incident.services.through.objects.filter(incident__in=chosen)
    for incident_id, name in through.values_list("incident_id", "service__name").iterator():
        services[incident_id].append(name)
    factors: dict[int, list[str]] = defaultdict(list)
    tags = PostMortemFactor.objects.filter(incident__in=chosen)
    for incident_id, tag in tags.values_list("incident_id", "tag").iterator():
        factors[incident_id].append(tag)
    rows = chosen.values_list(
        "id",
        "started_at",
        "severity",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
    )
    return [
        IncidentFacts(
            id=pk,
            started=started,
            severity=severity,
            services=tuple(sorted(services[pk])),
            factors=tuple(sorted(factors[pk])),
            metrics=incident_metrics(
                started=started,
                detected=detected,
                acknowledged=acknowledged,
                mitigated=mitigated,
                resolved=resolved,
                now=now,
            ),
        )
        for pk, started, severity, detected, acknowledged, mitigated, resolved in rows.iterator(
            chunk_size=5000
        )
    ]


def postmortems(*, since: datetime, include_restricted: bool) -> Iterator[dict[str, Any]]:
    """Yield the post-mortems of incidents started since a time, with when each was written."""
    chosen = PostMortem.objects.filter(incident__started_at__gte=since)
    if not include_restricted:
        chosen = chosen.filter(incident__restricted=False)
    for row in chosen.values(
        "id",
        "quality_score",
        "approved_at",
        "published_at",
        "incident__started_at",
        "incident__resolved_at",
    ).iterator(chunk_size=5000):
        yield {
            "id": row["id"],
            "score": row["quality_score"],
            "started": row["incident__started_at"],
            "resolved": row["incident__resolved_at"],
            "written": written_at(approved_at=row["approved_at"], published_at=row["published_at"]),
        }
