"""Post-mortems API: read, save with optimistic locking, review, history, workflow.

The contract (issue 12, checked from outside as written):
- `GET /api/postmortems/` and `GET /api/postmortems/{id}`: id, incident, title,
  status, version, body (Markdown with front matter, the CLI's format), score.
- `PUT /api/postmortems/{id}` with {"body", "version"}: 200 and the new version;
  409 {"detail", "code": "conflict", "current_version"} when version is stale.
- `GET /api/postmortems/{id}/review`: {"score", "findings"} as `hindsight review
  --format json` gives them for one file.
- `GET /api/postmortems/{id}/revisions`: one entry per saved version.
- `POST /api/postmortems/{id}/transition` with {"to": "in_review" | "approved" |
  "published"} (and "draft" to reopen).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, ConfigDict, Field

from hindsight.accounts.models import User
from hindsight.api import api, require_role
from hindsight.core import formats
from hindsight.postmortems import access, services
from hindsight.postmortems.deadlines import DUE_SOON, next_deadline
from hindsight.postmortems.models import PostMortem

router = Router(tags=["postmortems"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PostMortemOut(Schema):
    id: int
    incident: int
    title: str
    status: str
    version: int
    body: str
    score: int | None
    severity: str
    services: list[str]
    authors: list[str]
    reviewers: list[str]
    due_at: datetime | None
    overdue: bool
    approved_by: str | None
    approved_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_incident(obj: PostMortem) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_body(obj: PostMortem) -> str:
        return services.document_text(obj)

    @staticmethod
    def resolve_score(obj: PostMortem) -> int | None:
        return obj.quality_score

    @staticmethod
    def resolve_severity(obj: PostMortem) -> str:
        return obj.incident.severity

    @staticmethod
    def resolve_services(obj: PostMortem) -> list[str]:
        return [s.slug for s in obj.incident.services.all()]

    @staticmethod
    def resolve_authors(obj: PostMortem) -> list[str]:
        return [u.username for u in obj.authors.all()]

    @staticmethod
    def resolve_reviewers(obj: PostMortem) -> list[str]:
        return [u.username for u in obj.reviewers.all()]

    @staticmethod
    def resolve_overdue(obj: PostMortem) -> bool:
        entry = next_deadline(obj, timezone.now())
        return entry is not None and entry.overdue_by is not None

    @staticmethod
    def resolve_approved_by(obj: PostMortem) -> str | None:
        return obj.approved_by.username if obj.approved_by else None


class SaveIn(Strict):
    body: str
    version: int = Field(ge=1)


class TransitionIn(Strict):
    to: Literal["draft", "in_review", "approved", "published"]
    reviewers: list[str] | None = Field(default=None, description="Usernames (in_review)")
    audiences: list[Literal["full", "summary", "public"]] = Field(
        default=["full"], description="Who it is published for (published)"
    )


class FindingOut(Schema):
    rule: str
    category: str
    severity: str
    line: int
    message: str
    suggestion: str


class ReviewOut(Schema):
    score: int
    findings: list[FindingOut]


class FactorOut(Schema):
    tag: str
    text: str


class FactorsOut(Schema):
    whys: list[list[str]] = Field(
        description="Each 5 Whys chain: the problem, each answer to why, the factor last"
    )
    fishbone: dict[str, list[str]] = Field(description="Causes by category, in order")
    fault_tree: dict[str, Any] = Field(
        description='From the top event: {"id", "label", "gate", "tag", "children": [...]}; '
        "{} without a fault tree"
    )
    factors: list[FactorOut]


class RevisionOut(Schema):
    version: int
    author: str | None
    created_at: datetime
    note: str
    score: int | None


class RevisionBodyOut(RevisionOut):
    body: str


@api.exception_handler(services.PostMortemError)
def _refused(request: HttpRequest, exc: services.PostMortemError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, services.VersionConflict):
        extra["current_version"] = exc.current_version
    return api.create_response(
        request, {"detail": str(exc), "code": exc.code, **extra}, status=exc.status
    )


def _visible(request: HttpRequest) -> tuple[User, QuerySet[PostMortem]]:
    user = require_role(request, "viewer")
    found = access.visible(user).select_related("incident", "approved_by")
    return user, found.prefetch_related("authors", "reviewers", "incident__services")


def _one(request: HttpRequest, postmortem_id: int) -> tuple[User, PostMortem]:
    user = require_role(request, "viewer")
    return user, access.get_visible(user, postmortem_id)


LIST_FILTERS = {
    "status": ("draft", "in_review", "approved", "published"),
    "severity": ("SEV1", "SEV2", "SEV3", "SEV4"),
    "due": ("overdue", "soon"),
}


@router.get("/", response=list[PostMortemOut])
@paginate(LimitOffsetPagination)
def list_postmortems(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: str | None = None,
    severity: str | None = None,
    service: str | None = None,
    incident: int | None = None,
    q: str | None = None,
    due: str | None = None,
):
    """Post-mortems, newest first; filter by status, severity, service (slug), incident,
    q (title contains) and due (overdue: past its deadline; soon: due within 48 h)."""
    _, found = _visible(request)
    # NUL can't be in a PostgreSQL string; it is never part of a title or a slug.
    q, service = (value.replace("\x00", "") if value else value for value in (q, service))
    for name, value in (("status", status), ("severity", severity), ("due", due)):
        if value is not None and value not in LIST_FILTERS[name]:
            raise HttpError(400, f"{name} must be one of {', '.join(LIST_FILTERS[name])}.")
    if status:
        found = found.filter(status=status)
    if severity:
        found = found.filter(incident__severity=severity)
    if service:
        found = found.filter(incident__services__slug=service)
    if incident is not None:
        found = found.filter(incident_id=incident)
    if q:
        found = found.filter(title__icontains=q[:200])
    found = found.distinct().order_by("-created_at", "-id")
    if not due:
        return found
    now = timezone.now()
    entries = [(pm, next_deadline(pm, now)) for pm in found]
    if due == "overdue":
        return [pm for pm, entry in entries if entry and entry.overdue_by is not None]
    return [
        pm
        for pm, entry in entries
        if entry and entry.due_in is not None and entry.due_in <= DUE_SOON
    ]


@router.get("/{postmortem_id}", response=PostMortemOut)
def get_postmortem(request: HttpRequest, postmortem_id: int) -> PostMortem:
    """One post-mortem with its text in the CLI's format."""
    return _one(request, postmortem_id)[1]


