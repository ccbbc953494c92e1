"""From monitor flips to incidents: one outage, one incident, honest times.

- A monitor's outage attaches to the open incident another monitor of the
  same component or service opened within the grouping window
  (``MONITOR_GROUP_WINDOW_SECONDS``); its HTTP, keyword and TLS findings share
  that incident too.
- The incident's severity is the monitor's (``config.severity``, SEV3 by
  default; a certificate still valid but near expiry is a SEV4 warning); a
  certificate finding is titled as what it is ("certificate expires in 9 days").
- The incident starts at the first failed check, is detected when the failure
  was confirmed, and is resolved (by the quiet-period job) at the moment its
  monitors recovered, not when the quiet period ended.
- Pausing or deleting a monitor detaches it from its open incident with a
  timeline event; an incident left with nothing watching it that nobody has
  acknowledged is resolved.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from hindsight import probe
from hindsight.incidents import lifecycle
from hindsight.incidents import services as incidents
from hindsight.incidents.models import (
    OPEN_STATUSES,
    EventKind,
    EventSource,
    Incident,
    IncidentFingerprint,
    IncidentStatus,
)
from hindsight.incidents.signals import components_affected
from hindsight.monitors.models import CheckResult, Flip, Monitor, MonitorIncident, MonitorState

log = logging.getLogger(__name__)

DEFAULT_SEVERITY = "SEV3"
# A certificate still valid but near expiry is a warning, not an outage.
TLS_WARNING_SEVERITY = "SEV4"
# What a certificate problem is called in an incident title.
TLS_TITLES = {
    probe.ErrorClass.TLS_EXPIRED: "TLS certificate has expired",
    probe.ErrorClass.TLS_NOT_YET_VALID: "TLS certificate is not valid yet",
    probe.ErrorClass.TLS_SELF_SIGNED: "TLS certificate is not trusted (self-signed)",
    probe.ErrorClass.TLS_HOSTNAME_MISMATCH: "TLS certificate is for another host name",
    probe.ErrorClass.TLS_UNTRUSTED: "TLS certificate is not trusted",
}


def fingerprint(monitor: Monitor, *, tls: bool = False) -> str:
    """The incident fingerprint of a monitor's outage (or its certificate warning)."""
    return f"monitor:{monitor.pk}:tls" if tls else f"monitor:{monitor.pk}"


def severity_of(monitor: Monitor) -> str:
    """The severity of the incidents this monitor opens (its own setting, SEV3 by default)."""
    return str((monitor.config or {}).get("severity") or DEFAULT_SEVERITY)


def title_for(monitor: Monitor, evidence: dict[str, object]) -> str:
    """An incident title that says what was found."""
    error = evidence.get("error_class")
    if error == probe.ErrorClass.TLS_EXPIRING:
        days = evidence.get("days_left")
        if isinstance(days, int):
            what = (
                f"certificate expires in {days} day{'s' if days != 1 else ''}"
                if days >= 0
                else "certificate has expired"
            )
            return f"{monitor.name}: {what}"
        return f"{monitor.name}: certificate expires soon"
    if error in TLS_TITLES:
        return f"{monitor.name}: {TLS_TITLES[error]}"  # type: ignore[index]
    return f"{monitor.name}: is down"


def first_failure(monitor: Monitor, confirmed_at: datetime) -> datetime:
    """When the outage began: the first failed check since the last good one."""
    results = CheckResult.objects.filter(monitor=monitor, checked_at__lte=confirmed_at)
    last_good = (
        results.filter(status=MonitorState.UP)
        .order_by("-checked_at")
        .values_list("checked_at", flat=True)
        .first()
    )
    failed = results.exclude(status=MonitorState.UP)
    if last_good is not None:
        failed = failed.filter(checked_at__gt=last_good)
    first = failed.order_by("checked_at").values_list("checked_at", flat=True).first()
    return min(first, confirmed_at) if first is not None else confirmed_at


def group_incident(monitor: Monitor, now: datetime) -> Incident | None:
    """The open incident a monitor of the same component or service opened within the window."""
    since = now - timedelta(seconds=settings.MONITOR_GROUP_WINDOW_SECONDS)
    neighbours = Monitor.objects.none()
    if monitor.component_id is not None:
        neighbours |= Monitor.objects.filter(component_id=monitor.component_id)
    if monitor.service_id is not None:
        neighbours |= Monitor.objects.filter(service_id=monitor.service_id)
    link = (
        MonitorIncident.objects.filter(
            monitor__in=neighbours,
            incident__status__in=OPEN_STATUSES,
            created_at__gte=since,
        )
        .select_related("incident")
        .order_by("-created_at", "-id")
        .first()
    )
    return link.incident if link is not None else None


