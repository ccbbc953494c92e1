"""Upload a Slack export from the incident page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from hindsight.accounts.permissions import role_required
from hindsight.formerrors import form_errors
from hindsight.incidents import importers
from hindsight.incidents.models import Incident
from hindsight.integrations.chat.importer import import_slack_export
from hindsight.integrations.chat.slack_export import ExportError
from hindsight.integrations.chat.window import WindowError, import_window


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
def upload_slack(request: HttpRequest, pk: int) -> HttpResponse:
    """Import an uploaded Slack export's channel into the incident's timeline."""
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
    # Stream the upload to disk so a large export is never held in memory.
    with tempfile.TemporaryDirectory(prefix="hindsight-slack-") as folder:
        path = Path(folder) / "export.zip"
        with path.open("wb") as handle:
            for piece in upload.chunks():
                handle.write(piece)
        try:
            result = import_slack_export(
                incident=incident,
                path=path,
                channel=form.cleaned_data["channel"],
                start=since,
                end=until,
            )
        except ExportError as exc:
            messages.error(request, f"Nothing was imported: {exc}")
            return redirect("incidents:detail", pk=pk)
    messages.success(
        request,
        f"Imported {result.imported} chat messages from {result.files} day-files "
        f"({result.already_there} were already on the timeline).",
    )
    return redirect("incidents:detail", pk=pk)


def register_importer() -> None:
    """Offer the Slack import on every incident page."""
    importers.register(
        importers.TimelineImporter(
            key="slack",
            label="Import a Slack export",
            url_name="chat:import_slack",
            form=SlackUploadForm,
            help=(
                "Messages of one channel become chat events (threads kept; joins, edits and "
                "deletions skipped). Importing the same export again adds nothing twice; a "
                "corrupt export imports nothing."
            ),
        )
    )
