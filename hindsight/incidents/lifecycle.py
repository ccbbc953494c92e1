"""The incident lifecycle: status, severity, commander and key-moment changes.

Every change writes a timeline event saying who, when, and old → new. Key
moments are set by the lifecycle the first time a status is reached and can
be corrected by an editor; the correction is itself recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.incidents.models import (
    KEY_MOMENTS,
    EventKind,
    EventSource,
    Incident,
    IncidentStatus,
    Severity,
)
from hindsight.incidents.services import append_event, release_fingerprints
from hindsight.incidents.signals import (
    incident_acknowledged,
    incident_commander_changed,
    incident_resolved,
    incident_severity_changed,
)

# Reaching a status sets these key moments if they are still empty. Acknowledged
# is not among them: only someone acknowledging sets it (``acknowledge``), so
# time to acknowledge stays empty until a person has.
MOMENTS_SET_BY_STATUS: dict[str, tuple[str, ...]] = {
    IncidentStatus.INVESTIGATING: (),
    IncidentStatus.IDENTIFIED: (),
    IncidentStatus.MONITORING: ("mitigated",),
    IncidentStatus.RESOLVED: ("mitigated", "resolved"),
    IncidentStatus.CLOSED: ("mitigated", "resolved", "closed"),
}


class LifecycleError(ValueError):
    """A lifecycle change was refused; the message says why."""


def _lock(incident: Incident) -> Incident:
    # Re-read under a row lock (PostgreSQL) so concurrent changes serialise.
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _name(user: User | None) -> str:
    return user.display_name if user else "Hindsight"


def _save_and_record(
    incident: Incident, *, fields: list[str], kind: str, actor: User | None, text: str
) -> None:
    """Save the changed fields (and updated_at) and write the change on the timeline."""
    incident.updated_at = timezone.now()
    incident.save(update_fields=[*fields, "updated_at"])
    audit.record(action=f"incident.{kind}", target=incident, actor=actor, summary=text)
    append_event(
        incident=incident,
        kind=kind,
        source=EventSource.MANUAL,
        actor=actor,
        actor_name=_name(actor),
        text=text,
    )


def change_status(
    *,
    incident: Incident,
    status: str,
    actor: User | None = None,
    at: datetime | None = None,
    source: str = EventSource.MANUAL,
    note: str = "",
) -> Incident:
    """Move an incident to ``status``, set its key moments, record the change."""
    if status not in IncidentStatus.values:
        raise LifecycleError(
            f"Unknown status {status!r}; use one of {', '.join(IncidentStatus.values)}"
        )
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        old = incident.status
        if old == status:
            return incident
        if old == IncidentStatus.CLOSED:
            raise LifecycleError("A closed incident cannot change status; declare a new one.")
        incident.status = status
        for moment in MOMENTS_SET_BY_STATUS[status]:
            if getattr(incident, f"{moment}_at") is None:
                setattr(incident, f"{moment}_at", at)
        if status == IncidentStatus.INVESTIGATING:
            # Reopened: the earlier resolution no longer holds.
            incident.resolved_at = None
        incident.updated_at = timezone.now()
        incident.save()
        if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            # A later firing of the same alert is a new incident.
            release_fingerprints(incident=incident)
        text = f"Status: {old} → {status}" + (f". {note.strip()}" if note.strip() else "")
        audit.record(
            action="incident.status_change",
            target=incident,
            actor=actor,
            changes={"status": [old, status]},
        )
        append_event(
            incident=incident,
            kind=EventKind.STATUS_CHANGE,
            source=source,
            actor=actor,
            actor_name=_name(actor),
            occurred_at=at,
            is_key=status in (IncidentStatus.RESOLVED, IncidentStatus.MONITORING),
            text=text,
        )
        ended = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
        if status in ended and old not in ended:
            # Receivers (the post-mortem draft, notifications) write in this transaction.
            incident_resolved.send(sender=Incident, incident=incident, actor=actor)
    return incident


def acknowledge(
    *,
    incident: Incident,
    actor: User | None,
    at: datetime | None = None,
    source: str = EventSource.MANUAL,
) -> Incident:
    """Record that someone has taken the incident on; the first acknowledgement counts.

    Acknowledging again changes nothing (two responders pressing the button at
    once record one acknowledgement).
    """
    at = at or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        if incident.acknowledged_at is not None:
            return incident
        if at < incident.started_at:
            raise LifecycleError("An incident cannot be acknowledged before it started.")
        incident.acknowledged_at = at
        incident.updated_at = timezone.now()
        incident.save(update_fields=["acknowledged_at", "updated_at"])
        audit.record(action="incident.acknowledged", target=incident, actor=actor)
        append_event(
            incident=incident,
            kind=EventKind.ACKNOWLEDGED,
            source=source,
            actor=actor,
            actor_name=_name(actor),
            occurred_at=at,
            is_key=True,
            text=f"Acknowledged by {_name(actor)}",
        )
        incident_acknowledged.send(sender=Incident, incident=incident, actor=actor)
    return incident


def change_severity(*, incident: Incident, severity: str, actor: User | None = None) -> Incident:
    """Change the severity and record old → new."""
    if severity not in Severity.values:
        raise LifecycleError(
            f"Unknown severity {severity!r}; use one of {', '.join(Severity.values)}"
        )
    with transaction.atomic():
        incident = _lock(incident)
        old = incident.severity
        if old == severity:
            return incident
        incident.severity = severity
        _save_and_record(
            incident,
            fields=["severity"],
            kind=EventKind.SEVERITY_CHANGE,
            actor=actor,
            text=f"Severity: {old} → {severity}",
        )
        incident_severity_changed.send(
            sender=Incident, incident=incident, old=old, new=severity, actor=actor
        )
    return incident


def change_commander(
    *, incident: Incident, commander: User | None, actor: User | None = None
) -> Incident:
    """Hand the incident to a new commander and record old → new."""
    with transaction.atomic():
        incident = _lock(incident)
        old = incident.commander
        if old == commander:
            return incident
        incident.commander = commander
        _save_and_record(
            incident,
            fields=["commander"],
            kind=EventKind.COMMANDER_CHANGE,
            actor=actor,
            text=f"Commander: {old.display_name if old else 'none'} → "
            f"{commander.display_name if commander else 'none'}",
        )
        incident_commander_changed.send(
            sender=Incident, incident=incident, old=old, new=commander, actor=actor
        )
    return incident


def change_services(
    *, incident: Incident, services: Sequence[Service], actor: User | None = None
) -> Incident:
    """Set the affected services and record which were added and removed."""
    with transaction.atomic():
        incident = _lock(incident)
        old = {s.pk: s for s in incident.services.all()}
        new = {s.pk: s for s in services}
        added = [new[pk].name for pk in new.keys() - old.keys()]
        removed = [old[pk].name for pk in old.keys() - new.keys()]
        if not added and not removed:
            return incident
        incident.services.set(list(new.values()))
        parts = []
        if added:
            parts.append("added " + ", ".join(sorted(added)))
        if removed:
            parts.append("removed " + ", ".join(sorted(removed)))
        _save_and_record(
            incident,
            fields=[],
            kind=EventKind.FIELD_CHANGE,
            actor=actor,
            text="Affected services: " + "; ".join(parts),
        )
    return incident


def correct_moment(
    *, incident: Incident, moment: str, at: datetime | None, actor: User, reason: str = ""
) -> Incident:
    """Correct a key moment (editors); the correction is recorded on the timeline."""
    if moment not in KEY_MOMENTS:
        raise LifecycleError(f"Unknown key moment {moment!r}; use one of {', '.join(KEY_MOMENTS)}")
    if not actor.has_role("editor"):
        raise LifecycleError("Correcting a key moment needs the editor role.")
    if moment == "started" and at is None:
        raise LifecycleError("An incident always has a start time.")
    if at is not None and at > timezone.now():
        raise LifecycleError("A key moment cannot be in the future.")
    with transaction.atomic():
        incident = _lock(incident)
        field = f"{moment}_at"
        old: datetime | None = getattr(incident, field)
        setattr(incident, field, at)
        _check_order(incident)
        incident.updated_at = timezone.now()
        incident.save()
        audit.record(
            action="incident.key_moment",
            target=incident,
            actor=actor,
            changes={moment: [str(old) if old else None, str(at) if at else None]},
            summary=reason,
        )
        fmt = "%Y-%m-%d %H:%M:%S UTC"
        append_event(
            incident=incident,
            kind=EventKind.KEY_MOMENT,
            source=EventSource.MANUAL,
            actor=actor,
            text=f"Corrected {moment}: {old.strftime(fmt) if old else 'unset'} → "
            f"{at.strftime(fmt) if at else 'unset'}" + (f" ({reason})" if reason else ""),
        )
    return incident


def _check_order(incident: Incident) -> None:
    started = incident.started_at
    for moment in KEY_MOMENTS[1:]:
        value = getattr(incident, f"{moment}_at")
        if value is not None and value < started:
            raise LifecycleError(f"{moment} ({value:%Y-%m-%d %H:%M}) cannot be before started")
