"""Monitor service functions: views, API, CLI and worker call these."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hindsight import egress, probe
from hindsight.accounts import audit
from hindsight.catalog import status as component_status
from hindsight.catalog.models import Component, ComponentStatus
from hindsight.core import inputs
from hindsight.incidents.models import Severity
from hindsight.monitors import credentials, engine, outages
from hindsight.monitors.models import (
    Flip,
    MaintenanceWindow,
    Monitor,
    MonitorRegionState,
    MonitorState,
)
from hindsight.monitors.outages import fingerprint, resolve_quiet_incidents
from hindsight.runner import leases
from hindsight.runner.registry import Retry

log = logging.getLogger(__name__)

__all__ = ["fingerprint", "resolve_quiet_incidents"]  # their home is outages.py

COMPONENT_FOR_STATE = {
    MonitorState.DOWN: ComponentStatus.MAJOR_OUTAGE,
    MonitorState.DEGRADED: ComponentStatus.DEGRADED,
    MonitorState.UP: ComponentStatus.OPERATIONAL,
    MonitorState.MAINTENANCE: ComponentStatus.MAINTENANCE,
}
# Shortest interval. A lease lasts timeout + grace and the timeout is at most the
# interval, so it ends within two intervals whenever the interval is at least the grace
# (15 s by default): a killed worker's checks resume in time.
MIN_INTERVAL_SECONDS = 20


def min_interval_seconds() -> int:
    """The shortest interval a monitor may have: 20 s, or the lease grace if that is longer."""
    return max(MIN_INTERVAL_SECONDS, math.ceil(settings.WORKER_LEASE_GRACE_SECONDS))


def monitor_problems(monitor: Monitor) -> dict[str, str]:
    """What is wrong with a monitor's definition, by field; empty when it can be saved.

    Credentials in the target or the config are first moved into the encrypted
    field, so whatever path a definition came by, none is stored in the clear.
    """
    credentials.absorb(monitor)
    problems: dict[str, str] = {}
    try:
        monitor.full_clean(exclude=["engine_state", "last_result", "state"])
    except ValidationError as exc:
        problems.update({f: " ".join(m) for f, m in exc.message_dict.items()})
    shortest = min_interval_seconds()
    if monitor.interval_seconds is not None and monitor.interval_seconds < shortest:
        problems["interval_seconds"] = f"must be at least {shortest} seconds"
    timeout = monitor.timeout_seconds
    if timeout is not None and not 0 < timeout <= (monitor.interval_seconds or 0):
        problems["timeout_seconds"] = "must be more than 0 and at most the interval"
    if not isinstance(monitor.regions, list) or not all(
        isinstance(r, str) and r.strip() for r in monitor.regions
    ):
        problems["regions"] = "must be a list of region names"
    elif monitor.quorum > max(1, len(monitor.regions)):
        problems["quorum"] = f"cannot exceed the number of regions ({len(monitor.regions)})"
    if not isinstance(monitor.config, dict):
        problems["config"] = "must be a mapping of check options"
    elif outages.severity_of(monitor) not in Severity.values:
        problems["config"] = f"severity must be one of {', '.join(Severity.values)}"
    elif "kind" not in problems and "target" not in problems:
        error = engine.spec_error(monitor) or ""
        on_target = any(word in error for word in ("target", "Port ", "URL"))
        if error:
            problems["target" if on_target else "config"] = error
        if not on_target:  # the guard's word on the target, even beside a bad option
            try:
                refused = target_refusal(monitor)
            except (TypeError, ValueError):
                refused = None
            if refused:
                problems["target"] = refused
    secret_problem = credentials.problem(monitor)
    if secret_problem:
        problems["credentials"] = secret_problem
    return problems


def target_refusal(monitor: Monitor) -> str | None:
    """Why the egress guard would refuse this monitor's target, or None."""
    spec = engine.check_spec(monitor)
    guard = egress.guard()
    if spec.host:
        return guard.host_refusal(spec.host, spec.port or 443)
    return guard.url_refusal(spec.url)


