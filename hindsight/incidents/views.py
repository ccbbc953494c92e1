"""Incident pages: the list and one incident with its timeline."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hindsight.accounts.permissions import role_required
from hindsight.incidents import services
from hindsight.incidents.models import OPEN_STATUSES, Incident, IncidentStatus

LIST_FILTERS = {
    "open": ("Open", {"status__in": OPEN_STATUSES}),
    "resolved": ("Resolved", {"status__in": (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)}),
    "all": ("All", {}),
}


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
        {"incidents": incidents[:200], "filters": filters, "current": current},
    )


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    at = forms.DateTimeField(
        required=False,
        help_text="When it happened, if earlier than now (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_at(self) -> datetime | None:
        at: datetime | None = self.cleaned_data.get("at")
        if at is not None and at > timezone.now():
            raise forms.ValidationError("A note cannot be dated in the future.")
        return at


def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one incident: facts, durations and the whole timeline in order."""
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("commander"), pk=pk
    )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "events": services.visible_events(incident),
            "note_form": NoteForm(),
            "can_respond": request.user.has_role("responder"),  # type: ignore[union-attr]
        },
    )


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
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"The note was not added: {errors}")
    return redirect("incidents:detail", pk=incident.pk)
