"""Insights pages: the library search and the dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hindsight.catalog.models import Service
from hindsight.core.factors import VOCABULARY
from hindsight.incidents.models import IncidentStatus, Severity
from hindsight.insights.models import SearchKind
from hindsight.insights.params import FILTER_NAMES, filters_from
from hindsight.insights.search import STATUSES, Results, SearchError, search
from hindsight.postmortems.models import PostMortemStatus

PAGE_SIZE = 20


def _status_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    actions = [("open", "Open"), ("in_progress", "In progress"), ("done", "Done")]
    actions.append(("wont_do", "Won't do"))
    return [
        ("Incident", list(IncidentStatus.choices)),
        ("Post-mortem", list(PostMortemStatus.choices)),
        ("Action item", [c for c in actions if c[0] in STATUSES["action_item"]]),
    ]


def search_page(request: HttpRequest) -> HttpResponse:
    """Search the library; the same query string as GET /api/search."""
    text = request.GET.get("q", "")
    asked = bool(text.strip()) or any(request.GET.get(name) for name in FILTER_NAMES)
    results: Results | None = None
    error = ""
    status = 200
    try:
        offset = max(0, int(request.GET.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    if asked:
        try:
            results = search(
                text=text,
                user=request.user,
                filters=filters_from(request.GET.getlist),
                limit=PAGE_SIZE,
                offset=offset,
            )
        except SearchError as exc:
            error, status = str(exc), 400
    params = request.GET.copy()
    params.pop("offset", None)
    context = {
        "q": text,
        "results": results,
        "error": error,
        "chosen": {name: request.GET.getlist(name) for name in FILTER_NAMES},
        "kinds": SearchKind.choices,
        "severities": Severity.values,
        "services": Service.objects.values_list("slug", "name"),
        "factors": [(t.tag, t.label) for t in VOCABULARY],
        "statuses": _status_choices(),
        "base_query": params.urlencode(),
        "offset": offset,
        "previous": max(0, offset - PAGE_SIZE) if offset else None,
        "next": offset + PAGE_SIZE if results and results.count > offset + PAGE_SIZE else None,
        "last": min(results.count, offset + PAGE_SIZE) if results else 0,
    }
    return render(request, "insights/search.html", context, status=status)
