"""Forms for responders: a public update, a maintenance window."""

from __future__ import annotations

from typing import Any

from django import forms

from hindsight.catalog.models import Component, ComponentStatus
from hindsight.incidents.models import Incident
from hindsight.statuspage import services
from hindsight.statuspage.models import StatusPage

UNCHANGED = ""


def listed_components() -> list[Component]:
    """Components that appear on at least one status page."""
    return list(
        Component.objects.filter(pages__isnull=False)
        .distinct()
        .order_by("group", "position", "name")
    )


class UpdateForm(forms.Form):
    template = forms.ChoiceField(
        required=False,
        choices=[("", "No template")] + [(t.key, t.label) for t in services.UPDATE_TEMPLATES],
        help_text="With an empty message, the template's text is used.",
    )
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in services.UPDATE_STATUSES])
    message = forms.CharField(
        required=False,
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the status page and sent to subscribers. Plain text.",
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.components = listed_components()
        choices = [(UNCHANGED, "Unchanged"), *ComponentStatus.choices]
        for component in self.components:
            self.fields[f"component_{component.pk}"] = forms.ChoiceField(
                label=component.name, required=False, choices=choices
            )

    def component_fields(self) -> list[forms.BoundField]:
        return [self[f"component_{c.pk}"] for c in self.components]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("message") or "").strip():
            if data.get("template"):
                data["message"] = services.template_message(
                    template=data["template"], incident=self.incident
                )
            else:
                self.add_error("message", "Write a message or pick a template.")
        return data

    def component_changes(self) -> dict[Component, str]:
        return {
            c: self.cleaned_data[f"component_{c.pk}"]
            for c in self.components
            if self.cleaned_data.get(f"component_{c.pk}")
        }


class MaintenanceForm(forms.Form):
    page = forms.ModelChoiceField(queryset=StatusPage.objects.all())
    title = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(
        help_text="UTC", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        help_text="UTC", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.filter(pages__isnull=False).distinct(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The window must end after it starts.")
        return data
