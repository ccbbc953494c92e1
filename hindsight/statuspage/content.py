"""What a status page shows: its components, its public incidents, its overall status.

Everything public goes through here, so the live pages, the snapshot, the
feeds and the v2 JSON all agree on which incidents a page discloses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from hindsight.catalog.models import Component, ComponentStatus
from hindsight.incidents.models import Incident, IncidentStatus
from hindsight.statuspage.models import (
    MaintenanceStatus,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    UpdateComponentStatus,
)

# Worst first: the page's banner shows the worst status of its components.
SEVERITY_ORDER = [
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED,
    ComponentStatus.MAINTENANCE,
    ComponentStatus.OPERATIONAL,
]

# Statuspage's status indicator and its wording, keyed by worst component status.
INDICATORS = {
    ComponentStatus.OPERATIONAL: ("none", "All Systems Operational"),
    ComponentStatus.DEGRADED: ("minor", "Partially Degraded Service"),
    ComponentStatus.PARTIAL_OUTAGE: ("major", "Partial System Outage"),
    ComponentStatus.MAJOR_OUTAGE: ("critical", "Major System Outage"),
    ComponentStatus.MAINTENANCE: ("maintenance", "Service Under Maintenance"),
}

IMPACT_BY_SEVERITY = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "none"}


@dataclass(frozen=True)
class ComponentGroup:
    name: str
    components: list[Component]

    @property
    def status(self) -> str:
        return worst_status(c.status for c in self.components)


def worst_status(statuses: Iterable[str]) -> str:
    """Return the worst of the given component statuses (operational if none)."""
    seen = set(statuses)
    for status in SEVERITY_ORDER:
        if status in seen:
            return status
    return ComponentStatus.OPERATIONAL


def get_default_page() -> StatusPage | None:
    """Return the page served at /status/ and /api/v2/."""
    return StatusPage.objects.filter(is_default=True).first() or StatusPage.objects.first()


def page_components(page: StatusPage) -> list[Component]:
    return list(page.components.order_by("group", "position", "name"))


def component_groups(components: list[Component]) -> list[ComponentGroup]:
    """Group components under their headings, ungrouped ones first, in position order."""
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(component.group, []).append(component)
    ordered = sorted(groups.items(), key=lambda item: (item[0] != "", item[0]))
    return [ComponentGroup(name, items) for name, items in ordered]


def overall(components: list[Component]) -> tuple[str, str, str]:
    """Return (indicator, description, worst component status) for the banner."""
    worst = worst_status(c.status for c in components)
    indicator, description = INDICATORS[ComponentStatus(worst)]
    return indicator, description, worst


def public_incidents(page: StatusPage) -> QuerySet[Incident]:
    """Incidents this page discloses: not restricted, with at least one public
    update, touching one of the page's components (or no component at all)."""
    component_ids = list(page.components.values_list("pk", flat=True))
    service_ids = list(page.components.exclude(service=None).values_list("service_id", flat=True))
    touches_page = Q(status_updates__components__component_id__in=component_ids) | Q(
        services__in=service_ids
    )
    touches_nothing = Q(services=None) & ~Q(
        pk__in=UpdateComponentStatus.objects.values("update__incident_id")
    )
    ids = (
        Incident.objects.filter(restricted=False, status_updates__isnull=False)
        .filter(touches_page | touches_nothing)
        .values("pk")
    )
    updates = StatusUpdate.objects.order_by("-posted_at", "-id").prefetch_related(
        Prefetch("components", queryset=UpdateComponentStatus.objects.select_related("component"))
    )
    return (
        Incident.objects.filter(pk__in=ids)
        .prefetch_related(Prefetch("status_updates", queryset=updates), "services")
        .order_by("-started_at", "-id")
    )


def is_unresolved(incident: Incident) -> bool:
    return incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


def incident_components(incident: Incident) -> list[Component]:
    """Components named in the incident's updates, first mention first."""
    seen: dict[int, Component] = {}
    for update in reversed(list(incident.status_updates.all())):
        for row in update.components.all():
            seen.setdefault(row.component_id, row.component)
    return list(seen.values())


def affected_components(incident: Incident) -> list[Component]:
    """Components any update of this incident has named (one query, for services)."""
    ids = UpdateComponentStatus.objects.filter(update__incident=incident).values("component_id")
    return list(Component.objects.filter(pk__in=ids))


def published_postmortem_html(incident: Incident) -> str:
    """Return the customer-facing post-mortem as sanitised HTML, or "" if unpublished."""
    from django.db.models import Q

    from hindsight.postmortems.models import PostMortem, PostMortemStatus

    postmortem = (
        PostMortem.objects.filter(incident=incident)
        .filter(Q(status=PostMortemStatus.PUBLISHED) | Q(public_published_at__isnull=False))
        .first()
    )
    if postmortem is None or not postmortem.public_body.strip():
        return ""
    import nh3
    from markdown_it import MarkdownIt

    # Raw HTML in the Markdown is escaped by the parser and nh3 strips anything
    # else unsafe (javascript: links, event handlers) from the rendered result.
    rendered = (
        MarkdownIt("commonmark", {"html": False}).enable("table").render(postmortem.public_body)
    )
    return nh3.clean(rendered, link_rel="noopener noreferrer nofollow")


def maintenances(page: StatusPage) -> QuerySet[ScheduledMaintenance]:
    return page.maintenances.prefetch_related("components").order_by("starts_at", "id")


def open_maintenances(page: StatusPage) -> list[ScheduledMaintenance]:
    """Upcoming and active maintenance, soonest first."""
    return list(maintenances(page).exclude(status=MaintenanceStatus.COMPLETED))


def page_url(page: StatusPage) -> str:
    """The page's public address, ending in a slash."""
    if page.custom_domain:
        scheme = urlsplit(settings.BASE_URL).scheme or "https"
        return f"{scheme}://{page.custom_domain}/"
    base = settings.BASE_URL.rstrip("/")
    return f"{base}/status/" if page.is_default else f"{base}/status/{page.slug}/"


def last_change(page: StatusPage, components: list[Component]) -> datetime:
    """When anything shown on the page last changed (for feeds and page.updated_at)."""
    moments = [page.updated_at, *(c.updated_at for c in components)]
    latest_update = (
        StatusUpdate.objects.filter(incident__in=public_incidents(page))
        .order_by("-posted_at")
        .values_list("posted_at", flat=True)
        .first()
    )
    if latest_update:
        moments.append(latest_update)
    return max(moments) if moments else timezone.now()
