"""One rule for a component's status.

A component's status has three inputs, each written by the one domain that
knows it, and kept on the component row:

- ``responder_status``: what a responder said in a public update of an
  incident that is still active (the worst, if several say something);
  written by the status page, cleared when those incidents resolve;
- ``in_maintenance``: a scheduled maintenance window covering it is in
  progress; written by the status page's maintenance job;
- ``monitor_status``: what the monitors linked to it say (the worst of them);
  written by the monitors' flip processing.

``compute`` turns the inputs into the status shown to customers, in this
order of precedence (docs/statuspage.md, "Component status"):

1. a responder's explicit status on an active incident;
2. scheduled maintenance in progress: *under maintenance*;
3. the monitors;
4. otherwise *operational*.

``set_inputs`` is the only writer of ``Component.status``: it changes one
input and recomputes, so a monitor recovery never overwrites what a
responder set. Rendering reads ``status`` and never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hindsight.catalog.models import Component, ComponentStatus

# Worst first: how two statuses of the same input combine.
SEVERITY_ORDER = (
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED,
    ComponentStatus.MAINTENANCE,
    ComponentStatus.OPERATIONAL,
)
_UNSET = object()


def worst(statuses: Iterable[str]) -> str:
    """The worst of some component statuses; "" when there are none."""
    given = {str(s) for s in statuses if s}
    for status in SEVERITY_ORDER:
        if status in given:
            return str(status)
    return ""


def compute(*, responder: str = "", maintenance: bool = False, monitors: str = "") -> str:
    """A component's status from its inputs, by the precedence above."""
    if responder:
        return responder
    if maintenance:
        return str(ComponentStatus.MAINTENANCE)
    if monitors:
        return monitors
    return str(ComponentStatus.OPERATIONAL)


def computed(component: Component) -> str:
    """What ``compute`` says for the inputs stored on this component."""
    return compute(
        responder=component.responder_status,
        maintenance=component.in_maintenance,
        monitors=component.monitor_status,
    )


def set_inputs(
    *,
    component_ids: Iterable[int],
    responder: object = _UNSET,
    maintenance: object = _UNSET,
    monitors: object = _UNSET,
    at: datetime | None = None,
) -> list[Component]:
    """Set one or more inputs of these components and recompute their status.

    Each row is locked while it changes, so two writers (a responder's update
    and a monitor's flip) never lose each other's input. Returns the
    components whose shown status changed.
    """
    at = at or timezone.now()
    for value in (responder, monitors):
        if value is not _UNSET and value and value not in ComponentStatus.values:
            raise ValueError(f"Unknown component status {value!r}")
    changed = []
    with transaction.atomic():
        rows = Component.objects.select_for_update().filter(pk__in=set(component_ids))
        for component in rows.order_by("pk"):
            if responder is not _UNSET:
                component.responder_status = str(responder or "")
            if maintenance is not _UNSET:
                component.in_maintenance = bool(maintenance)
            if monitors is not _UNSET:
                component.monitor_status = str(monitors or "")
            new = computed(component)
            fields = ["responder_status", "in_maintenance", "monitor_status"]
            if new != component.status:
                component.status = new
                component.updated_at = at
                fields += ["status", "updated_at"]
                changed.append(component)
            component.save(update_fields=fields)
    return changed
