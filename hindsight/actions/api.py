"""Action-items API (issue 13; this contract is checked from outside as written).

- `GET /api/action-items/`: filters as on the board (`owner`, `status`,
  `overdue=true`, `priority`, `service`, `incident`, and `kind`, `team`, `sort`).
- `GET /api/action-items/{id}` and `PATCH /api/action-items/{id}`.
- `POST /api/action-items/{id}/close` with
  `{"evidence": {"kind": "link" | "monitor" | "note", "url" | "monitor" | "text": …}}`:
  200 and `status: "done"`; 422 with a clear message for a P1/P2 item without evidence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, ConfigDict, Field

from hindsight.actions import filters, services
from hindsight.actions.models import ActionItem
from hindsight.api import api, require_role

router = Router(tags=["action items"])


class EvidenceOut(Schema):
    kind: str
    url: str | None
    monitor: int | None
    integration: int | None
    text: str | None


class ActionItemOut(Schema):
    id: int
    title: str
    description: str
    status: str
    priority: str
    kind: str
    owner: str | None
    due_date: date | None
    overdue: bool
    incident: int
    postmortem: int | None
    services: list[str]
    external_url: str
    evidence: EvidenceOut | None
    wont_do_reason: str
    completed_at: datetime | None
    closed_by: str | None
    recurred_in: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: ActionItem) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: ActionItem) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_incident(obj: ActionItem) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_postmortem(obj: ActionItem) -> int | None:
        return obj.postmortem_id

    @staticmethod
    def resolve_services(obj: ActionItem) -> list[str]:
        return [s.slug for s in obj.incident.services.all()]

    @staticmethod
    def resolve_evidence(obj: ActionItem) -> dict[str, Any] | None:
        if not obj.evidence_kind:
            return None
        return {
            "kind": obj.evidence_kind,
            "url": obj.evidence_url or None,
            "monitor": obj.evidence_monitor_id,
            "integration": obj.evidence_integration_id,
            "text": obj.verification_note or None,
        }

    @staticmethod
    def resolve_closed_by(obj: ActionItem) -> str | None:
        return obj.closed_by.username if obj.closed_by else None

    @staticmethod
    def resolve_recurred_in(obj: ActionItem) -> int | None:
        return obj.recurred_in_id


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatchIn(Strict):
    title: str | None = Field(default=None, max_length=300)
    description: str | None = None
    owner: str | None = Field(default=None, description="A username; null: nobody")
    due_date: date | None = None
    priority: Literal["P1", "P2", "P3", "P4"] | None = None
    kind: Literal["immediate", "long_term"] | None = None
    status: Literal["open", "in_progress", "done", "wont_do"] | None = None
    wont_do_reason: str | None = Field(default=None, description="Needed for wont_do")
    external_url: str | None = None


class EvidenceIn(Strict):
    kind: Literal["link", "monitor", "note"]
    url: str | None = None
    monitor: int | str | None = Field(
        default=None,
        description='A monitor\'s id or name, or "integration:<id>" with the alert rule in text',
    )
    text: str | None = None


class CloseIn(Strict):
    evidence: EvidenceIn | None = None


@api.exception_handler(services.ActionItemError)
def _refused(request: HttpRequest, exc: services.ActionItemError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "code": exc.code}, status=exc.status)


def _one(request: HttpRequest, item_id: int) -> ActionItem:
    user = require_role(request, "viewer")
    return services.get_visible(user, item_id)


@router.get("/", response=list[ActionItemOut])
@paginate(LimitOffsetPagination)
def list_items(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    owner: str | None = None,
    status: str | None = None,
    overdue: str | None = None,
    priority: str | None = None,
    service: str | None = None,
    incident: str | None = None,
    kind: str | None = None,
    team: str | None = None,
    sort: str | None = None,
):
    """Action items across post-mortems; owner is a username, "me" or "none"; status one of
    open, in_progress, done, wont_do (or open_any); overdue=true; sort: due, -due, priority,
    owner, status, incident, updated."""
    user = require_role(request, "viewer")
    query = {
        "owner": owner,
        "status": status,
        "overdue": overdue,
        "priority": priority,
        "service": service,
        "incident": incident,
        "kind": kind,
        "team": team,
        "sort": sort,
    }
    try:
        chosen = filters.parse({k: v for k, v in query.items() if v is not None})
    except filters.FilterError as exc:
        raise HttpError(400, str(exc)) from None
    found = services.visible(user).select_related("owner", "incident", "closed_by")
    found = found.prefetch_related("incident__services")
    return filters.apply(found, chosen, user=user, today=timezone.localdate())


@router.get("/{item_id}", response=ActionItemOut)
def get_item(request: HttpRequest, item_id: int) -> ActionItem:
    """One action item with its evidence."""
    return _one(request, item_id)


@router.patch("/{item_id}", response=ActionItemOut)
def patch_item(request: HttpRequest, item_id: int, body: PatchIn) -> ActionItem:
    """Change the fields sent (responder); status done follows the close rules."""
    item = _one(request, item_id)
    user = require_role(request, "responder")
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return services.update(item=item, actor=user, changes=changes)


@router.post("/{item_id}/close", response=ActionItemOut)
def close_item(request: HttpRequest, item_id: int, body: CloseIn) -> ActionItem:
    """Mark the item done with how the fix was verified; P1 and P2 items need evidence."""
    item = _one(request, item_id)
    user = require_role(request, "responder")
    evidence = services.evidence_from(body.evidence.model_dump() if body.evidence else None)
    return services.close(item=item, actor=user, evidence=evidence)
