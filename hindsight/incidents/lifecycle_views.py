"""Lifecycle and timeline-edit actions posted from the incident page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from hindsight.accounts.models import User
from hindsight.accounts.permissions import role_required
from hindsight.formerrors import form_errors
from hindsight.incidents import lifecycle
from hindsight.incidents.forms import (
    CommanderForm,
    EventEditForm,
    MomentForm,
    ServicesForm,
    SeverityForm,
    StatusForm,
)
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.incidents.timeline import EditConflict, EditError, event_version, revise_event


def _apply(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    change: Callable[[Incident, dict[str, object], User], object],
    done: str,
) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing changed: {form_errors(form)}")
    else:
        try:
            change(incident, form.cleaned_data, request.user)  # type: ignore[arg-type]
        except lifecycle.LifecycleError as exc:
            messages.error(request, f"Nothing changed: {exc}")
        else:
            messages.success(request, done)
    return redirect("incidents:detail", pk=pk)


@require_POST
@role_required("responder")
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the incident to another status."""
    return _apply(
        request,
        pk,
        StatusForm,
        lambda i, d, u: lifecycle.change_status(
            incident=i, status=str(d["status"]), actor=u, note=str(d["note"])
        ),
        "Status updated.",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("responder")
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the incident on: sets acknowledged (the first time only).

    A GET (the acknowledge link in a notification) only shows a confirmation
    page whose button posts here: opening a link never writes.
    """
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    if request.method != "POST":
        return render(request, "incidents/acknowledge.html", {"incident": incident})
    try:
        lifecycle.acknowledge(incident=incident, actor=request.user)  # type: ignore[arg-type]
    except lifecycle.LifecycleError as exc:
        messages.error(request, f"Nothing changed: {exc}")
    else:
        messages.success(request, "Acknowledged.")
    return redirect("incidents:detail", pk=pk)


@require_POST
@role_required("responder")
def change_severity(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the severity."""
    return _apply(
        request,
        pk,
        SeverityForm,
        lambda i, d, u: lifecycle.change_severity(incident=i, severity=str(d["severity"]), actor=u),
        "Severity updated.",
    )


@require_POST
@role_required("responder")
def change_commander(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the incident to another commander."""
    return _apply(
        request,
        pk,
        CommanderForm,
        lambda i, d, u: lifecycle.change_commander(
            incident=i,
            commander=d["commander"],  # type: ignore[arg-type]
            actor=u,
        ),
        "Commander updated.",
    )


@require_POST
@role_required("responder")
def change_services(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the affected services."""
    return _apply(
        request,
        pk,
        ServicesForm,
        lambda i, d, u: lifecycle.change_services(
            incident=i,
            services=list(d["services"]),  # type: ignore[call-overload]
            actor=u,
        ),
        "Affected services updated.",
    )


@require_POST
@role_required("editor")
def correct_moment(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a key moment (editors); the correction is recorded."""
    return _apply(
        request,
        pk,
        MomentForm,
        lambda i, d, u: lifecycle.correct_moment(
            incident=i,
            moment=str(d["moment"]),
            at=d["at"],  # type: ignore[arg-type]
            actor=u,
            reason=str(d["reason"]),
        ),
        "Key moment corrected.",
    )


def _shown(event: TimelineEvent) -> dict[str, Any]:
    return {
        "text": event.text,
        "occurred_at": event.occurred_at,
        "is_key": event.is_key,
        "hidden": event.hidden,
        "version": event_version(event),
    }


@role_required("editor")
def edit_event(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    """Edit, mark key or hide a timeline event (editors); history is kept."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    event = get_object_or_404(TimelineEvent, pk=event_id, incident=incident)
    form = EventEditForm(request.POST or None, initial=_shown(event))
    if request.method == "POST" and form.is_valid():
        try:
            revise_event(
                event=event,
                by=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                **form.changes(event),
            )
        except EditConflict as exc:
            event.refresh_from_db()
            form = EventEditForm(initial=_shown(event))
            messages.error(request, str(exc))
        except EditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Event updated; the earlier version is kept.")
            return redirect("incidents:detail", pk=pk)
    revisions = event.revisions.select_related("changed_by").order_by("-changed_at", "-id")
    return render(
        request,
        "incidents/event_edit.html",
        {"incident": incident, "event": event, "form": form, "revisions": revisions},
    )


@require_POST
@role_required("editor")
def toggle_event(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    """Mark/unmark an event as key, or hide/show it, in one click (editors)."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    event = get_object_or_404(TimelineEvent, pk=event_id, incident=incident)
    what = request.POST.get("toggle")
    if what == "key":
        revise_event(event=event, by=request.user, is_key=not event.is_key)  # type: ignore[arg-type]
    elif what == "hidden":
        revise_event(event=event, by=request.user, hidden=not event.hidden)  # type: ignore[arg-type]
    else:
        messages.error(request, "Nothing changed: choose 'key' or 'hidden'.")
    return redirect(f"/incidents/{pk}/#event-{event_id}")
