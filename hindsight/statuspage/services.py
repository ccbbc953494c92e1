"""Status page services: public updates and maintenance windows with their transitions."""

from __future__ import annotations

import logging
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
from hindsight.incidents.signals import incident_public_update
from hindsight.statuspage.component_inputs import sync_maintenance, sync_responder
from hindsight.statuspage.content import affected_components
from hindsight.statuspage.models import (
    MaintenanceStatus,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    UpdateComponentStatus,
)
from hindsight.statuspage.publishing import schedule_publish
from hindsight.statuspage.subscribers import (
    queue_maintenance_notifications,
    queue_update_notifications,
)

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


def post_update(
    *,
    incident: Incident,
    status: str,
    message: str,
    components: Mapping[Component, str] | None = None,
    actor: User | None = None,
    at: datetime | None = None,
    automatic: bool = False,
) -> StatusUpdate:
    """Publish an update: page, timeline, incident status, components, subscribers.

    The components' statuses are the responder's word while the incident is
    active (catalog/status.py); an ``automatic`` update (Hindsight's text for
    a monitor outage) only names them. Resolving names every component this
    incident touched as operational unless the update sets them explicitly.
    """
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
            incident=incident,
            status=status,
            message=message,
            posted_by=actor,
            posted_at=at,
            automatic=automatic,
        )
        shown = dict(
            Component.objects.filter(pk__in=[c.pk for c in changes]).values_list("pk", "status")
        )
        UpdateComponentStatus.objects.bulk_create(
            UpdateComponentStatus(
                update=update, component=component, status=new, old_status=shown[component.pk]
            )
            for component, new in sorted(changes.items(), key=lambda item: item[0].pk)
        )
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
        # After the status change: a resolved incident's word no longer holds.
        sync_responder(component_ids=[c.pk for c in changes], at=at)
        queue_update_notifications(update=update)
        incident_public_update.send(
            sender=Incident, incident=incident, status=status, message=message, actor=actor
        )
        schedule_publish(incident_ids={incident.pk})
    log.info("Posted status update %s on incident %s (%s)", update.pk, incident.pk, status)
    return update


def tick_maintenance(
    *, page: StatusPage | None = None, now: datetime | None = None, publish: bool = True
) -> int:
    """Move maintenance windows to in progress / completed as their times pass.

    A window's components have the maintenance input while it is in progress
    (catalog/status.py decides what that shows). Returns how many windows changed.
    """
    now = now or timezone.now()
    windows = ScheduledMaintenance.objects.exclude(status=MaintenanceStatus.COMPLETED)
    if page is not None:
        windows = windows.filter(page=page)
    changed = 0
    for window in windows.filter(starts_at__lte=now).prefetch_related("components"):
        if window.ends_at <= now:
            new = MaintenanceStatus.COMPLETED
        elif window.status == MaintenanceStatus.SCHEDULED:
            new = MaintenanceStatus.IN_PROGRESS
        else:
            continue
        with transaction.atomic():
            # Conditional update: with several processes ticking, one wins.
            won = ScheduledMaintenance.objects.filter(pk=window.pk, status=window.status).update(
                status=new
            )
            if not won:
                continue
            sync_maintenance(component_ids=[c.pk for c in window.components.all()], at=now)
            changed += 1
            log.info("Maintenance %s is now %s", window.pk, new)
    if changed and publish:
        schedule_publish(incident_ids=set())
    return changed


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
        queue_maintenance_notifications(maintenance=window)
        tick_maintenance(page=page, publish=False)
        schedule_publish(incident_ids=set())
    log.info("Scheduled maintenance %s on page %s", window.pk, page.slug)
    return window
