"""Monitors as code: export them to YAML and import them back, all or nothing.

A file is `{"monitors": [entry, ...]}`; monitors are matched by name. Every
entry is validated before anything is written, and any problem (naming the
entry and the field) means nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from hindsight.catalog.models import Component, Service
from hindsight.monitors import services
from hindsight.monitors.models import MaintenanceWindow, Monitor, MonitorKind

FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "kind": str,
    "target": str,
    "interval": int,
    "timeout": (int, float),
    "confirmations_down": int,
    "confirmations_up": int,
    "regions": list,
    "quorum": int,
    "service": str,
    "component": str,
    "paused": bool,
    "config": dict,
    "maintenance": list,
}
WINDOW_FIELDS = {"starts_at", "ends_at", "recurrence", "time_zone", "reason"}


class ImportRefused(ValueError):
    """The file has problems; `problems` lists each with its entry and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportPlan:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def export_monitors() -> str:
    """All monitors as a YAML document that `import_monitors` accepts."""
    entries = []
    for monitor in Monitor.objects.select_related("service", "component").order_by("name", "pk"):
        entry: dict[str, Any] = {
            "name": monitor.name,
            "kind": monitor.kind,
            "target": monitor.target,
            "interval": monitor.interval_seconds,
            "timeout": monitor.timeout_seconds,
            "confirmations_down": monitor.confirmations_down,
            "confirmations_up": monitor.confirmations_up,
        }
        if monitor.regions:
            entry.update(regions=list(monitor.regions), quorum=monitor.quorum)
        if monitor.service:
            entry["service"] = monitor.service.slug
        if monitor.component:
            entry["component"] = monitor.component.name
        if monitor.paused:
            entry["paused"] = True
        if monitor.config:
            entry["config"] = dict(monitor.config)
        windows = [
            {
                "starts_at": w.starts_at.isoformat(),
                "ends_at": w.ends_at.isoformat(),
                **({"recurrence": w.recurrence} if w.recurrence else {}),
                **({"time_zone": w.time_zone} if w.time_zone != "UTC" else {}),
                **({"reason": w.reason} if w.reason else {}),
            }
            for w in monitor.maintenance.order_by("starts_at")
        ]
        if windows:
            entry["maintenance"] = windows
        entries.append(entry)
    return yaml.safe_dump({"monitors": entries}, sort_keys=False, allow_unicode=True)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: a few hundred bytes of nested aliases expand to
    gigabytes ("billion laughs"), and a monitor file never needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise ImportRefused(
                [
                    f"line {mark.line + 1}: YAML aliases (*name) are not accepted; "
                    "write each monitor out in full"
                ]
            )
        return super().compose_node(parent, index)