@router.put(
    "/{postmortem_id}",
    response={200: PostMortemOut},
    openapi_extra={
        "responses": {409: {"description": "`version` is not the current one: nothing saved"}}
    },
)
def save_postmortem(request: HttpRequest, postmortem_id: int, body: SaveIn) -> PostMortem:
    """Save a new version (editor); `version` is the one the text is based on."""
    user, postmortem = _one(request, postmortem_id)
    require_role(request, "editor")
    return services.save_body(
        postmortem=postmortem,
        body=body.body,
        author=user,
        expected_version=body.version,
        note="Saved over the API",
    )


@router.get("/{postmortem_id}/review", response=ReviewOut)
def review_postmortem(request: HttpRequest, postmortem_id: int) -> dict[str, Any]:
    """The reviewer's findings on the current text, as `hindsight review --format json`."""
    _, postmortem = _one(request, postmortem_id)
    report = services.review(postmortem=postmortem)
    path = f"postmortem-{postmortem.pk}.md"
    (result,) = json.loads(formats.to_json([formats.FileReport(path, report)]))["files"]
    return {"score": result["score"], "findings": result["findings"]}


@router.get("/{postmortem_id}/factors", response=FactorsOut)
def root_cause_factors(request: HttpRequest, postmortem_id: int) -> dict[str, Any]:
    """The root-cause diagrams as data and the contributing factors with their tags."""
    _, postmortem = _one(request, postmortem_id)
    return services.root_cause_data(postmortem=postmortem)


@router.get("/{postmortem_id}/revisions", response=list[RevisionOut])
def list_revisions(request: HttpRequest, postmortem_id: int) -> list[dict[str, Any]]:
    """One entry per saved version, oldest first."""
    _, postmortem = _one(request, postmortem_id)
    found = postmortem.revisions.select_related("author").order_by("version")
    return [_revision(r) for r in found]


@router.get("/{postmortem_id}/revisions/{version}", response=RevisionBodyOut)
def get_revision(request: HttpRequest, postmortem_id: int, version: int) -> dict[str, Any]:
    """One saved version with its text."""
    _, postmortem = _one(request, postmortem_id)
    found = postmortem.revisions.select_related("author").filter(version=version).first()
    if found is None:
        raise Http404(f"Post-mortem {postmortem.pk} has no version {version}.")
    return _revision(found) | {"body": found.body}


def _revision(found: Any) -> dict[str, Any]:
    return {
        "version": found.version,
        "author": found.author.username if found.author else None,
        "created_at": found.created_at,
        "note": found.note,
        "score": found.score,
    }


@router.post("/{postmortem_id}/transition", response=PostMortemOut)
def transition_postmortem(
    request: HttpRequest, postmortem_id: int, body: TransitionIn
) -> PostMortem:
    """Move through the workflow: in_review (editor), approved (a reviewer), published (editor)."""
    user, postmortem = _one(request, postmortem_id)
    reviewers = None
    if body.reviewers is not None:
        reviewers = list(User.objects.filter(username__in=body.reviewers, is_active=True))
        missing = sorted(set(body.reviewers) - {u.username for u in reviewers})
        if missing:
            raise services.PostMortemError(f"No active user named {', '.join(missing)}.")
    return services.transition(
        postmortem=postmortem,
        to=body.to,
        actor=user,
        reviewers=reviewers,
        audiences=body.audiences,
    )
