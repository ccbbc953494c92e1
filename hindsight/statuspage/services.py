"""Status page services: public updates, maintenance transitions, the periodic tick."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.catalog.models import Component, ComponentStatus
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    IncidentStatus,
    Visibility,
)
from hindsight.incidents.services import append_event
from hindsight.statuspage.models import (
    MaintenanceStatus,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    UpdateComponentStatus,
)
from hindsight.statuspage.snapshot import schedule_publish

log = logging.getLogger(__name__)

# Statuses a public update may carry (a closed incident is "resolved" to the public).
UPDATE_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
    IncidentStatus.RESOLVED,
)
MAX_MESSAGE = 5000


@dataclass(frozen=True)
class UpdateTemplate:
    key: str
    label: str
    status: str
    message: str


UPDATE_TEMPLATES = (
    UpdateTemplate(
        "investigating",
        "Investigating",
        IncidentStatus.INVESTIGATING,
        "We are investigating reports of problems with {components}. "
        "We will post an update within 30 minutes.",
    ),
    UpdateTemplate(
        "identified",
        "Cause identified",
        IncidentStatus.IDENTIFIED,
        "We have identified the cause of the problems with {components} and are working on a fix.",
    ),
    UpdateTemplate(
        "fix-deployed",
        "Fix deployed, monitoring",
        IncidentStatus.MONITORING,
        "A fix has been deployed and {components} is recovering. We are monitoring the results.",
    ),
    UpdateTemplate(
        "resolved",
        "Resolved",
        IncidentStatus.RESOLVED,
        "This incident has been resolved and {components} is operating normally. "
        "Thank you for your patience.",
    ),
)
TEMPLATES_BY_KEY = {t.key: t for t in UPDATE_TEMPLATES}


class UpdateError(ValueError):
    """A public update was refused; the message says why."""


def template_message(*, template: str, incident: Incident) -> str:
    """Fill an update template with the names of what the incident affects."""
    chosen = TEMPLATES_BY_KEY.get(template)
    if chosen is None:
        raise UpdateError(f"Unknown template {template!r}")
    names = [c.name for c in affected_components(incident)] or [
        s.name for s in incident.services.all()
    ]
    return chosen.message.format(components=", ".join(names) or "some of our services")


def affected_components(incident: Incident) -> list[Component]:
    """Components any update of this incident has named."""
    ids = UpdateComponentStatus.objects.filter(update__incident=incident).values("component_id")
    return list(Component.objects.filter(pk__in=ids))


def post_update(
    *,
    incident: Incident,
    status: str,
    message: str,
    components: Mapping[Component, str] | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> StatusUpdate:
    """Publish an update: page, timeline, incident status, components, subscribers.

    Resolving returns the components this incident touched to operational
    unless the update sets them explicitly.
    """
    from hindsight.statuspage.subscribers import queue_update_notifications

    message = message.strip()
    if status not in UPDATE_STATUSES:
        raise UpdateError(f"Unknown status {status!r}; use one of {', '.join(UPDATE_STATUSES)}")
    if not message:
        raise UpdateError("An update needs a message for your customers.")
    if len(message) > MAX_MESSAGE:
        raise UpdateError(f"Keep the message under {MAX_MESSAGE} characters.")
    if incident.restricted:
        raise UpdateError("A restricted incident is not published on the status page.")
    changes = dict(components or {})
    for component, new in changes.items():
        if new not in ComponentStatus.values:
            raise UpdateError(f"Unknown status {new!r} for {component.name}")
    at = at or timezone.now()
    with transaction.atomic():
        if status == IncidentStatus.RESOLVED:
            for component in affected_components(incident):
                changes.setdefault(component, ComponentStatus.OPERATIONAL)
        update = StatusUpdate.objects.create(
            incident=incident, status=status, message=message, posted_by=actor, posted_at=at
        )
        for component, new in sorted(changes.items(), key=lambda item: item[0].pk):
            component = Component.objects.select_for_update().get(pk=component.pk)
            UpdateComponentStatus.objects.create(
                update=update, component=component, status=new, old_status=component.status
            )
            if component.status != new:
                component.status = new
                component.updated_at = at
                component.save(update_fields=["status", "updated_at"])
        append_event(
            incident=incident,
            kind=EventKind.STATUS_UPDATE,
            source=EventSource.STATUSPAGE,
            actor=actor,
            occurred_at=at,
            visibility=Visibility.PUBLIC,
            idempotency_key=f"statusupdate:{update.pk}",
            text=f"Public update ({status}): {message}",
            raw={"status_update": update.pk, "components": {c.name: s for c, s in changes.items()}},
        )
        audit.record(
            action="status_update.posted", target=incident, actor=actor, summary=message[:500]
        )
        incident.refresh_from_db()
        if incident.status != status and incident.status != IncidentStatus.CLOSED:
            change_status(
                incident=incident,
                status=status,
                actor=actor,
                at=at,
                source=EventSource.STATUSPAGE,
                note="Set by a public status update",
            )
        queue_update_notifications(update=update)
        schedule_publish(incident_ids={incident.pk})
    log.info("Posted status update %s on incident %s (%s)", update.pk, incident.pk, status)
    return update


def tick_maintenance(
    *, page: StatusPage | None = None, now: datetime | None = None, publish: bool = True
) -> int:
    """Move maintenance windows to in progress / completed as their times pass.

    Components of a window are put under maintenance when it starts and
    returned to operational when it ends (unless something else changed them
    meanwhile). Returns how many windows changed.
    """
    now = now or timezone.now()
    windows = ScheduledMaintenance.objects.exclude(status=MaintenanceStatus.COMPLETED)
    if page is not None:
        windows = windows.filter(page=page)
    changed = 0
    for window in windows.filter(starts_at__lte=now).prefetch_related("components"):
        if window.ends_at <= now:
            new, component_from, component_to = (
                MaintenanceStatus.COMPLETED,
                ComponentStatus.MAINTENANCE,
                ComponentStatus.OPERATIONAL,
            )
        elif window.status == MaintenanceStatus.SCHEDULED:
            new, component_from, component_to = (
                MaintenanceStatus.IN_PROGRESS,
                ComponentStatus.OPERATIONAL,
                ComponentStatus.MAINTENANCE,
            )
        else:
            continue
        with transaction.atomic():
            # Conditional update: with several processes ticking, one wins.
            won = ScheduledMaintenance.objects.filter(pk=window.pk, status=window.status).update(
                status=new
            )
            if not won:
                continue
            Component.objects.filter(
                pk__in=[c.pk for c in window.components.all()], status=component_from
            ).update(status=component_to, updated_at=now)
            changed += 1
            log.info("Maintenance %s is now %s", window.pk, new)
    if changed and publish:
        schedule_publish(incident_ids=set())
    return changed


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """One periodic pass: maintenance transitions, due notifications, and a full
    republish of any page whose content changed since its last full publish."""
    from hindsight.statuspage.snapshot import refresh_changed
    from hindsight.statuspage.subscribers import deliver_due

    changed = tick_maintenance(now=now, publish=False)
    delivered, failed = deliver_due(now=now)
    republished = refresh_changed()
    return {
        "maintenance_changed": changed,
        "delivered": delivered,
        "failed": failed,
        "republished": republished,
    }


def schedule_maintenance(
    *,
    page: StatusPage,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    body: str = "",
    components: list[Component] | None = None,
) -> ScheduledMaintenance:
    """Announce a maintenance window; it starts and completes on its own."""
    if not title.strip():
        raise UpdateError("A maintenance window needs a title.")
    if ends_at <= starts_at:
        raise UpdateError("A maintenance window must end after it starts.")
    with transaction.atomic():
        window = ScheduledMaintenance.objects.create(
            page=page, title=title.strip(), body=body.strip(), starts_at=starts_at, ends_at=ends_at
        )
        window.components.set(components or [])
        from hindsight.statuspage.subscribers import queue_maintenance_notifications

        queue_maintenance_notifications(maintenance=window)
        tick_maintenance(page=page, publish=False)
        schedule_publish(incident_ids=set())
    log.info("Scheduled maintenance %s on page %s", window.pk, page.slug)
    return window


def start_ticker(*, seconds: float) -> threading.Thread | None:
    """Run ``tick`` every ``seconds`` in a daemon thread of this process (0 = off)."""
    if seconds <= 0:
        return None

    def loop() -> None:
        from django.db import close_old_connections

        while True:
            time.sleep(seconds)
            try:
                tick()
            except Exception:  # the database may be down; try again next time
                log.exception("Status page tick failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="statuspage-tick", daemon=True)
    thread.start()
    return thread
