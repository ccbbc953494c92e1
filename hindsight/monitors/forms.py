"""Forms for the monitor pages: define a monitor, add a maintenance window."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from hindsight.monitors import credentials
from hindsight.monitors.models import MaintenanceWindow, Monitor
from hindsight.monitors.services import monitor_problems, window_problem

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MonitorForm(forms.ModelForm):  # type: ignore[type-arg]
    regions_text = forms.CharField(
        label="Regions",
        required=False,
        help_text="Comma-separated; empty means any worker's region.",
    )
    config_text = forms.CharField(
        label="Check options (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='e.g. {"status_codes": [200], "keyword": "ok", "severity": "SEV2"}',
    )
    # Write-only: never filled in from the stored values; empty keeps what is stored.
    username = forms.CharField(label="User name (Basic auth)", required=False, max_length=200)
    password = forms.CharField(
        label="Password (Basic auth)",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    headers_text = forms.CharField(
        label="Request headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One 'Name: value' per line, e.g. Authorization: Bearer …",
    )
    clear_credentials = forms.BooleanField(
        label="Remove the stored user name, password and headers", required=False
    )

    class Meta:
        model = Monitor
        fields = [
            "name",
            "kind",
            "target",
            "interval_seconds",
            "timeout_seconds",
            "confirmations_down",
            "confirmations_up",
            "quorum",
            "service",
            "component",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions_text"].initial = ", ".join(self.instance.regions or [])
        config = self.instance.config or {}
        self.fields["config_text"].initial = json.dumps(config) if config else ""
        stored = credentials.summary(self.instance)
        if stored["basic_auth"]:
            self.fields["username"].help_text = "Set. Leave empty to keep it; type to replace."
            self.fields["password"].help_text = "Set. Leave empty to keep it; type to replace."
        if stored["headers"]:
            names = ", ".join(stored["headers"])
            self.fields[
                "headers_text"
            ].help_text = f"Set: {names}. Leave empty to keep them; type all of them to replace."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = (data.get("config_text") or "").strip()
        try:
            config = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            self.add_error("config_text", f"Not valid JSON: {exc.msg}")
            return data
        forms.models.construct_instance(self, self.instance, self._meta.fields)
        self.instance.config = config
        self.instance.regions = [
            r.strip() for r in (data.get("regions_text") or "").split(",") if r.strip()
        ]
        try:
            headers = credentials.parse_header_lines(data.get("headers_text") or "")
        except ValueError as exc:
            self.add_error("headers_text", str(exc))
            return data
        credentials.set_credentials(
            self.instance,
            username=data.get("username") or None,
            password=data.get("password") or None,
            headers=headers or None,
            clear=bool(data.get("clear_credentials")),
        )
        for field, message in monitor_problems(self.instance).items():
            name = {
                "config": "config_text",
                "regions": "regions_text",
                "credentials": "headers_text",
            }.get(field, field)
            self.add_error(name if name in self.fields else None, message)
        return data

    def _post_clean(self) -> None:
        # monitor_problems above already validated the instance; skip a second full_clean.
        forms.models.construct_instance(self, self.instance, self._meta.fields)


class WindowForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = MaintenanceWindow
        fields = ["starts_at", "ends_at", "recurrence", "time_zone", "reason"]
        widgets = {"starts_at": _DATETIME, "ends_at": _DATETIME}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            window = MaintenanceWindow(**{k: data.get(k) for k in self.Meta.fields})
            window.recurrence = window.recurrence or ""
            problem = window_problem(window)
            if problem:
                raise forms.ValidationError(problem)
        return data
