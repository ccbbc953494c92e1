"""The post-mortem draft written when an incident is resolved.

The text comes from the one template (`hindsight.core.template`), given what
Hindsight knows about the incident: title, severity, services, key moments and
durations, participants, customer impact, and the timeline's key events
(hidden events never). The template leaves guidance where only people can
write. Due times come from the per-severity policy (``settings.POSTMORTEM_DUE``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.core.template import FOLLOW_UP, new_postmortem
from hindsight.incidents.models import EventKind, EventSource, Incident, TimelineEvent
from hindsight.incidents.services import append_event
from hindsight.postmortems.models import PostMortem, PostMortemRevision
from hindsight.postmortems.policy import FALLBACK, Due
from hindsight.postmortems.services import review_text

log = logging.getLogger(__name__)

# Sources whose actor is a tool, not a person.
MACHINE_SOURCES = (
    EventSource.SYSTEM,
    EventSource.MONITOR,
    EventSource.ALERTMANAGER,
    EventSource.GRAFANA,
    EventSource.PAGERDUTY,
    EventSource.WEBHOOK,
)


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# People who spoke shortly before the start or after the resolution took part;
# chatter from other days in an imported channel did not.
PARTICIPATION_MARGIN = timedelta(minutes=30)


def participants(incident: Incident) -> list[str]:
    """Return the people who acted on the incident (inside its window), commander first."""
    names: list[str] = []
    if incident.commander is not None:
        names.append(incident.commander.display_name)
    window = incident.events.filter(occurred_at__gte=incident.started_at - PARTICIPATION_MARGIN)
    if incident.resolved_at is not None:
        window = window.filter(occurred_at__lte=incident.resolved_at + PARTICIPATION_MARGIN)
    actors = (
        window.filter(hidden=False)
        .exclude(source__in=MACHINE_SOURCES)
        .exclude(actor_name__in=["", "Hindsight"])
        .order_by("occurred_at", "id")
        .values_list("actor_name", flat=True)
        .distinct()
    )
    for name in actors:
        if name not in names:
            names.append(name)
    return names


def policy_for(severity: str) -> Due:
    """Return the due policy for a severity."""
    policy: dict[str, Due] = getattr(settings, "POSTMORTEM_DUE", {})
    return policy.get(severity, Due(review=FALLBACK))


def timeline_row(event: TimelineEvent) -> dict[str, str]:
    """A timeline event as the template's (and the editor's) timeline row."""
    return {
        "at": _iso(event.occurred_at.replace(second=0, microsecond=0)),
        "actor": event.actor_name or "Hindsight",
        "text": " ".join(event.text.split()),
    }


def key_events(incident: Incident) -> list[TimelineEvent]:
    """The events pre-selected for the post-mortem: key ones, never hidden ones."""
    return list(incident.events.filter(is_key=True, hidden=False).order_by("occurred_at", "id"))


def template_input(incident: Incident, *, now: datetime, due: Due) -> dict[str, Any]:
    """What Hindsight knows about the incident, in the shape the template takes."""
    services = list(incident.services.all())
    moments = {
        key: _iso(value)
        for key, value in (
            ("started", incident.started_at),
            ("detected", incident.detected_at),
            ("acknowledged", incident.acknowledged_at),
            ("mitigated", incident.mitigated_at),
            ("resolved", incident.resolved_at),
        )
        if value is not None
    }
    resolved = incident.resolved_at or now
    written_by = resolved + due.review
    closing = {
        "at": _iso(now.replace(second=0, microsecond=0)),
        "actor": "Hindsight",
        "text": f"Incident resolved; post-mortem draft created, to be written by {_utc(written_by)}",
    }
    return {
        "title": f"Post-mortem: {incident.title}",
        "incident": incident.pk,
        "severity": incident.severity,
        "status": "draft",
        "services": [s.slug for s in services],
        "service_names": [s.name for s in services],
        "authors": [incident.commander.display_name] if incident.commander else [],
        "participants": participants(incident),
        **moments,
        "written": None,
        "review_date": (resolved + FOLLOW_UP).date().isoformat(),
        "impact": incident.customer_impact,
        "timeline": [timeline_row(e) for e in key_events(incident)] + [closing],
    }


def draft_on_resolve(*, incident: Incident, actor: User | None = None) -> PostMortem:
    """Create the incident's draft post-mortem with due times, unless it already has one."""
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    now = timezone.now()
    due = policy_for(incident.severity)
    resolved = incident.resolved_at or now
    body = new_postmortem(template_input(incident, now=now, due=due), now.date())
    score = review_text(body).score
    with transaction.atomic():
        postmortem = PostMortem.objects.create(
            incident=incident,
            title=f"Post-mortem: {incident.title}"[:200],
            body=body,
            due_at=resolved + due.review,
            debrief_due_at=resolved + due.debrief if due.debrief else None,
            review_date=(resolved + FOLLOW_UP).date(),
            quality_score=score,
            created_at=now,
            updated_at=now,
        )
        if incident.commander is not None:
            postmortem.authors.add(incident.commander)
        PostMortemRevision.objects.create(
            postmortem=postmortem,
            version=1,
            body=body,
            author=actor,
            note="Draft on resolve",
            score=score,
        )
        debrief = (
            f"debrief by {_utc(postmortem.debrief_due_at)}, " if postmortem.debrief_due_at else ""
        )
        append_event(
            incident=incident,
            kind=EventKind.POSTMORTEM,
            source=EventSource.SYSTEM,
            actor_name="Hindsight",
            occurred_at=now,
            text=f"Post-mortem draft created: {debrief}written by {_utc(postmortem.due_at)}",
        )
    log.info("drafted post-mortem %s for incident %s", postmortem.pk, incident.pk)
    return postmortem
