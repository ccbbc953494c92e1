"""Incidents API: declare and change incidents, read and append to the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, ConfigDict, Field

from hindsight.accounts.models import User
from hindsight.api import Moment, api, require_role
from hindsight.catalog.models import Service
from hindsight.incidents import lifecycle, services
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    Severity,
    TimelineEvent,
    Visibility,
)
from hindsight.incidents.timeline import EditError, NewEvent, append_events, revise_event

router = Router(tags=["incidents"])

# A batch is one transaction; bigger batches hold the write lock too long.
MAX_BATCH = 1000
# Kinds an API client may append. The rest are the system's word: lifecycle
# changes, alerts and monitor flips (their own integrations write those), public
# status updates (the status page writes those); a client posting them would
# forge the record.
APPENDABLE_KINDS = (EventKind.NOTE, EventKind.CHAT_MESSAGE)
# Clock skew allowed on client times.
FUTURE_SLACK = timedelta(minutes=1)
# Older than this, an event is back-dated and must say it was remembered later.
BACKDATE_SLACK = timedelta(minutes=5)


class Strict(BaseModel):
    # Plain pydantic for inputs: ninja's Schema runs a Python root validator
    # per object, which dominated the cost of a 1000-event batch.
    model_config = ConfigDict(extra="forbid")


class MetricsOut(Schema):
    time_to_detect: int | None
    time_to_acknowledge: int | None
    time_to_mitigate: int | None
    time_to_resolve: int | None
    customer_facing: int | None
    ongoing: bool


class IncidentOut(Schema):
    id: int
    title: str
    severity: str
    status: str
    summary: str
    customer_impact: str
    restricted: bool
    services: list[str]
    commander: str | None
    started_at: datetime
    detected_at: datetime | None
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    metrics: MetricsOut

    @staticmethod
    def resolve_services(obj: Incident) -> list[str]:
        return [s.slug for s in obj.services.all()]

    @staticmethod
    def resolve_commander(obj: Incident) -> str | None:
        return obj.commander.username if obj.commander else None

    @staticmethod
    def resolve_metrics(obj: Incident) -> dict[str, object]:
        values = obj.metrics()
        return {**values.as_seconds(), "ongoing": values.ongoing}


class EventOut(Schema):
    id: int
    occurred_at: datetime
    recorded_at: datetime
    kind: str
    source: str
    actor: str
    text: str
    visibility: str
    is_key: bool
    hidden: bool
    thread_key: str
    idempotency_key: str | None
    remembered_later: bool

    @staticmethod
    def resolve_actor(obj: TimelineEvent) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_remembered_later(obj: TimelineEvent) -> bool:
        return obj.remembered_later


class DeclareIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    severity: Severity = Severity.SEV3
    services: list[str] = Field(default_factory=list, description="Service slugs")
    commander: str | None = Field(None, description="Username")
    summary: str = ""
    started_at: Moment | None = None
    restricted: bool = False


class StatusIn(Strict):
    status: str
    note: str = ""
    at: Moment | None = None


class SeverityIn(Strict):
    severity: str


class CommanderIn(Strict):
    commander: str | None = Field(description="Username, or null to clear")


class MomentIn(Strict):
    moment: str
    at: Moment | None
    reason: str = ""


class EventIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)
    occurred_at: Moment | None = None
    kind: str = EventKind.NOTE
    visibility: Visibility = Visibility.INTERNAL
    is_key: bool = False
    actor_name: str = Field(
        "",
        max_length=200,
        description="Who said or did it (a chat author); shown with the poster's name",
    )
    idempotency_key: str | None = Field(None, max_length=200)
    thread_key: str = Field("", max_length=200)
    remembered_later: bool = Field(
        False,
        description="Required for an occurred_at more than 5 minutes ago: marks the event "
        "as written down after the fact",
    )


class BatchIn(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(Schema):
    created: int
    duplicates: int


class EventPatch(Strict):
    text: str | None = None
    occurred_at: Moment | None = None
    is_key: bool | None = None
    hidden: bool | None = None


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(request.auth), pk=incident_id)  # type: ignore[attr-defined]


def _user(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise HttpError(400, f"No active user named {username!r}.")
    return user


def _when(value: datetime | None, where: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise HttpError(
            400, f"{where}: give the time with a UTC offset, e.g. 2024-05-01T12:00:00Z."
        )
    if value > timezone.now() + FUTURE_SLACK:
        raise HttpError(400, f"{where}: {value.isoformat()} is in the future.")
    return value


@router.get("/", response=list[IncidentOut])
@paginate(LimitOffsetPagination)
def list_incidents(request: HttpRequest, status: str | None = None):  # type: ignore[no-untyped-def]
    """Incidents, newest first; filter with ?status=open|investigating|…|resolved."""
    incidents = Incident.objects.visible_to(request.auth).prefetch_related("services")  # type: ignore[attr-defined]
    if status == "open":
        incidents = incidents.open()
    elif status:
        incidents = incidents.filter(status=status)
    return incidents.select_related("commander")


@router.post("/", response={201: IncidentOut})
def declare_incident(request: HttpRequest, body: DeclareIn) -> Incident:
    """Declare an incident (responder)."""
    user = require_role(request, "responder")
    found = list(Service.objects.filter(slug__in=body.services))
    missing = sorted(set(body.services) - {s.slug for s in found})
    if missing:
        raise HttpError(400, f"Unknown service(s): {', '.join(missing)}")
    incident = services.declare_incident(
        title=body.title,
        severity=body.severity,
        services=found,
        commander=_user(body.commander),
        declared_by=user,
        started_at=_when(body.started_at, "started_at"),
        summary=body.summary,
        restricted=body.restricted,
    )
    return incident


@router.get("/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    """One incident with its key moments and metrics (seconds)."""
    return _incident(request, incident_id)


def _lifecycle(call: Callable[[], Incident]) -> Incident:
    try:
        return call()
    except lifecycle.LifecycleError as exc:
        raise HttpError(409, str(exc)) from None


@router.post("/{incident_id}/status", response=IncidentOut)
def change_status(request: HttpRequest, incident_id: int, body: StatusIn) -> Incident:
    """Move the incident to another status (responder)."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    at = _when(body.at, "at")
    return _lifecycle(
        lambda: lifecycle.change_status(
            incident=incident, status=body.status, actor=user, at=at, note=body.note
        )
    )