def window_problem(window: MaintenanceWindow) -> str | None:
    """What is wrong with a maintenance window, in words; None when it is usable."""
    if window.recurrence not in ("", "weekly", "daily"):
        return f"recurrence must be empty, 'weekly' or 'daily', not {window.recurrence!r}"
    for name in ("starts_at", "ends_at"):
        try:
            inputs.check_time(getattr(window, name), field=name)
        except inputs.InputError as exc:
            return str(exc)
    if window.ends_at <= window.starts_at:
        return "ends_at must be after starts_at"
    if window.recurrence == "daily" and window.ends_at - window.starts_at > timedelta(days=1):
        return "a daily window lasts at most a day"
    try:
        ZoneInfo(window.time_zone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return f"time_zone {window.time_zone!r} is not a known time zone"
    try:
        engine.probe_window(window)
    except ValueError as exc:
        return str(exc)
    return None


def add_maintenance(*, window: MaintenanceWindow) -> MaintenanceWindow:
    """Validate and store a maintenance window for a monitor."""
    problem = window_problem(window)
    if problem:
        raise ValidationError({"__all__": problem})
    window.save()
    audit.record(
        action="maintenance_window.added",
        target=window.monitor or window.service,
        summary=f"{window.starts_at:%Y-%m-%d %H:%M} to {window.ends_at:%Y-%m-%d %H:%M} {window.recurrence}".strip(),
    )
    return window


def save_monitor(*, monitor: Monitor, now: datetime | None = None) -> Monitor:
    """Validate and save a monitor, and keep one check slot per region it runs in."""
    problems = monitor_problems(monitor)
    if problems:
        raise ValidationError(problems)
    now = now or timezone.now()
    monitor.updated_at = now
    with transaction.atomic():
        before = Monitor.objects.filter(pk=monitor.pk).first() if monitor.pk else None
        monitor.save()
        _audit_save(before, monitor)
        wanted = monitor.regions or [""]
        monitor.region_states.exclude(region__in=wanted).delete()
        have = set(monitor.region_states.values_list("region", flat=True))
        MonitorRegionState.objects.bulk_create(
            [
                MonitorRegionState(monitor=monitor, region=r, next_due_at=now)
                for r in wanted
                if r not in have
            ]
        )
    return monitor


AUDITED_FIELDS = (
    "name",
    "kind",
    "target",
    "interval_seconds",
    "timeout_seconds",
    "confirmations_down",
    "confirmations_up",
    "regions",
    "quorum",
    "service_id",
    "component_id",
    "config",
)


def _audit_save(before: Monitor | None, after: Monitor) -> None:
    old = {f: getattr(before, f) for f in AUDITED_FIELDS} if before else {}
    changes = audit.changed_fields(old, {f: getattr(after, f) for f in AUDITED_FIELDS})
    if before is None or (before.credentials or {}) != (after.credentials or {}):
        # that they changed, never what they are
        changes["credentials"] = sorted(credentials.summary(after)["headers"]) + (
            ["basic auth"] if credentials.summary(after)["basic_auth"] else []
        )
    if changes:
        audit.record(
            action="monitor.created" if before is None else "monitor.updated",
            target=after,
            changes=changes,
        )


def ensure_slots(*, now: datetime | None = None) -> int:
    """Give check slots to monitors created without them (admin, demo data); return how many."""
    now = now or timezone.now()
    bare = Monitor.objects.filter(region_states__isnull=True)
    slots = [
        MonitorRegionState(monitor_id=pk, region=region, next_due_at=now)
        for pk, regions in bare.values_list("pk", "regions")
        for region in (regions if isinstance(regions, list) and regions else [""])
    ]
    MonitorRegionState.objects.bulk_create(slots, batch_size=1000, ignore_conflicts=True)
    return len(slots)


def pause_monitor(*, monitor: Monitor, now: datetime | None = None) -> Flip | None:
    """Stop checking a monitor; the flip says so and never alerts."""
    return _apply(monitor, probe.pause, paused=True, now=now)


def resume_monitor(*, monitor: Monitor, now: datetime | None = None) -> Flip | None:
    """Check a paused monitor again from PENDING, straight away."""
    return _apply(monitor, probe.resume, paused=False, now=now)


def _apply(monitor: Monitor, change: Any, *, paused: bool, now: datetime | None) -> Flip | None:
    now = now or timezone.now()
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
        if monitor.paused == paused:
            return None
        state = engine.state_from_json(monitor.engine_state, status=monitor.state)
        if paused and state.status is probe.Status.PAUSED:
            state = probe.ProbeState()
        new, flip = change(state, now)
        if flip is None:  # a monitor paused before the engine knew it: start over
            new = probe.ProbeState(status=probe.Status.PENDING, since=now)
            flip = probe.ProbeFlip(probe.Status.PAUSED, probe.Status.PENDING, now, "Resumed", False)
        monitor.paused = paused
        monitor.engine_state = engine.state_to_json(new)
        monitor.state, monitor.state_since, monitor.updated_at = str(new.status), now, now
        monitor.save()
        audit.record(action="monitor.paused" if paused else "monitor.resumed", target=monitor)
        if paused:
            outages.detach(monitor=monitor, why="was paused", at=now)
        monitor.region_states.update(
            engine_state={},
            state=str(new.status),
            next_due_at=now,
            lease_owner="",
            lease_until=None,
        )
        sync_component(monitor=monitor)
        return Flip.objects.create(
            monitor=monitor,
            created_at=now,
            old_state=str(flip.old),
            new_state=str(flip.new),
            reason=flip.reason,
            evidence={"alert": False},
            processed_at=now,
        )


def sync_component(*, monitor: Monitor) -> list[Component]:
    """Give the linked component what its monitors say now (the worst of them).

    This is the monitors' input to the component's status; a responder's
    explicit status or maintenance may take precedence (catalog/status.py).
    """
    if monitor.component_id is None:
        return []
    states = Monitor.objects.filter(component_id=monitor.component_id, paused=False)
    said = component_status.worst(
        COMPONENT_FOR_STATE.get(state, "")  # type: ignore[call-overload]
        for state in states.values_list("state", flat=True)
    )
    return component_status.set_inputs(component_ids=[monitor.component_id], monitors=said)


FLIP_RETRY = Retry(first_seconds=10, cap_seconds=3600, max_attempts=10)
FLIP_LEASE = timedelta(minutes=2)


def process_flips(*, worker: str, limit: int = 100, now: datetime | None = None) -> int:
    """Lease waiting monitor flips and turn them into incident events and component
    changes, oldest first; return how many were leased (the flips job's one entry point).

    Each flip is processed in its own transaction. One that raises is pushed
    aside with back-off and its error, never holding up newer flips; a flip
    is not leased while an older one of the same monitor is leased elsewhere,
    so one monitor's flips are processed in order.
    """
    now = now or timezone.now()
    waiting = Flip.objects.filter(processed_at__isnull=True, failed_at__isnull=True, region="")
    if not waiting.filter(next_attempt_at__lte=now).exists():
        return 0  # the usual answer, found with the cheapest query
    older_in_flight = Flip.objects.filter(
        monitor_id=OuterRef("monitor_id"),
        id__lt=OuterRef("id"),
        processed_at__isnull=True,
        failed_at__isnull=True,
        lease_until__gt=now,
    )
    in_order = waiting.exclude(Exists(older_in_flight)).order_by("created_at", "id")
    ids = leases.claim(in_order, owner=worker, limit=limit, lease=FLIP_LEASE, now=now)
    flips = Flip.objects.filter(pk__in=ids).select_related("monitor").order_by("created_at", "id")
    for flip in flips:
        try:
            with transaction.atomic():
                _process(flip)
                leases.finish(Flip, flip.pk, owner=worker, processed_at=timezone.now())
        except Exception as exc:  # one bad flip must not hold back the others
            log.exception("processing flip %s of monitor %s failed", flip.pk, flip.monitor_id)
            error = f"{type(exc).__name__}: {exc}"
            if leases.fail(flip, owner=worker, error=error, retry=FLIP_RETRY, now=now):
                Flip.objects.filter(pk=flip.pk).update(failed_at=now)
    return len(ids)


def _process(flip: Flip) -> None:
    evidence = flip.evidence or {}
    if evidence.get("error_class") != probe.ErrorClass.TLS_EXPIRING:
        sync_component(monitor=flip.monitor)
    if evidence.get("alert"):
        outages.process_flip(flip)
