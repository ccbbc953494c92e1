"""The status page's two inputs to a component's status (catalog/status.py):
what responders said on active incidents, and maintenance in progress."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hindsight.catalog import status as component_status
from hindsight.catalog.models import Component
from hindsight.incidents.models import OPEN_STATUSES
from hindsight.statuspage.models import (
    MaintenanceStatus,
    ScheduledMaintenance,
    UpdateComponentStatus,
)


def responder_says(component_ids: Iterable[int]) -> dict[int, str]:
    """Per component, the worst of the latest status each active incident gave it."""
    rows = (
        UpdateComponentStatus.objects.filter(
            component_id__in=list(component_ids),
            update__incident__status__in=OPEN_STATUSES,
            update__automatic=False,  # Hindsight's own text repeats what the monitors say
        )
        .order_by("update__posted_at", "update_id", "id")
        .values_list("update__incident_id", "component_id", "status")
    )
    latest: dict[tuple[int, int], str] = {}
    for incident_id, component_id, status in rows:
        latest[(incident_id, component_id)] = status
    by_component: dict[int, list[str]] = {}
    for (_, component_id), status in latest.items():
        by_component.setdefault(component_id, []).append(status)
    return {pk: component_status.worst(statuses) for pk, statuses in by_component.items()}


def sync_responder(*, component_ids: Iterable[int], at: datetime | None = None) -> list[Component]:
    """Recompute the responder input of these components; return those whose status changed."""
    ids = sorted(set(component_ids))
    says = responder_says(ids)
    changed: list[Component] = []
    for pk in ids:
        changed += component_status.set_inputs(
            component_ids=[pk], responder=says.get(pk, ""), at=at
        )
    return changed


def sync_maintenance(*, component_ids: Iterable[int], at: datetime | None = None) -> None:
    """Recompute the maintenance input of these components from the windows in progress."""
    ids = set(component_ids)
    busy = set(
        ScheduledMaintenance.objects.filter(
            status=MaintenanceStatus.IN_PROGRESS, components__in=ids
        ).values_list("components", flat=True)
    )
    if ids & busy:
        component_status.set_inputs(component_ids=ids & busy, maintenance=True, at=at)
    if ids - busy:
        component_status.set_inputs(component_ids=ids - busy, maintenance=False, at=at)


def incident_component_ids(incident_id: int) -> set[int]:
    """Components any public update of this incident named."""
    return set(
        UpdateComponentStatus.objects.filter(update__incident_id=incident_id).values_list(
            "component_id", flat=True
        )
    )
