"""Incident and timeline service functions: views, API, CLI and worker call these."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    IncidentFingerprint,
    IncidentStatus,
    Severity,
    TimelineEvent,
    Visibility,
)
from hindsight.incidents.signals import incident_opened

log = logging.getLogger(__name__)

# Attempts at taking a fingerprint before giving up; a lost race costs one
# retry (the winner's row is then visible), so 3 is plenty.
_TAKE_ATTEMPTS = 3


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
    reason: str = "",
) -> Incident:
    """Open a new incident and record its declaration on the timeline.

    ``reason`` says why it opened (a check's error, an alert's summary); it is
    carried by the opened notification. Without one, the notification says who
    declared it.
    """
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
        audit.record(
            action="incident.declared", target=incident, actor=declared_by, summary=severity
        )
        if not reason.strip():
            reason = f"Declared by {declared_by.display_name if declared_by else 'Hindsight'}"
        incident_opened.send(sender=Incident, incident=incident, reason=reason.strip())
    return incident


def shown_events(incident: Incident, *, include_hidden: bool = False) -> QuerySet[TimelineEvent]:
    """Return the incident's timeline in time order."""
    events = incident.events.select_related("actor").order_by("occurred_at", "id")
    return events if include_hidden else events.filter(hidden=False)


def _recorded_before(idempotency_key: str | None) -> TimelineEvent | None:
    # An event recorded before, on any incident: re-sent alerts must not open a
    # second incident after the first one was resolved.
    if not idempotency_key:
        return None
    return (
        TimelineEvent.objects.filter(idempotency_key=idempotency_key)
        .select_related("incident")
        .order_by("id")
        .first()
    )


def _active_fingerprint(fingerprint: str) -> IncidentFingerprint | None:
    holder = (
        IncidentFingerprint.objects.select_for_update()
        .filter(fingerprint=fingerprint, active=True)
        .select_related("incident")
        .first()
    )
    if holder is not None and not holder.incident.is_open:
        # The incident was resolved without releasing its fingerprints (e.g.
        # through the admin); release now so this firing opens a new incident.
        release_fingerprints(incident=holder.incident)
        return None
    return holder


def release_fingerprints(*, incident: Incident) -> int:
    """Detach the incident's fingerprints so the next firing opens a new incident."""
    return IncidentFingerprint.objects.filter(incident=incident, active=True).update(active=False)


