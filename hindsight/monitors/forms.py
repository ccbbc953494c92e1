"""Forms for the monitor pages: define a monitor, add a maintenance window."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from hindsight.core import inputs
from hindsight.incidents.models import Severity
from hindsight.monitors import credentials
from hindsight.monitors.models import MaintenanceWindow, Monitor
from hindsight.monitors.services import min_interval_seconds, monitor_problems, window_problem
from hindsight.probe.model import MAX_REQUEST_BODY_BYTES, METHODS

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# The kinds each typed check option applies to (the form shows a field only for them).
HTTP_KINDS = "http keyword"
FIELD_KINDS = {
    "method": HTTP_KINDS,
    "status_codes": HTTP_KINDS,
    "body": HTTP_KINDS,
    "keyword": "keyword",
    "keyword_mode": "keyword",
    "keyword_is_regex": "keyword",
    "tls_warning_days": "http keyword tls",
    "tls_critical_days": "http keyword tls",
    "username": HTTP_KINDS,
    "password": HTTP_KINDS,
    "headers_text": HTTP_KINDS,
    "clear_credentials": HTTP_KINDS,
}
# Typed fields that are check options (``Monitor.config`` keys); the rest stays in the JSON.
OPTION_FIELDS = (
    "severity",
    "method",
    "body",
    "status_codes",
    "keyword",
    "keyword_mode",
    "keyword_is_regex",
    "tls_warning_days",
    "tls_critical_days",
)
# Where a problem found by ``monitor_problems`` is shown.
_PROBLEM_FIELD = {"config": "config_text", "regions": "regions_text", "credentials": "headers_text"}


def _codes(text: str) -> list[int]:
    """'200, 301' into [200, 301]; ValueError naming the first bad entry."""
    codes = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 100 <= int(part) <= 599:
            raise ValueError(f"{part!r} is not an HTTP status code (100–599)")
        codes.append(int(part))
    return codes


def _option_field(message: str) -> str:
    """The typed field a check-option problem is about ('config_text' when none is)."""
    lowered = message.lower()
    for word, name in (
        ("keyword", "keyword"),
        ("tls", "tls_critical_days"),
        ("http method", "method"),
        ("request body", "body"),
        ("header", "headers_text"),
        ("severity", "severity"),
    ):
        if word in lowered:
            return name
    return "config_text"


class MonitorForm(forms.ModelForm):  # type: ignore[type-arg]
    regions_text = forms.CharField(
        label="Regions",
        required=False,
        help_text="Comma-separated; empty means any worker's region.",
    )
    severity = forms.ChoiceField(
        label="Severity of the incidents it opens",
        choices=[("", "SEV3 (default)"), *Severity.choices],
        required=False,
    )
    method = forms.ChoiceField(
        label="HTTP method",
        choices=[(m, m) for m in sorted(METHODS, key=lambda m: (m != "GET", m))],
        required=False,
    )
    body = forms.CharField(
        label="Request body",
        required=False,
        max_length=MAX_REQUEST_BODY_BYTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with POST, PUT or PATCH; set a Content-Type header to match.",
    )
    status_codes = forms.CharField(
        label="Expected status codes",
        required=False,
        help_text="Comma-separated, e.g. 200, 204; empty means any 2xx or 3xx.",
    )
    keyword = forms.CharField(label="Keyword", required=False, max_length=500)
    keyword_mode = forms.ChoiceField(
        label="The check passes when the keyword is",
        choices=[("present", "present"), ("absent", "absent")],
        required=False,
    )
    keyword_is_regex = forms.BooleanField(
        label="The keyword is a regular expression", required=False
    )
    tls_warning_days = forms.IntegerField(
        label="Certificate warning (days left)",
        required=False,
        min_value=1,
        help_text="Degraded when the certificate expires sooner; empty means 14.",
    )
    tls_critical_days = forms.IntegerField(
        label="Certificate critical (days left)",
        required=False,
        min_value=0,
        help_text="Down when the certificate expires sooner; empty means 3.",
    )
    config_text = forms.CharField(
        label="Advanced: other check options (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='e.g. {"max_redirects": 2, "max_body_bytes": 65536}; the fields above win.',
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
        self.fields[
            "interval_seconds"
        ].help_text = f"Seconds between checks; at least {min_interval_seconds()}."
        self.fields["timeout_seconds"].help_text = "Seconds; more than 0 and at most the interval."
        self.fields["regions_text"].initial = ", ".join(self.instance.regions or [])
        config = dict(self.instance.config or {}) if isinstance(self.instance.config, dict) else {}
        for name in OPTION_FIELDS:
            if name in config:
                value = config.pop(name)
                self.fields[name].initial = (
                    ", ".join(str(c) for c in value) if name == "status_codes" else value
                )
        self.fields["config_text"].initial = json.dumps(config) if config else ""
        for name, kinds in FIELD_KINDS.items():
            self.fields[name].kinds = kinds  # type: ignore[attr-defined]
        stored = credentials.summary(self.instance)
        if stored["basic_auth"]:
            self.fields["username"].help_text = "Set. Leave empty to keep it; type to replace."
            self.fields["password"].help_text = "Set. Leave empty to keep it; type to replace."
        if stored["headers"]:
            names = ", ".join(stored["headers"])
            self.fields[
                "headers_text"
            ].help_text = f"Set: {names}. Leave empty to keep them; type all of them to replace."

    def _options(self, data: dict[str, Any]) -> dict[str, Any]:
        """The check options: the advanced JSON, then the typed fields over it."""
        raw = (data.get("config_text") or "").strip()
        loaded: Any = {}
        try:
            loaded = inputs.load_json(raw, where="Check options") if raw else {}
        except inputs.InputError as exc:
            self.add_error("config_text", str(exc))
        if not isinstance(loaded, dict):
            self.add_error("config_text", "Check options must be a JSON object")
            loaded = {}
        config: dict[str, Any] = loaded
        try:
            codes = _codes(data.get("status_codes") or "")
        except ValueError as exc:
            self.add_error("status_codes", str(exc))
            codes = []
        kind = data.get("kind")
        typed: dict[str, Any] = {"severity": data.get("severity"), "status_codes": codes}
        if kind in ("http", "keyword"):
            typed["method"] = data.get("method")
            typed["body"] = data.get("body")
        if kind == "keyword":
            typed["keyword"] = data.get("keyword")
            typed["keyword_mode"] = data.get("keyword_mode")
            typed["keyword_is_regex"] = data.get("keyword_is_regex")
        if kind in ("http", "keyword", "tls"):
            typed["tls_warning_days"] = data.get("tls_warning_days")
            typed["tls_critical_days"] = data.get("tls_critical_days")
        # A field left at its default drops the option (the check's default applies).
        defaults = {"method": "GET", "keyword_mode": "present"}
        for name, value in typed.items():
            if value in (None, "", []):
                continue
            if defaults.get(name) == value or (name == "keyword_is_regex" and not value):
                config.pop(name, None)
            else:
                config[name] = value
        if kind == "keyword" and not config.get("keyword"):
            self.add_error("keyword", "A keyword check needs a keyword")
        return config

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        config = self._options(data)
        forms.models.construct_instance(self, self.instance, self._meta.fields)
        self.instance.config = config
        self.instance.regions = [
            r.strip() for r in (data.get("regions_text") or "").split(",") if r.strip()
        ]
        headers: dict[str, str] = {}
        try:
            headers = credentials.parse_header_lines(data.get("headers_text") or "")
        except ValueError as exc:
            self.add_error("headers_text", str(exc))
        credentials.set_credentials(
            self.instance,
            username=data.get("username") or None,
            password=data.get("password") or None,
            headers=headers or None,
            clear=bool(data.get("clear_credentials")),
        )
        for field, message in monitor_problems(self.instance).items():
            name = _PROBLEM_FIELD.get(field, field)
            if field == "config":
                name = _option_field(message)
            if name in self.errors:
                continue  # already explained by the field itself
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
