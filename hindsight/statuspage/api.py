"""Public updates through the API: ``/api/incidents/{id}/updates``.

Mounted under ``/api/incidents`` beside the incidents router (incidents must
not import the status page). Component ids are those of
``/api/v2/components.json``; statuses are Statuspage's component statuses.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from hindsight.api import require_role
from hindsight.catalog.models import Component, ComponentStatus
from hindsight.incidents.models import Incident
from hindsight.statuspage import services
from hindsight.statuspage.models import StatusUpdate

router = Router(tags=["status page"])


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="investigating, identified, monitoring or resolved")
    message: str = Field(max_length=services.MAX_MESSAGE)
    components: dict[str, str] = Field(
        default_factory=dict,
        description='{"<component id as in /api/v2/components.json>": "<component status>"}',
    )


class UpdateOut(Schema):
    id: int
    incident_id: int
    status: str
    message: str
    posted_at: datetime
    posted_by: str | None
    components: dict[str, str]

    @staticmethod
    def resolve_posted_by(obj: StatusUpdate) -> str | None:
        return obj.posted_by.username if obj.posted_by else None

    @staticmethod
    def resolve_components(obj: StatusUpdate) -> dict[str, str]:
        return {str(row.component_id): row.status for row in obj.components.all()}


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(request.auth), pk=incident_id)  # type: ignore[attr-defined]


def _components(given: dict[str, str]) -> dict[Component, str]:
    ids = {}
    for key, status in given.items():
        if not key.isdigit():
            raise HttpError(400, f"components: {key!r} is not a component id")
        if status not in ComponentStatus.values:
            raise HttpError(
                400,
                f"components.{key}: {status!r} is not a component status; use one of "
                f"{', '.join(ComponentStatus.values)}",
            )
        ids[int(key)] = status
    found = {c.pk: c for c in Component.objects.filter(pk__in=ids)}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise HttpError(400, f"components: no component with id {', '.join(map(str, missing))}")
    return {found[pk]: status for pk, status in ids.items()}


@router.get("/{incident_id}/updates", response=list[UpdateOut])
def list_updates(request: HttpRequest, incident_id: int) -> list[StatusUpdate]:
    """The incident's public updates, newest first."""
    incident = _incident(request, incident_id)
    return list(incident.status_updates.select_related("posted_by").prefetch_related("components"))


@router.post("/{incident_id}/updates", response={201: UpdateOut})
def post_update(request: HttpRequest, incident_id: int, body: UpdateIn) -> Status[StatusUpdate]:
    """Post a public update (responder): on the status page at once, sent to subscribers."""
    user = require_role(request, "responder")
    incident = _incident(request, incident_id)
    components = _components(body.components)
    try:
        update = services.post_update(
            incident=incident,
            status=body.status,
            message=body.message,
            components=components,
            actor=user,
        )
    except services.UpdateError as exc:
        raise HttpError(400, str(exc)) from None
    return Status(201, update)
