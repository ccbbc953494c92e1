"""Search API: ``GET /api/search?q=…`` with the page's filters."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Query

from hindsight.insights.params import filters_from
from hindsight.insights.search import SearchError, search

router = Router(tags=["search"])


class ResultOut(Schema):
    kind: str
    id: int
    title: str
    url: str
    snippet: str


class SearchOut(Schema):
    results: list[ResultOut]
    count: int


@router.get("", response=SearchOut, summary="Search incidents, post-mortems, actions, timelines")
def search_library(
    request: HttpRequest,
    q: str = Query("", description='Words, "phrases", prefix*, -exclude, a OR b'),
    service: list[str] = Query([], description="Service slug (repeatable)"),
    severity: list[str] = Query([], description="SEV1…SEV4 (repeatable)"),
    since: str = Query("", alias="from", description="Incidents started on or after YYYY-MM-DD"),
    to: str = Query("", description="Incidents started on or before YYYY-MM-DD"),
    factor: list[str] = Query([], description="Contributing factor tag (repeatable)"),
    status: list[str] = Query([], description="Status of the result (repeatable)"),
    author: str = Query("", description="Username"),
    kind: list[str] = Query([], description="incident, postmortem, action_item, event"),
    limit: int = 20,
    offset: int = 0,
) -> dict[str, object]:
    """Best matches first; `snippet` is HTML with the matches in `<mark>`, all else escaped."""
    try:
        results = search(
            text=q,
            user=getattr(request, "auth", None),
            filters=filters_from(request.GET.getlist),
            limit=limit,
            offset=offset,
        )
    except SearchError as exc:
        raise HttpError(400, str(exc)) from exc
    return {
        "results": [
            {"kind": h.kind, "id": h.id, "title": h.title, "url": h.url, "snippet": str(h.snippet)}
            for h in results.hits
        ],
        "count": results.count,
    }