def open_or_attach(
    *,
    service: Service | None,
    fingerprint: str,
    title: str,
    severity: str,
    source: str,
    text: str,
    occurred_at: datetime | None = None,
    raw: Any = None,
    idempotency_key: str | None = None,
    kind: str = EventKind.ALERT_FIRING,
    started_at: datetime | None = None,
    attach_to: Incident | None = None,
    by_service: bool = True,
) -> tuple[Incident, bool]:
    """Attach a firing to the open incident for its fingerprint or service, or declare one.

    Returns (incident, created). Attaches to the open incident that already
    holds ``fingerprint``; otherwise to ``attach_to`` (the caller's grouping,
    if still open); otherwise (unless ``by_service`` is off: the caller groups
    by its own rule) to the newest open incident of ``service``;
    otherwise declares a new incident, which started at ``started_at`` (the
    first sign of trouble, when known) and was detected at ``occurred_at``. Safe under concurrency on
    SQLite and PostgreSQL: the fingerprint's partial unique index lets exactly
    one opener win, the others retry and attach.
    """
    fingerprint = fingerprint.strip()
    if not fingerprint:
        raise ValueError("A firing needs a fingerprint")
    if severity not in Severity.values:
        raise ValueError(f"Unknown severity {severity!r}; use one of {', '.join(Severity.values)}")
    for attempt in range(1, _TAKE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _open_or_attach_once(
                    service=service,
                    fingerprint=fingerprint,
                    title=title,
                    severity=severity,
                    source=source,
                    text=text,
                    occurred_at=occurred_at,
                    raw=raw,
                    idempotency_key=idempotency_key,
                    kind=kind,
                    started_at=started_at,
                    attach_to=attach_to,
                    by_service=by_service,
                )
        except _LostRace:
            log.info("fingerprint %s taken concurrently; retry %s", fingerprint, attempt)
    raise RuntimeError(f"Could not take fingerprint {fingerprint!r}")


class _LostRace(Exception):
    """Another writer took the fingerprint first; the attempt was rolled back."""


def _open_or_attach_once(
    *,
    service: Service | None,
    fingerprint: str,
    title: str,
    severity: str,
    source: str,
    text: str,
    occurred_at: datetime | None,
    raw: Any,
    idempotency_key: str | None,
    kind: str,
    started_at: datetime | None = None,
    attach_to: Incident | None = None,
    by_service: bool = True,
) -> tuple[Incident, bool]:
    seen = _recorded_before(idempotency_key)
    if seen is not None:
        return seen.incident, False
    if service is not None:
        # Serialise openers of the same service (PostgreSQL row lock; SQLite
        # already serialises writers with BEGIN IMMEDIATE).
        Service.objects.select_for_update().filter(pk=service.pk).first()
    now = timezone.now()
    holder = _active_fingerprint(fingerprint)
    created = False
    incident: Incident | None
    if holder is not None:
        incident = holder.incident
        holder.last_seen_at = now
        holder.save(update_fields=["last_seen_at"])
    else:
        incident = None
        if attach_to is not None:
            incident = Incident.objects.open().filter(pk=attach_to.pk).first()
        if incident is None and service is not None and by_service:
            incident = (
                Incident.objects.open()
                .filter(services=service)
                .order_by("-started_at", "-id")
                .first()
            )
        if incident is None:
            at = min(occurred_at, now) if occurred_at else now
            incident = declare_incident(
                title=title or fingerprint,
                severity=severity,
                services=[service] if service is not None else (),
                started_at=min(started_at, at) if started_at else at,
                detected_at=at,
                reason=text,
            )
            created = True
        try:
            with transaction.atomic():
                IncidentFingerprint.objects.create(
                    incident=incident, fingerprint=fingerprint, source=source
                )
        except IntegrityError as exc:
            raise _LostRace from exc
    append_event(
        incident=incident,
        text=text,
        kind=kind,
        source=source,
        actor_name=_source_name(source),
        occurred_at=occurred_at,
        is_key=created,
        idempotency_key=idempotency_key,
        raw=raw,
    )
    if created:
        log.info("opened incident %s for fingerprint %s", incident.pk, fingerprint)
    return incident, created


def _source_name(source: str) -> str:
    """How a source is shown as the actor of its events ("Alertmanager", "Monitor")."""
    return str(EventSource(source).label) if source in EventSource.values else source


def record_recovery(
    *,
    fingerprint: str,
    source: str,
    text: str,
    occurred_at: datetime | None = None,
    raw: Any = None,
    idempotency_key: str | None = None,
    kind: str | None = None,
) -> Incident | None:
    """Record that a fingerprint recovered on its open incident; None when none is open."""
    if kind is None:
        kind = EventKind.MONITOR_UP if source == EventSource.MONITOR else EventKind.ALERT_RESOLVED
    with transaction.atomic():
        seen = _recorded_before(idempotency_key)
        if seen is not None:
            return seen.incident
        holder = _active_fingerprint(fingerprint.strip())
        if holder is None:
            return None
        holder.recovered_at = occurred_at or timezone.now()
        holder.last_seen_at = timezone.now()
        holder.save(update_fields=["recovered_at", "last_seen_at"])
        append_event(
            incident=holder.incident,
            text=text,
            kind=kind,
            source=source,
            actor_name=_source_name(source),
            occurred_at=occurred_at,
            idempotency_key=idempotency_key,
            raw=raw,
        )
    return holder.incident
