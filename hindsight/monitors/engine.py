"""The bridge between monitor rows and the probe engine's plain data.

Builds `CheckSpec`s and `Policy`s from models, and stores the probe's
`ProbeState` and `ProbeResult` as JSON on rows. No queries here except in
`maintenance_windows`, which loads the windows of a batch in one go.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from hindsight import probe
from hindsight.monitors import credentials
from hindsight.monitors.models import MaintenanceWindow, Monitor
from hindsight.probe import Status
from hindsight.probe.model import DEFAULT_STATUS_CODES

# Config keys a monitor may set, by what they mean to the check.
CONFIG_KEYS = (
    "method",
    "body",
    "status_codes",
    "max_redirects",
    "keyword",
    "keyword_is_regex",
    "keyword_mode",
    "max_body_bytes",
    "tls_warning_days",
    "tls_critical_days",
    "severity",
)


def check_spec(monitor: Monitor) -> probe.CheckSpec:
    """Build the probe's spec for a monitor; raises ValueError on an unusable config."""
    config = monitor.config or {}
    unknown = sorted(set(config) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(f"Unknown config key(s): {', '.join(unknown)}")
    host, port = "", 0
    url = monitor.target
    if monitor.kind == "tcp":
        host, _, raw_port = monitor.target.rpartition(":")
        if not host or not raw_port.isdigit():
            raise ValueError(f"A TCP target is host:port, not {monitor.target!r}")
        host, port, url = host.strip("[]"), int(raw_port), ""
    elif monitor.kind == "tls" and "://" not in url:
        parts = urlsplit("https://" + url)
        host, port = parts.hostname or "", parts.port or 443
    codes = config.get("status_codes")
    return probe.CheckSpec(
        kind=monitor.kind,  # type: ignore[arg-type]
        url=url,
        host=host,
        port=port,
        method=str(config.get("method", "GET")).upper(),
        headers=tuple(sorted(credentials.request_headers(monitor).items())),
        body=str(config.get("body", "")),
        status_codes=frozenset(int(c) for c in codes) if codes else DEFAULT_STATUS_CODES,
        timeout=float(monitor.timeout_seconds),
        max_redirects=int(config.get("max_redirects", 5)),
        keyword=str(config.get("keyword", "")),
        keyword_is_regex=bool(config.get("keyword_is_regex", False)),
        keyword_mode=config.get("keyword_mode", "present"),
        max_body_bytes=int(config.get("max_body_bytes", 64 * 1024)),
        tls_warning_days=int(config.get("tls_warning_days", 14)),
        tls_critical_days=int(config.get("tls_critical_days", 3)),
        monitor_id=str(monitor.pk),
    )


def spec_error(monitor: Monitor) -> str | None:
    """What stops this monitor from being checked, in words; None when it can run."""
    try:
        spec = check_spec(monitor)
    except (TypeError, ValueError) as exc:
        return str(exc)
    from hindsight.probe.model import spec_problem

    return spec_problem(spec)


def region_policy(monitor: Monitor) -> probe.Policy:
    """Confirmations per region; maintenance is judged once, for the whole monitor."""
    return probe.Policy(
        confirm_down=max(1, monitor.confirmations_down),
        confirm_up=max(1, monitor.confirmations_up),
    )


def monitor_policy(windows: Iterable[probe.ProbeWindow]) -> probe.Policy:
    """The combined regions were already confirmed; only maintenance and flapping apply."""
    return probe.Policy(confirm_down=1, confirm_up=1, maintenance=tuple(windows))


def maintenance_windows(monitors: Iterable[Monitor]) -> dict[int, list[probe.ProbeWindow]]:
    """The probe windows of each monitor, its own and its service's, in one query."""
    monitors = list(monitors)
    by_service: dict[int, list[int]] = defaultdict(list)
    for monitor in monitors:
        if monitor.service_id:
            by_service[monitor.service_id].append(monitor.pk)
    rows = MaintenanceWindow.objects.filter(monitor__in=[m.pk for m in monitors]) | (
        MaintenanceWindow.objects.filter(service__in=list(by_service))
    )
    windows: dict[int, list[probe.ProbeWindow]] = defaultdict(list)
    for row in rows:
        window = probe_window(row)
        targets = [row.monitor_id] if row.monitor_id else by_service.get(row.service_id or 0, [])
        for pk in targets:
            windows[pk].append(window)
    return windows


def probe_window(row: MaintenanceWindow) -> probe.ProbeWindow:
    """A stored window as the probe's one-off or recurring window."""
    if not row.recurrence:
        return probe.OneOffWindow(start=row.starts_at, end=row.ends_at, title=row.reason)
    from zoneinfo import ZoneInfo

    local = row.starts_at.astimezone(ZoneInfo(row.time_zone))
    weekdays = frozenset(range(7)) if row.recurrence == "daily" else frozenset({local.weekday()})
    return probe.RecurringWindow(
        weekdays=weekdays,
        start=time(local.hour, local.minute, local.second),
        duration=row.ends_at - row.starts_at,
        timezone=row.time_zone,
        title=row.reason,
    )


def state_to_json(state: probe.ProbeState) -> dict[str, Any]:
    """A `ProbeState` as JSON for a row."""
    return {
        "status": str(state.status),
        "health": str(state.health),
        "candidate": str(state.candidate) if state.candidate else None,
        "streak": state.streak,
        "since": state.since.isoformat() if state.since else None,
        "recent_flips": [t.isoformat() for t in state.recent_flips],
        "flapping": state.flapping,
        "alerted": str(state.alerted),
    }


def state_from_json(data: dict[str, Any] | None, *, status: str = "pending") -> probe.ProbeState:
    """The `ProbeState` stored on a row (a fresh one from the row's status when empty)."""
    if not data:
        shown = Status(status) if status in Status.__members__.values() else Status.PENDING
        health = shown if shown in (Status.UP, Status.DEGRADED, Status.DOWN) else Status.PENDING
        return probe.ProbeState(status=shown, health=health)
    return probe.ProbeState(
        status=Status(data["status"]),
        health=Status(data["health"]),
        candidate=Status(data["candidate"]) if data.get("candidate") else None,
        streak=int(data.get("streak", 0)),
        since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
        recent_flips=tuple(datetime.fromisoformat(t) for t in data.get("recent_flips", ())),
        flapping=bool(data.get("flapping", False)),
        alerted=Status(data.get("alerted", "up")),
    )


def result_to_json(result: probe.ProbeResult) -> dict[str, Any]:
    """The parts of a result shown on pages and used for the quorum."""
    return {
        "status": str(result.status),
        "checked_at": result.checked_at.isoformat(),
        "latency_ms": result.latency_ms,
        "status_code": result.status_code,
        "error_class": str(result.error_class) if result.error_class else None,
        "reason": result.reason[:500],
        "days_left": result.days_left,
    }


def result_from_json(data: dict[str, Any]) -> probe.ProbeResult:
    """A stored result summary back as a probe result."""
    return probe.ProbeResult(
        status=Status(data["status"]),
        checked_at=datetime.fromisoformat(data["checked_at"]),
        latency_ms=data.get("latency_ms"),
        status_code=data.get("status_code"),
        error_class=probe.ErrorClass(data["error_class"]) if data.get("error_class") else None,
        reason=data.get("reason", ""),
        days_left=data.get("days_left"),
    )


def schedule_key(monitor_id: int, region: str) -> str:
    """The key that fixes a check slot's phase within its interval."""
    return f"{monitor_id}/{region}"


def next_due(monitor: Monitor, region: str, after: datetime) -> datetime:
    """When this monitor is next due in this region, on its fixed jittered grid.

    At least half an interval after `after`: a check that ran on (or a little
    after) its grid time gets the next grid time, and a first or very late
    check is not followed by another one moments later.
    """
    interval = timedelta(seconds=max(1, monitor.interval_seconds))
    return probe.next_due(schedule_key(monitor.pk, region), interval, after + interval / 2)
