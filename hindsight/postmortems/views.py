"""Post-mortem pages: the list with filters, the due tab and the workspace (editor)."""

from __future__ import annotations

import difflib
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.accounts.permissions import AuthenticatedRequest
from hindsight.accounts.services import user_named
from hindsight.catalog.models import Service
from hindsight.config import SELF_CONTAINED_CSP
from hindsight.core import diagram_svg, diagrams, edits, outline
from hindsight.core.durations import format_duration
from hindsight.core.html import markdown_to_html, rendered_html
from hindsight.core.model import SectionKind
from hindsight.core.outline import Outline
from hindsight.incidents.models import Severity
from hindsight.postmortems import access, diagram_editor, editor, printing, services
from hindsight.postmortems.deadlines import DUE_SOON, DueEntry, due_list, next_deadline
from hindsight.postmortems.meeting_views import meeting_context
from hindsight.postmortems.models import PostMortem, PostMortemStatus

STATUS_TABS = [("", "All"), *PostMortemStatus.choices]
AUDIENCE_LABELS = [
    ("full", "Everyone inside (full)"),
    ("summary", "Executives (summary)"),
    ("public", "Customers (public)"),
]


def _filtered(request: AuthenticatedRequest) -> tuple[QuerySet[PostMortem], dict[str, str]]:
    # NUL can't be in a PostgreSQL string; it is never part of a title or a slug.
    chosen = {
        key: request.GET.get(key, "").replace("\x00", "").strip()
        for key in ("status", "q", "severity", "service")
    }
    found = access.visible(request.user).select_related("incident")
    if chosen["status"] in PostMortemStatus.values:
        found = found.filter(status=chosen["status"])
    else:
        chosen["status"] = ""
    if chosen["q"]:
        found = found.filter(title__icontains=chosen["q"][:200])
    if chosen["severity"] in Severity.values:
        found = found.filter(incident__severity=chosen["severity"])
    else:
        chosen["severity"] = ""
    if chosen["service"]:
        found = found.filter(incident__services__slug=chosen["service"])
    return found.prefetch_related("authors", "incident__services").distinct(), chosen


def diff_lines(older: str, newer: str, older_name: str, newer_name: str) -> list[tuple[str, str]]:
    """The changed lines between two texts as (mark, line): "+", "-", "@" or " "."""
    lines = difflib.unified_diff(
        older.splitlines(), newer.splitlines(), older_name, newer_name, lineterm=""
    )
    return [(line[:1], line) for line in lines][2:]  # without the two file-name lines


def deadline_label(entry: DueEntry | None) -> dict[str, Any]:
    """How a deadline reads in a list: the date, and overdue by / due in."""
    if entry is None:
        return {}
    return {
        "deadline": entry.deadline,
        "what": entry.what,
        "overdue_by": format_duration(entry.overdue_by) if entry.overdue_by else "",
        "due_in": format_duration(entry.due_in) if entry.due_in else "",
    }


def postmortem_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every post-mortem the user may see, filtered by status, severity, service and title."""
    found, chosen = _filtered(request)
    now = timezone.now()
    rows = [
        {"pm": pm, "due": deadline_label(next_deadline(pm, now))}
        for pm in found.order_by("-created_at", "-id")[:300]
    ]
    query = {k: v for k, v in chosen.items() if v and k != "status"}
    return render(
        request,
        "postmortems/list.html",
        {
            "rows": rows,
            "chosen": chosen,
            "tabs": STATUS_TABS,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "severities": Severity.choices,
            "services": Service.objects.order_by("name"),
        },
    )


def due(request: AuthenticatedRequest) -> HttpResponse:
    """Post-mortems still owed: overdue first, then due within 48 h, then later."""
    lists = due_list(access.visible(request.user).select_related("incident"), timezone.now())
    groups = [
        ("overdue", "Overdue", lists.overdue),
        ("due-soon", f"Due within {format_duration(DUE_SOON)}", lists.due_soon),
        ("later", "Later", lists.later),
    ]
    return render(
        request,
        "postmortems/due.html",
        {
            "groups": [
                (
                    key,
                    label,
                    [deadline_label(entry) | {"pm": entry.postmortem} for entry in entries],
                )
                for key, label, entries in groups
            ],
            "tabs": STATUS_TABS,
        },
    )


def _timeline_choices(postmortem: PostMortem, draft: Outline) -> list[dict[str, Any]]:
    """The incident's events to pick from: hidden ones only when still in the text."""
    parts = [p for p in draft.parts if p.kind is SectionKind.TIMELINE]
    body = parts[0].body if parts else ""
    choices = []
    for event in postmortem.incident.events.order_by("occurred_at", "id"):
        picked = editor.is_picked(body, event)
        if event.hidden and not picked:
            continue
        choices.append({"event": event, "picked": picked})
    return choices


