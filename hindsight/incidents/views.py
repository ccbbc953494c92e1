"""Incident pages: the list, declaring, and one incident with its timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hindsight.accounts.permissions import role_required
from hindsight.core.durations import format_duration
from hindsight.formerrors import form_errors
from hindsight.incidents import services
from hindsight.incidents.forms import (
    CommanderForm,
    DeclareForm,
    MomentForm,
    NoteForm,
    ServicesForm,
    SeverityForm,
    StatusForm,
)
from hindsight.incidents.importers import importers
from hindsight.incidents.models import OPEN_STATUSES, EventSource, Incident, IncidentStatus
from hindsight.incidents.timeline import find_gaps

LIST_FILTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "open": ("Open", {"status__in": OPEN_STATUSES}),
    "resolved": ("Resolved", {"status__in": (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)}),
    "all": ("All", {}),
}
# Quiet stretches shown in the gap view, in minutes; 0 turns it off.
GAP_CHOICES = (0, 15, 30, 60, 240)
DEFAULT_GAP_MINUTES = 30
TIMELINE_PAGE = 500


def incident_list(request: HttpRequest) -> HttpResponse:
    """List incidents, newest first, filtered by open / resolved / all."""
    current = request.GET.get("show", "all")
    if current not in LIST_FILTERS:
        current = "all"
    incidents = (
        Incident.objects.visible_to(request.user)
        .filter(**LIST_FILTERS[current][1])
        .select_related("commander")
        .prefetch_related("services")
    )
    filters = [(key, label) for key, (label, _) in LIST_FILTERS.items()]
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": incidents[:200],
            "filters": filters,
            "current": current,
            "can_declare": request.user.has_role("responder"),  # type: ignore[union-attr]
        },
    )


@role_required("responder")
def declare(request: HttpRequest) -> HttpResponse:
    """Declare a new incident (responders and up)."""
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident = services.declare_incident(
            title=data["title"],
            severity=data["severity"],
            services=list(data["services"]),
            commander=data["commander"],
            declared_by=request.user,  # type: ignore[arg-type]
            started_at=data["started_at"],
            summary=data["summary"],
            customer_impact=data["customer_impact"],
            restricted=data["restricted"],
        )
        messages.success(request, f"Incident #{incident.pk} declared.")
        return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/declare.html", {"form": form})


def _metrics(incident: Incident) -> list[tuple[str, str]]:
    values = incident.metrics()
    customer = format_duration(values.customer_facing) + (" so far" if values.ongoing else "")
    return [
        ("Time to detect", format_duration(values.time_to_detect)),
        ("Time to acknowledge", format_duration(values.time_to_acknowledge)),
        ("Time to mitigate", format_duration(values.time_to_mitigate)),
        ("Time to resolve", format_duration(values.time_to_resolve)),
        ("Customer-facing", customer),
    ]


def _timeline(request: HttpRequest, incident: Incident, can_edit: bool) -> dict[str, Any]:
    show_hidden = can_edit and request.GET.get("hidden") == "1"
    timeline = services.shown_events(incident, include_hidden=show_hidden)
    present = sorted(set(timeline.order_by().values_list("source", flat=True).distinct()))
    source = request.GET.get("source", "")
    if source in present:
        timeline = timeline.filter(source=source)
    else:
        source = ""
    # One page of the timeline at a time: an incident with 100,000 events
    # must not become one 100 MB page.
    page = Paginator(timeline, TIMELINE_PAGE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    try:
        gap_minutes = int(request.GET.get("gap", DEFAULT_GAP_MINUTES))
    except ValueError:
        gap_minutes = DEFAULT_GAP_MINUTES
    if gap_minutes not in GAP_CHOICES:
        gap_minutes = DEFAULT_GAP_MINUTES
    gaps = (
        {g.after.pk: g for g in find_gaps(events, at_least=timedelta(minutes=gap_minutes))}
        if gap_minutes
        else {}
    )
    items: list[tuple[str, object]] = []
    for event in events:
        items.append(("event", event))
        if event.pk in gaps:
            items.append(("gap", format_duration(gaps[event.pk].length)))
    return {
        "timeline": items,
        "page": page,
        "event_count": page.paginator.count,
        "gap_count": len(gaps),
        "sources": [(s, EventSource(s).label if s in EventSource.values else s) for s in present],
        "current_source": source,
        "gap_minutes": gap_minutes,
        "gap_choices": GAP_CHOICES,
        "show_hidden": show_hidden,
    }


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one incident: facts, metrics, lifecycle controls and the filtered timeline."""
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("commander"), pk=pk
    )
    user = request.user
    can_edit = user.has_role("editor")  # type: ignore[union-attr]
    postmortem = getattr(incident, "postmortem", None)
    context = {
        "incident": incident,
        "metrics": _metrics(incident),
        "postmortem": postmortem,
        "note_form": NoteForm(),
        "status_form": StatusForm(initial={"status": incident.status}),
        "severity_form": SeverityForm(initial={"severity": incident.severity}),
        "commander_form": CommanderForm(initial={"commander": incident.commander_id}),
        "services_form": ServicesForm(initial={"services": list(incident.services.all())}),
        "moment_form": MomentForm(),
        "importers": [
            (importer, importer.form(), importer.recent(incident) if importer.recent else [])
            for importer in importers()
        ],
        "can_respond": user.has_role("responder"),  # type: ignore[union-attr]
        "can_edit": can_edit,
        **_timeline(request, incident, can_edit),
    }
    return render(request, "incidents/detail.html", context)


@require_POST
@role_required("responder")
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a manual note to the timeline (responders and up)."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.append_event(
            incident=incident,
            text=form.cleaned_data["text"],
            actor=request.user,  # type: ignore[arg-type]
            occurred_at=form.cleaned_data["at"],
        )
        messages.success(request, "Note added to the timeline.")
    else:
        messages.error(request, f"The note was not added: {form_errors(form)}")
    return redirect("incidents:detail", pk=incident.pk)
