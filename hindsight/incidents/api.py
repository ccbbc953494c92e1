"""Incidents API: list, read, and the timeline."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from hindsight.incidents.models import Incident, TimelineEvent

router = Router(tags=["incidents"])


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

    @staticmethod
    def resolve_services(obj: Incident) -> list[str]:
        return [s.slug for s in obj.services.all()]

    @staticmethod
    def resolve_commander(obj: Incident) -> str | None:
        return obj.commander.username if obj.commander else None


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

    @staticmethod
    def resolve_actor(obj: TimelineEvent) -> str:
        return obj.actor_name


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


@router.get("/{incident_id}", response=IncidentOut)
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    """One incident."""
    return get_object_or_404(Incident.objects.visible_to(request.auth), pk=incident_id)  # type: ignore[attr-defined]


@router.get("/{incident_id}/events", response=list[EventOut])
@paginate(LimitOffsetPagination)
def list_events(request: HttpRequest, incident_id: int):  # type: ignore[no-untyped-def]
    """The incident's timeline in time order (hidden events left out)."""
    incident = get_object_or_404(Incident.objects.visible_to(request.auth), pk=incident_id)  # type: ignore[attr-defined]
    return incident.events.filter(hidden=False).order_by("occurred_at", "id")
