"""Insights pages: the library search and the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from hindsight.actions.models import ActionStatus
from hindsight.catalog.models import Service
from hindsight.config import SELF_CONTAINED_CSP
from hindsight.core.factors import VOCABULARY
from hindsight.core.html import PRINT_STYLE
from hindsight.incidents.models import Incident, IncidentStatus, Severity
from hindsight.insights import charts, rollup, tables
from hindsight.insights.models import SearchKind
from hindsight.insights.params import FILTER_NAMES, filters_from
from hindsight.insights.search import Results, SearchError, search
from hindsight.postmortems import printing
from hindsight.postmortems.models import PostMortemStatus

PAGE_SIZE = 20


def _status_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        ("Incident", list(IncidentStatus.choices)),
        ("Post-mortem", list(PostMortemStatus.choices)),
        ("Action item", list(ActionStatus.choices)),
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
    # Pages go as far as the ranked matches (all of them unless the search was common).
    pages = 0 if results is None else min(results.count, results.ranked or results.count)
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
        "next": offset + PAGE_SIZE if pages > offset + PAGE_SIZE else None,
        "last": min(pages, offset + PAGE_SIZE),
    }
    return render(request, "insights/search.html", context, status=status)


CHARTS = (
    "incidents",
    "time-to-detect",
    "time-to-acknowledge",
    "time-to-resolve",
    "repeats",
    "actions",
    "timeliness",
    "scores",
    "factors",
)


def _figures(user: object, data: dict[str, Any], stored: bool) -> dict[str, Any]:
    """What the dashboard and the report show, from one snapshot, for this user."""
    months = data["months"]
    repeats = data["repeats"]["latest"]
    titles = dict(
        Incident.objects.visible_to(user)
        .filter(pk__in=[r["incident"] for r in repeats] + [r["earlier"] for r in repeats])
        .values_list("pk", "title")
    )
    return {
        "data": data,
        "stored": stored,
        "computed_at": datetime.fromisoformat(data["computed_at"]),
        "overall": data["durations"]["overall"].get("all", {}),
        "charts": [tables.table(name, data) for name in CHARTS],
        "by_severity": tables.table("durations-by-severity", data),
        "by_service": tables.table("durations-by-service", data),
        "categories": data["categories"],
        "repeats": [
            {**r, "title": titles.get(r["incident"]), "earlier_title": titles.get(r["earlier"])}
            for r in repeats
            if r["incident"] in titles
        ],
        "recognition": list(data["recognition"].items()),
        "resurfaced": [
            {**r, "started": datetime.fromisoformat(r["started"])} for r in data["resurfaced"]
        ],
        "first_month": months[0],
        "last_month": months[-1],
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """The insights dashboard: every figure from the latest snapshot, charts and CSVs."""
    data, stored = rollup.current(user=request.user, now=timezone.now())
    context = _figures(request.user, data, stored) | {"pdf_missing": printing.missing()}
    return render(request, "insights/dashboard.html", context)


def _table_or_404(request: HttpRequest, table: str) -> tables.Table:
    data, _ = rollup.current(user=request.user)
    found = tables.table(table, data)
    if found is None:
        raise Http404(f"No insights table {table!r}.")
    return found


def _svg(data: dict[str, Any], stored: bool, table: tables.Table) -> str:
    """The table's chart; a stored snapshot never changes, so each is drawn once per process."""
    if not stored:
        return charts.svg(table)
    key = f"insights-chart:{data['computed_at']}:{data['include_restricted']}:{table.name}"
    return str(cache.get_or_set(key, lambda: charts.svg(table), timeout=3600))


def chart(request: HttpRequest, table: str) -> HttpResponse:
    """One chart as SVG (the numbers of the CSV of the same name)."""
    data, stored = rollup.current(user=request.user)
    found = tables.table(table, data)
    if found is None or found.chart is None:
        raise Http404(f"No insights chart {table!r}.")
    response = HttpResponse(_svg(data, stored, found), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _report_page(request: HttpRequest) -> tuple[str, str]:
    """The report as one self-contained printable page, and its file name (without extension)."""
    data, stored = rollup.current(user=request.user, now=timezone.now())
    context = _figures(request.user, data, stored)
    # Each chart inline (the SVG element, without its XML prolog): the page fetches nothing.
    drawn = [_svg(data, stored, table) for table in context["charts"]]
    context["figures"] = [
        (table, mark_safe(svg[svg.index("<svg") :]))  # matplotlib's own escaped SVG
        for table, svg in zip(context["charts"], drawn, strict=True)
    ]
    context["durations"] = [context["by_severity"], context["by_service"]]
    context["style"] = PRINT_STYLE
    page = render_to_string("insights/report.html", context, request=request)
    return page, f"hindsight-insights-{context['first_month']}-to-{context['last_month']}"


def report(request: HttpRequest) -> HttpResponse:
    """Every figure of the dashboard on one printable page, charts inline."""
    page, _ = _report_page(request)
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    # The page carries its own styles and charts and nothing else.
    response["Content-Security-Policy"] = SELF_CONTAINED_CSP
    return response


def report_pdf(request: HttpRequest) -> HttpResponse:
    """The printable report as PDF (WeasyPrint); 501 with what to install when it can't print."""
    if missing := printing.missing():  # before drawing any chart
        return JsonResponse({"detail": missing, "code": "pdf_unavailable"}, status=501)
    page, name = _report_page(request)
    try:
        content = printing.pdf_from_html(page)
    except printing.PdfUnavailable as exc:
        return JsonResponse({"detail": str(exc), "code": "pdf_unavailable"}, status=501)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table's numbers as CSV."""
    found = _table_or_404(request, table)
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hindsight-{table}.csv"'
    return response
