"""The status page follows its incidents (through the incident signals):

- resolving an incident that has public updates resolves its public incident
  too, with a final message, and hands its components back to the monitors
  and maintenance (never a page left in "Partial outage");
- a monitor outage on a component tells customers with a text from a template
  (the component's name, never internal service names), unless that
  component's automatic public incident is switched off.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from hindsight.accounts.models import User
from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident, IncidentStatus
from hindsight.incidents.signals import components_affected, incident_resolved
from hindsight.statuspage import services
from hindsight.statuspage.component_inputs import incident_component_ids, sync_responder

log = logging.getLogger(__name__)

OUTAGE_TEXT = (
    "We are investigating problems with {components}. Some requests may fail or be slow. "
    "We will post an update as soon as we know more."
)


@receiver(incident_resolved, dispatch_uid="statuspage-resolve-public-incident")
def _on_resolved(sender: Any, incident: Incident, actor: User | None = None, **kw: Any) -> None:
    latest = incident.status_updates.order_by("-posted_at", "-id").first()
    # A restricted incident is off the public pages (restricted after it was public):
    # nothing is posted for it, and resolving it must not fail.
    if latest is not None and latest.status != IncidentStatus.RESOLVED and not incident.restricted:
        services.post_update(
            incident=incident,
            status=IncidentStatus.RESOLVED,
            message=services.template_message(template="resolved", incident=incident),
            actor=actor,
            automatic=actor is None,
        )
        log.info("resolved the public incident of incident %s", incident.pk)
    sync_responder(component_ids=incident_component_ids(incident.pk))


@receiver(components_affected, dispatch_uid="statuspage-monitor-outage-text")
def _on_components_affected(
    sender: Any, incident: Incident, components: list[Component], **kw: Any
) -> None:
    if incident.restricted or not incident.is_open:
        return
    told = incident_component_ids(incident.pk)
    fresh = [c for c in components if c.auto_public_incident and c.pk not in told]
    if not fresh:
        return
    shown = {c.pk: c.status for c in Component.objects.filter(pk__in=[c.pk for c in fresh])}
    names = ", ".join(c.name for c in fresh)
    if not incident.public_title:
        # The incident's own title names a monitor; customers read the component.
        Incident.objects.filter(pk=incident.pk).update(public_title=f"Problems with {names}"[:200])
        incident.public_title = f"Problems with {names}"[:200]
    services.post_update(
        incident=incident,
        status=incident.status,
        message=OUTAGE_TEXT.format(components=names),
        components={c: shown[c.pk] for c in fresh},
        automatic=True,
    )