def _item_rows(draft: Outline, users: list[User]) -> list[dict[str, Any]]:
    """Each written action item with the user its owner names (a select picks from users)."""
    parts = [p for p in draft.parts if p.kind is SectionKind.ACTION_ITEMS]
    rows = []
    for item in edits.action_items(parts[0].body if parts else ""):
        owner = user_named(item.owner, users)
        rows.append(
            {
                "item": item,
                "due": item.due.isoformat() if item.due else "",
                "owner_username": owner.username if owner else "",
                "unknown_owner": item.owner if item.owner and owner is None else "",
            }
        )
    return rows


def review_context(postmortem: PostMortem, draft: Outline) -> dict[str, Any]:
    """The live review of a text: score, findings by section and line, counts, due time."""
    report = services.review_text(outline.join(draft))
    located = editor.locate(draft, report.findings)
    counts = [
        sum(1 for found in located if found.part == index) for index in range(len(draft.parts))
    ]
    return {
        "pm": postmortem,
        "report": report,
        "located": located,
        "counts": list(enumerate(counts)),
        "due": deadline_label(next_deadline(postmortem, timezone.now())),
    }


def editor_context(
    request: AuthenticatedRequest,
    postmortem: PostMortem,
    draft: Outline | None = None,
    *,
    version: int | None = None,
    error: str = "",
    preview: int | None = None,
) -> dict[str, Any]:
    """Everything the workspace page shows, for the stored text or a submitted one."""
    draft = draft or editor.editable(services.document_text(postmortem))
    review = review_context(postmortem, draft)
    users = list(User.objects.filter(is_active=True).order_by("username"))
    comments = list(postmortem.comments.select_related("author", "resolved_by"))
    parts = [
        {
            "index": index,
            "part": part,
            "kind": part.kind.value,
            "comments": [c for c in comments if c.section == part.title],
            "preview": markdown_to_html(part.body) if preview == index else None,
            "html": rendered_html(part.body, postmortem.title),
            "rows": min(max(part.body.count("\n") + len(part.body) // 90 + 2, 4), 30),
            "findings": review["counts"][index][1],
        }
        for index, part in enumerate(draft.parts)
    ]
    user = request.user
    return review | {
        "incident": postmortem.incident,
        "draft": draft,
        "parts": parts,
        "version": version if version is not None else postmortem.version,
        "error": error,
        "can_edit": access.can_edit(user) and postmortem.status != PostMortemStatus.PUBLISHED,
        "can_comment": access.can_comment(user, postmortem),
        "is_editor": access.can_edit(user),
        "is_reviewer": access.is_reviewer(user, postmortem),
        "only_author": set(postmortem.authors.all()) == {user},
        "unresolved": sum(not c.is_resolved for c in comments),
        "comments": comments,
        "section_titles": [p.title for p in draft.parts],
        "events": _timeline_choices(postmortem, draft),
        "items": _item_rows(draft, users),
        "users": users,
        "priorities": editor.PRIORITIES,
        "terms": editor.TERMS,
        "item_statuses": editor.STATUSES,
        "reviewer_choices": access.reviewer_choices(),
        "reviewers": list(postmortem.reviewers.all()),
        "authors": list(postmortem.authors.all()),
        "steps": PostMortemStatus.choices,
        "audiences": AUDIENCE_LABELS,
        "pdf_missing": printing.missing(),
        "diagrams": diagram_editor.context(draft, postmortem.title),
        "meeting": meeting_context(postmortem),
        "max_chars": services.MAX_BODY_CHARS,
    }


def workspace(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The post-mortem's workspace: sections, live review, workflow, comments, exports."""
    postmortem = access.get_visible(request.user, pk)
    return render(request, "postmortems/workspace.html", editor_context(request, postmortem))


def diagram(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    """One root-cause diagram of the saved text as an SVG image."""
    postmortem = access.get_visible(request.user, pk)
    if kind not in diagrams.KINDS:
        raise Http404("Diagrams are whys, fishbone and fault-tree.")
    found = diagrams.parse_diagrams(postmortem.body)
    response = HttpResponse(
        diagram_svg.diagram_svg(found, kind, postmortem.title), content_type="image/svg+xml"
    )
    response["Content-Security-Policy"] = SELF_CONTAINED_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