def load_document(text: str) -> Any:
    """Parse a monitor file: safe YAML, no aliases; ImportRefused on bad input."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as exc:
        raise ImportRefused([f"The file is not valid YAML: {exc}"]) from None


def import_monitors(text: str, *, dry_run: bool = False) -> ImportPlan:
    """Create or update monitors from YAML; raise ImportRefused and write nothing on any problem."""
    document = load_document(text)
    if not isinstance(document, dict) or not isinstance(document.get("monitors"), list):
        raise ImportRefused(["The file must be a mapping with a 'monitors' list"])
    problems: list[str] = []
    staged: list[tuple[Monitor, list[MaintenanceWindow], bool]] = []
    seen: set[str] = set()
    existing = {m.name: m for m in Monitor.objects.order_by("-pk")}
    for number, entry in enumerate(document["monitors"], start=1):
        label = f"entry {number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name']!r})"
        found = _stage(entry, existing, seen)
        if isinstance(found, list):
            problems.extend(f"{label}: {p}" for p in found)
        else:
            staged.append(found)
    if problems:
        raise ImportRefused(problems)
    plan = ImportPlan()
    for monitor, _, new in staged:
        (plan.created if new else plan.updated).append(monitor.name)
    if dry_run:
        return plan
    with transaction.atomic():
        for monitor, windows, _ in staged:
            paused = monitor.paused
            monitor.paused = (
                Monitor.objects.filter(pk=monitor.pk).values_list("paused", flat=True).first()
                or False
            )
            services.save_monitor(monitor=monitor)
            if paused and not monitor.paused:
                services.pause_monitor(monitor=monitor)
            elif monitor.paused and not paused:
                services.resume_monitor(monitor=monitor)
            monitor.maintenance.all().delete()
            for window in windows:
                window.monitor = monitor
            MaintenanceWindow.objects.bulk_create(windows)
    return plan


def _stage(
    entry: Any, existing: dict[str, Monitor], seen: set[str]
) -> tuple[Monitor, list[MaintenanceWindow], bool] | list[str]:
    if not isinstance(entry, dict):
        return ["must be a mapping of monitor fields"]
    problems = [f"unknown field {key!r}" for key in entry if key not in FIELDS]
    for key, kinds in FIELDS.items():
        value = entry.get(key)
        if value is not None and (
            not isinstance(value, kinds) or isinstance(value, bool) != (kinds is bool)
        ):
            problems.append(f"field {key!r}: expected {_type_name(kinds)}, got {value!r}")
    for key in ("name", "target"):
        if not entry.get(key):
            problems.append(f"field {key!r}: required")
    if problems:
        return problems
    name = entry["name"]
    if name in seen:
        return [f"field 'name': {name!r} appears more than once in the file"]
    seen.add(name)
    kind = entry.get("kind", MonitorKind.HTTP)
    if kind not in MonitorKind.values:
        return [f"field 'kind': must be one of {', '.join(MonitorKind.values)}, got {kind!r}"]
    monitor = existing.get(name) or Monitor(name=name)
    new = monitor.pk is None
    monitor.kind, monitor.target = kind, entry["target"]
    monitor.interval_seconds = entry.get("interval", 60)
    monitor.timeout_seconds = float(entry.get("timeout", 10))
    monitor.confirmations_down = entry.get("confirmations_down", 2)
    monitor.confirmations_up = entry.get("confirmations_up", 1)
    monitor.regions = entry.get("regions", [])
    monitor.quorum = entry.get("quorum", 1)
    monitor.config = entry.get("config", {})
    monitor.paused = entry.get("paused", False)
    monitor.service = monitor.component = None
    if entry.get("service"):
        monitor.service = Service.objects.filter(slug=entry["service"]).first()
        if monitor.service is None:
            problems.append(f"field 'service': no service with slug {entry['service']!r}")
    if entry.get("component"):
        monitor.component = Component.objects.filter(name=entry["component"]).first()
        if monitor.component is None:
            problems.append(f"field 'component': no component named {entry['component']!r}")
    problems.extend(
        f"field {_yaml_name(f)!r}: {message}"
        for f, message in services.monitor_problems(monitor).items()
    )
    windows = []
    for number, raw in enumerate(entry.get("maintenance", []), start=1):
        window = _window(raw)
        if isinstance(window, str):
            problems.append(f"field 'maintenance' window {number}: {window}")
        else:
            windows.append(window)
    return problems or (monitor, windows, new)


def _window(raw: Any) -> MaintenanceWindow | str:
    if not isinstance(raw, dict):
        return "must be a mapping with starts_at and ends_at"
    unknown = sorted(set(raw) - WINDOW_FIELDS)
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    try:
        starts, ends = (_when(raw.get(k)) for k in ("starts_at", "ends_at"))
    except (TypeError, ValueError) as exc:
        return f"starts_at and ends_at must be ISO date-times ({exc})"
    window = MaintenanceWindow(
        starts_at=starts,
        ends_at=ends,
        recurrence=raw.get("recurrence", "") or "",
        time_zone=raw.get("time_zone", "UTC"),
        reason=str(raw.get("reason", "")),
    )
    error = services.window_problem(window)
    return error if error else window


def _when(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if timezone.is_aware(when) else when.replace(tzinfo=UTC)


def _yaml_name(model_field: str) -> str:
    return {"interval_seconds": "interval", "timeout_seconds": "timeout"}.get(
        model_field, model_field
    )


def _type_name(kinds: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true/false"}
    names.update({list: "a list", dict: "a mapping"})
    if isinstance(kinds, tuple):
        return "a number"
    return names[kinds]