@router.post("/{incident_id}/acknowledge", response=IncidentOut)
def acknowledge(request: HttpRequest, incident_id: int) -> Incident:
    """Acknowledge the incident (responder); the first acknowledgement counts."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    return _lifecycle(lambda: lifecycle.acknowledge(incident=incident, actor=user))


@router.post("/{incident_id}/severity", response=IncidentOut)
def change_severity(request: HttpRequest, incident_id: int, body: SeverityIn) -> Incident:
    """Change the severity (responder)."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    return _lifecycle(
        lambda: lifecycle.change_severity(incident=incident, severity=body.severity, actor=user)
    )


@router.post("/{incident_id}/commander", response=IncidentOut)
def change_commander(request: HttpRequest, incident_id: int, body: CommanderIn) -> Incident:
    """Hand the incident to another commander, or clear it (responder)."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    commander = _user(body.commander)
    return lifecycle.change_commander(incident=incident, commander=commander, actor=user)


@router.post("/{incident_id}/moments", response=IncidentOut)
def correct_moment(request: HttpRequest, incident_id: int, body: MomentIn) -> Incident:
    """Correct a key moment (editor); the correction is recorded on the timeline."""
    user = require_role(request, "editor")
    incident = _incident(request, incident_id)
    at = _when(body.at, "at")
    return _lifecycle(
        lambda: lifecycle.correct_moment(
            incident=incident, moment=body.moment, at=at, actor=user, reason=body.reason
        )
    )


@router.get("/{incident_id}/events", response=list[EventOut])
@paginate(LimitOffsetPagination)
def list_events(request: HttpRequest, incident_id: int, source: str | None = None):  # type: ignore[no-untyped-def]
    """The incident's timeline in time order (hidden events left out); ?source= filters."""
    events = _incident(request, incident_id).events.filter(hidden=False)
    if source:
        events = events.filter(source=source)
    return events.order_by("occurred_at", "id")