def process_flip(flip: Flip) -> None:
    """Turn one alerting flip into incident events (its component is synced by the caller)."""
    monitor, evidence = flip.monitor, flip.evidence or {}
    key = f"monitor-flip:{flip.pk}"
    tls_warning = evidence.get("error_class") == probe.ErrorClass.TLS_EXPIRING
    if flip.new_state == MonitorState.DOWN or tls_warning:
        incident, _ = incidents.open_or_attach(
            service=monitor.service,
            fingerprint=fingerprint(monitor, tls=tls_warning),
            title=title_for(monitor, evidence),
            severity=TLS_WARNING_SEVERITY if tls_warning else severity_of(monitor),
            source=EventSource.MONITOR,
            kind=EventKind.MONITOR_DOWN,
            text=describe(monitor, flip),
            occurred_at=flip.created_at,
            started_at=first_failure(monitor, flip.created_at),
            raw=evidence,
            idempotency_key=key,
            attach_to=group_incident(monitor, flip.created_at),
            by_service=False,  # grouped above, within the window
        )
        _link(monitor, incident, tls=tls_warning, at=flip.created_at)
        if monitor.component is not None and not tls_warning:
            components_affected.send(
                sender=Incident, incident=incident, components=[monitor.component]
            )
    elif flip.new_state == MonitorState.UP:
        for tls in (False, True):
            incidents.record_recovery(
                fingerprint=fingerprint(monitor, tls=tls),
                source=EventSource.MONITOR,
                kind=EventKind.MONITOR_UP,
                text=describe(monitor, flip),
                occurred_at=flip.created_at,
                raw=evidence,
                idempotency_key=f"{key}:{'tls' if tls else 'up'}",
            )


def _link(monitor: Monitor, incident: Incident, *, tls: bool, at: datetime) -> None:
    """Record which incident the monitor's fingerprint is held by (once per fingerprint)."""
    held = IncidentFingerprint.objects.filter(
        fingerprint=fingerprint(monitor, tls=tls), active=True
    ).first()
    if held is not None:
        MonitorIncident.objects.get_or_create(
            fingerprint=held,
            defaults={"monitor": monitor, "incident": incident, "tls": tls, "created_at": at},
        )


def describe(monitor: Monitor, flip: Flip) -> str:
    """The timeline text of a flip: what, from where, and the check's own words."""
    evidence = flip.evidence or {}
    where = ", ".join(sorted(evidence.get("regions") or {})) or "this worker's region"
    facts = []
    if evidence.get("status_code"):
        facts.append(f"HTTP {evidence['status_code']}")
    if evidence.get("error_class"):
        facts.append(str(evidence["error_class"]))
    if evidence.get("latency_ms") is not None:
        facts.append(f"{evidence['latency_ms']:.0f} ms")
    detail = f" ({', '.join(facts)})" if facts else ""
    return (
        f"Monitor {monitor.name!r} ({monitor.target}) is {flip.new_state.upper()} "
        f"from {where}: {flip.reason}{detail}"
    )


def detach(*, monitor: Monitor, why: str, at: datetime | None = None) -> list[int]:
    """Detach a paused or deleted monitor from its open incidents; return those resolved.

    Each gets a timeline event saying so. An incident with nothing else
    watching it that nobody acknowledged is resolved; one a person has taken
    on stays open for them to resolve.
    """
    at = at or timezone.now()
    resolved = []
    links = MonitorIncident.objects.filter(
        monitor=monitor, fingerprint__active=True, incident__status__in=OPEN_STATUSES
    ).select_related("fingerprint", "incident")
    for link in links:
        held = link.fingerprint
        held.active, held.recovered_at = False, at
        held.save(update_fields=["active", "recovered_at"])
        incident = link.incident
        incidents.append_event(
            incident=incident,
            kind=EventKind.MONITOR_UP,
            source=EventSource.MONITOR,
            actor_name="Monitor",
            occurred_at=at,
            text=f"Monitor {monitor.name!r} {why}; it no longer holds this incident open",
        )
        watched = incident.fingerprints.filter(active=True).exists()
        if not watched and incident.acknowledged_at is None:
            lifecycle.change_status(
                incident=incident,
                status=IncidentStatus.RESOLVED,
                source=EventSource.MONITOR,
                at=at,
                note=f"Its monitor {why}",
            )
            resolved.append(incident.pk)
    return resolved


def resolve_quiet_incidents(*, now: datetime | None = None) -> list[int]:
    """Resolve open incidents whose monitors have all been up for the quiet period.

    The resolution is dated when the last of them recovered: the quiet
    period is Hindsight making sure, not outage time.
    """
    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=settings.MONITOR_RESOLVE_AFTER_SECONDS)
    held = IncidentFingerprint.objects.filter(
        active=True, source=EventSource.MONITOR, incident__status__in=OPEN_STATUSES
    ).select_related("incident")
    resolved = []
    for incident in {h.incident for h in held}:
        recoveries = [
            _recovered_at(h, quiet_since) for h in incident.fingerprints.filter(active=True)
        ]
        if all(r is not None for r in recoveries):
            at = max([r for r in recoveries if r is not None] + [incident.started_at])
            lifecycle.change_status(
                incident=incident,
                status=IncidentStatus.RESOLVED,
                source=EventSource.MONITOR,
                at=min(at, now),
                note=f"Monitors up for {settings.MONITOR_RESOLVE_AFTER_SECONDS} s",
            )
            resolved.append(incident.pk)
            log.info("resolved incident %s after its monitors stayed up", incident.pk)
    return resolved


def _recovered_at(held: IncidentFingerprint, quiet_since: datetime) -> datetime | None:
    """When this fingerprint recovered for good (before the quiet period), or None."""
    if held.source != EventSource.MONITOR:
        return held.recovered_at
    link = MonitorIncident.objects.filter(fingerprint=held).select_related("monitor").first()
    if link is None:
        return held.last_seen_at  # the monitor was deleted; nothing will ever recover it
    monitor = link.monitor
    if monitor.state in (MonitorState.UP, MonitorState.PAUSED) and (
        monitor.state_since <= quiet_since
    ):
        return monitor.state_since
    return None


def on_monitor_deleted(sender: object, instance: Monitor, **kwargs: object) -> None:
    """A deleted monitor lets go of its open incidents first (pre_delete receiver)."""
    detach(monitor=instance, why="was deleted")
