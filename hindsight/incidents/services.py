"""Incident and timeline service functions: views, API, CLI and worker call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    IncidentStatus,
    Severity,
    TimelineEvent,
    Visibility,
)
from hindsight.incidents.signals import incident_opened


def append_event(
    *,
    incident: Incident,
    text: str,
    kind: str = EventKind.NOTE,
    source: str = EventSource.MANUAL,
    actor: User | None = None,
    actor_name: str = "",
    occurred_at: datetime | None = None,
    visibility: str = Visibility.INTERNAL,
    is_key: bool = False,
    idempotency_key: str | None = None,
    thread_key: str = "",
    raw: Any = None,
) -> tuple[TimelineEvent, bool]:
    """Append one event to an incident's timeline; return (event, created).

    With an idempotency key, delivering the same event twice returns the
    stored one and adds nothing; the unique constraint settles races between
    concurrent writers.
    """
    if not text.strip():
        raise ValueError("A timeline event needs text")
    if idempotency_key:
        existing = TimelineEvent.objects.filter(
            incident=incident, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    now = timezone.now()
    event = TimelineEvent(
        incident=incident,
        text=text.strip(),
        kind=kind,
        source=source,
        actor=actor,
        actor_name=actor_name or (actor.display_name if actor else ""),
        occurred_at=occurred_at or now,
        recorded_at=now,
        visibility=visibility,
        is_key=is_key,
        idempotency_key=idempotency_key or None,
        thread_key=thread_key,
        raw=raw,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if not idempotency_key:
            raise
        existing = TimelineEvent.objects.get(incident=incident, idempotency_key=idempotency_key)
        return existing, False
    return event, True


def declare_incident(
    *,
    title: str,
    severity: str = Severity.SEV3,
    services: Sequence[Service] = (),
    commander: User | None = None,
    declared_by: User | None = None,
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    summary: str = "",
    customer_impact: str = "",
    restricted: bool = False,
) -> Incident:
    """Open a new incident and record its declaration on the timeline."""
    if not title.strip():
        raise ValueError("An incident needs a title")
    if severity not in Severity.values:
        raise ValueError(f"Unknown severity {severity!r}; use one of {', '.join(Severity.values)}")
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title.strip(),
            severity=severity,
            status=IncidentStatus.INVESTIGATING,
            commander=commander,
            created_by=declared_by,
            started_at=started_at or now,
            detected_at=detected_at or now,
            summary=summary,
            customer_impact=customer_impact,
            restricted=restricted,
        )
        incident.services.set(services)
        names = ", ".join(s.name for s in services)
        append_event(
            incident=incident,
            kind=EventKind.DECLARED,
            source=EventSource.SYSTEM,
            actor=declared_by,
            occurred_at=incident.detected_at,
            is_key=True,
            text=f"Incident declared as {severity}" + (f" affecting {names}" if names else ""),
        )
        incident_opened.send(sender=Incident, incident=incident)
    return incident


def visible_events(incident: Incident, *, include_hidden: bool = False) -> Iterable[TimelineEvent]:
    """Return the incident's timeline in time order."""
    events = incident.events.select_related("actor").order_by("occurred_at", "id")
    return events if include_hidden else events.filter(hidden=False)
