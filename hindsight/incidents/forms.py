"""Forms for the incident pages: declare, lifecycle changes, notes, event edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from hindsight.accounts.models import Role, User
from hindsight.catalog.models import Service
from hindsight.core import inputs
from hindsight.incidents.models import KEY_MOMENTS, IncidentStatus, Severity, TimelineEvent

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def responders() -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        queryset=User.objects.filter(
            is_active=True, role__in=[Role.RESPONDER, Role.EDITOR, Role.ADMIN]
        ).order_by("username"),
        required=False,
        empty_label="(nobody)",
    )


def _not_future(value: datetime | None) -> datetime | None:
    if value is not None and value > timezone.now():
        raise forms.ValidationError("This time is in the future.")
    if value is not None:
        try:
            return inputs.check_time(value)
        except inputs.InputError:
            raise forms.ValidationError("This time is before 1970.") from None
    return value


class DeclareForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.SEV3)
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    commander = responders()
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    customer_impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What customers notice, in their words (internal until you post a public update)",
    )
    started_at = forms.DateTimeField(
        required=False, widget=_DATETIME, help_text="When it began, if earlier than now (UTC)"
    )
    restricted = forms.BooleanField(required=False, help_text="Visible to editors and admins only")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["commander"] = responders()

    def clean_started_at(self) -> datetime | None:
        return _not_future(self.cleaned_data.get("started_at"))


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    at = forms.DateTimeField(
        required=False,
        help_text="When it happened, if earlier than now (UTC)",
        widget=_DATETIME,
    )

    def clean_at(self) -> datetime | None:
        return _not_future(self.cleaned_data.get("at"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    note = forms.CharField(max_length=2000, required=False)


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices)


class CommanderForm(forms.Form):
    commander = responders()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["commander"] = responders()


class ServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class MomentForm(forms.Form):
    moment = forms.ChoiceField(choices=[(m, m.capitalize()) for m in KEY_MOMENTS])
    at = forms.DateTimeField(required=False, widget=_DATETIME, help_text="Empty clears it (UTC)")
    reason = forms.CharField(max_length=500, required=False)


class EventEditForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)
    # Seconds are shown and kept: events seconds apart must not re-order on save.
    occurred_at = forms.DateTimeField(
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
        label="When (UTC)",
    )
    is_key = forms.BooleanField(required=False, label="Key event")
    hidden = forms.BooleanField(required=False, label="Hidden from the timeline")
    # The event as it was when the form was opened (timeline.event_version).
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_occurred_at(self) -> datetime | None:
        return _not_future(self.cleaned_data.get("occurred_at"))

    def changes(self, event: TimelineEvent) -> dict[str, Any]:
        """Only the fields the editor changed, compared with the event as shown."""
        data = self.cleaned_data
        changed: dict[str, Any] = {}
        if data["text"].strip() != event.text:
            changed["text"] = data["text"]
        # The form shows whole seconds; an unchanged time keeps its microseconds.
        if data["occurred_at"] != event.occurred_at.replace(microsecond=0):
            changed["occurred_at"] = data["occurred_at"]
        for flag in ("is_key", "hidden"):
            if data[flag] != getattr(event, flag):
                changed[flag] = data[flag]
        return changed
