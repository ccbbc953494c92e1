"""Upload a Slack export from the incident page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from hindsight.accounts.permissions import AuthenticatedRequest, role_required
from hindsight.formerrors import form_errors
from hindsight.incidents import importers
from hindsight.incidents.models import Incident
from hindsight.integrations.chat import uploads
from hindsight.integrations.chat.window import WindowError, import_window
from hindsight.integrations.models import ChatImport


class SlackUploadForm(forms.Form):
    export = forms.FileField(label="Slack export (.zip)")
    channel = forms.CharField(max_length=200, label="Channel")
    start = forms.DateField(
        required=False,
        label="From (UTC day; empty: 30 min before the incident started)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        required=False,
        label="To (UTC day; empty: 30 min after it was resolved)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    outside_window = forms.BooleanField(
        required=False, label="Include messages outside the incident's window"
    )


@require_POST
@role_required("responder")
def upload_slack(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Store an uploaded Slack export and queue its import; show its progress."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    form = SlackUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Nothing was imported: {form_errors(form)}")
        return redirect("incidents:detail", pk=pk)
    try:
        since, until = import_window(
            incident=incident,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            outside=form.cleaned_data["outside_window"],
        )
    except WindowError as exc:
        messages.error(request, f"Nothing was imported: {exc}")
        return redirect("incidents:detail", pk=pk)
    upload = form.cleaned_data["export"]
    # The window decided here (the incident's own unless asked otherwise) is what runs.
    options = {"channel": form.cleaned_data["channel"], "start": since, "end": until}
    chat_import = uploads.store_upload(
        incident=incident,
        chunks=upload.chunks(),
        filename=upload.name or "export.zip",
        options=options,
        requested_by=request.user,
    )
    return redirect("chat:import_progress", pk=pk, import_id=chat_import.pk)


@require_GET
def import_progress(request: AuthenticatedRequest, pk: int, import_id: int) -> HttpResponse:
    """An import's progress (the fragment alone for htmx polling), then its result."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
    chat_import = get_object_or_404(ChatImport.objects.filter(incident=incident), pk=import_id)
    template = (
        "integrations/_import_progress.html"
        if request.headers.get("HX-Request")
        else "integrations/import_progress.html"
    )
    return render(request, template, {"incident": incident, "chat_import": chat_import})


def recent_imports(incident: Incident) -> list[importers.RecentImport]:
    """The incident's five latest Slack uploads, each with its progress page."""
    return [
        importers.RecentImport(
            label=f"{run.filename} ({run.created_at:%Y-%m-%d %H:%M} UTC)",
            state=run.get_state_display(),
            url=reverse("chat:import_progress", args=[incident.pk, run.pk]),
        )
        for run in ChatImport.objects.filter(incident=incident).only(
            "filename", "created_at", "state", "incident_id"
        )[:5]
    ]


def register_importer() -> None:
    """Offer the Slack import on every incident page."""
    importers.register(
        importers.TimelineImporter(
            key="slack",
            label="Import a Slack export",
            url_name="chat:import_slack",
            form=SlackUploadForm,
            recent=recent_imports,
            help=(
                "Messages of one channel become chat events (threads kept; joins, edits and "
                "deletions skipped). A worker imports it in the background while a page "
                "shows the progress. Importing the same export again adds nothing twice; an "
                "export with bad files or messages imports nothing and lists the problems."
            ),
        )
    )