def _actor_name(given: str, user: User) -> str:
    """Who the timeline says acted: the poster, or the named person as the poster relays."""
    name = " ".join(given.split())
    if not name or name == user.display_name:
        return user.display_name
    return f"{name} (via {user.display_name})"[:200]


def _new_event(event: EventIn, where: str, user: User) -> NewEvent:
    if event.kind not in APPENDABLE_KINDS:
        raise HttpError(
            400,
            f"{where}kind: {event.kind!r} cannot be appended; use one of "
            f"{', '.join(APPENDABLE_KINDS)}",
        )
    if not event.text.strip():
        raise HttpError(400, f"{where}text: an event needs text")
    now = timezone.now()
    occurred_at = _when(event.occurred_at, f"{where}occurred_at") or now
    if occurred_at < now - BACKDATE_SLACK and not event.remembered_later:
        raise HttpError(
            400,
            f"{where}occurred_at: {occurred_at.isoformat()} is more than 5 minutes ago; "
            'send "remembered_later": true to record it as written down after the fact.',
        )
    return NewEvent(
        text=event.text,
        occurred_at=occurred_at,
        kind=event.kind,
        source=EventSource.API,
        actor_name=_actor_name(event.actor_name, user),
        raw={"remembered_later": True} if event.remembered_later else None,
        visibility=event.visibility,
        is_key=event.is_key,
        idempotency_key=event.idempotency_key,
        thread_key=event.thread_key,
    )


@router.post("/{incident_id}/events", response={201: EventOut, 200: EventOut})
def append_event(request: HttpRequest, incident_id: int, body: EventIn) -> HttpResponse:
    """Append one event (responder); a repeated idempotency key returns the stored one (200)."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    new = _new_event(body, "", user)
    event, created = services.append_event(
        incident=incident,
        text=new.text,
        kind=new.kind,
        source=new.source,
        actor=user,
        actor_name=new.actor_name,
        occurred_at=new.occurred_at,
        visibility=new.visibility,
        is_key=new.is_key,
        idempotency_key=new.idempotency_key,
        thread_key=new.thread_key,
        raw=new.raw,
    )
    # Built here rather than returned as (status, obj): the status depends on
    # whether the key was new, and the tuple form is deprecated in ninja.
    return api.create_response(
        request, EventOut.from_orm(event).model_dump(), status=201 if created else 200
    )


@router.post("/{incident_id}/events/batch", response=BatchOut)
def append_event_batch(request: HttpRequest, incident_id: int, body: BatchIn) -> dict[str, int]:
    """Append up to 1000 events in one transaction (responder); known idempotency keys are skipped."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    events = [_new_event(e, f"events[{n}].", user) for n, e in enumerate(body.events)]
    created = append_events(incident=incident, events=events, actor=user)
    return {"created": created, "duplicates": len(events) - created}


@router.patch("/{incident_id}/events/{event_id}", response=EventOut)
def edit_event(
    request: HttpRequest, incident_id: int, event_id: int, body: EventPatch
) -> TimelineEvent:
    """Edit, mark key or hide an event (editor); the earlier version is kept."""
    user = require_role(request, "editor")
    event = get_object_or_404(TimelineEvent, pk=event_id, incident=_incident(request, incident_id))
    try:
        return revise_event(
            event=event,
            by=user,
            text=body.text,
            occurred_at=_when(body.occurred_at, "occurred_at"),
            is_key=body.is_key,
            hidden=body.hidden,
        )
    except EditError as exc:
        raise HttpError(400, str(exc)) from None
