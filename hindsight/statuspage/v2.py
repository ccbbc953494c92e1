"""JSON documents shaped like Atlassian Statuspage's public v2 API, field for field.

Widgets, aggregators and monitors written for Statuspage read these
unchanged. Ids are strings there, so ours are too; group headings become
components with ``"group": true`` and the ids of their members.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.statuspage import content
from hindsight.statuspage.models import (
    MaintenanceStatus,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
)

LIST_LIMIT = 50
# One incident or one maintenance: incidents/42.json, scheduled-maintenances/m7.json.
ONE = re.compile(r"incidents/([0-9]{1,18})\.json|scheduled-maintenances/m([0-9]{1,18})\.json")


def stamp(moment: datetime | None) -> str | None:
    """Statuspage's timestamp format: UTC with milliseconds and a Z."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def page_json(page: StatusPage, components: list[Component]) -> dict[str, Any]:
    return {
        "id": page.slug,
        "name": page.title,
        "url": content.page_url(page).rstrip("/"),
        "time_zone": page.time_zone,
        "updated_at": stamp(content.last_change(page, components)),
    }


def group_id(name: str) -> str:
    return "group-" + (slugify(name) or "unnamed")


def component_json(page: StatusPage, component: Component) -> dict[str, Any]:
    return {
        "id": str(component.pk),
        "name": component.name,
        "status": component.status,
        "created_at": stamp(component.created_at),
        "updated_at": stamp(component.updated_at),
        "position": component.position,
        "description": component.description or None,
        "showcase": True,
        "start_date": None,
        "group_id": group_id(component.group) if component.group else None,
        "page_id": page.slug,
        "group": False,
        "only_show_if_degraded": False,
    }


def components_json(page: StatusPage, components: list[Component]) -> list[dict[str, Any]]:
    """Members in page order, each group entry before its first member."""
    result: list[dict[str, Any]] = []
    for group in content.component_groups(components):
        if group.name:
            members = group.components
            result.append(
                {
                    "id": group_id(group.name),
                    "name": group.name,
                    "status": group.status,
                    "created_at": stamp(min(c.created_at for c in members)),
                    "updated_at": stamp(max(c.updated_at for c in members)),
                    "position": min(c.position for c in members),
                    "description": None,
                    "showcase": False,
                    "start_date": None,
                    "group_id": None,
                    "page_id": page.slug,
                    "group": True,
                    "only_show_if_degraded": False,
                    "components": [str(c.pk) for c in members],
                }
            )
        result.extend(component_json(page, c) for c in group.components)
    return result


def update_json(update: StatusUpdate, incident_id: str) -> dict[str, Any]:
    affected = [
        {
            "code": str(row.component_id),
            "name": row.component.name,
            "old_status": row.old_status,
            "new_status": row.status,
        }
        for row in update.components.all()
    ]
    return {
        "id": f"u{update.pk}",
        "status": update.status,
        "body": update.message,
        "incident_id": incident_id,
        "created_at": stamp(update.posted_at),
        "updated_at": stamp(update.posted_at),
        "display_at": stamp(update.posted_at),
        "affected_components": affected or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_json(page: StatusPage, incident: Incident) -> dict[str, Any]:
    updates = list(incident.status_updates.all())
    monitoring = [u.posted_at for u in updates if u.status == "monitoring"]
    return {
        "id": str(incident.pk),
        "name": incident.shown_title,
        "status": "resolved" if incident.status == "closed" else incident.status,
        "created_at": stamp(incident.created_at),
        "updated_at": stamp(max([incident.updated_at, *(u.posted_at for u in updates)])),
        "monitoring_at": stamp(min(monitoring)) if monitoring else None,
        "resolved_at": stamp(incident.resolved_at),
        "impact": content.IMPACT_BY_SEVERITY.get(incident.severity, "none"),
        "shortlink": f"{content.page_url(page)}incidents/{incident.pk}/",
        "started_at": stamp(incident.started_at),
        "page_id": page.slug,
        "incident_updates": [update_json(u, str(incident.pk)) for u in updates],
        "components": [component_json(page, c) for c in content.incident_components(incident)],
    }


def maintenance_json(page: StatusPage, maintenance: ScheduledMaintenance) -> dict[str, Any]:
    mid = f"m{maintenance.pk}"
    components = list(maintenance.components.all())
    return {
        "id": mid,
        "name": maintenance.title,
        "status": maintenance.status,
        "created_at": stamp(maintenance.created_at),
        "updated_at": stamp(maintenance.created_at),
        "monitoring_at": None,
        "resolved_at": stamp(maintenance.ends_at)
        if maintenance.status == MaintenanceStatus.COMPLETED
        else None,
        "impact": "maintenance",
        "shortlink": content.page_url(page),
        "started_at": stamp(maintenance.starts_at),
        "page_id": page.slug,
        "incident_updates": [
            {
                "id": f"{mid}-1",
                "status": maintenance.status,
                "body": maintenance.body or maintenance.title,
                "incident_id": mid,
                "created_at": stamp(maintenance.created_at),
                "updated_at": stamp(maintenance.created_at),
                "display_at": stamp(maintenance.created_at),
                "affected_components": [
                    {
                        "code": str(c.pk),
                        "name": c.name,
                        "old_status": "operational",
                        "new_status": "under_maintenance",
                    }
                    for c in components
                ]
                or None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        ],
        "components": [component_json(page, c) for c in components],
        "scheduled_for": stamp(maintenance.starts_at),
        "scheduled_until": stamp(maintenance.ends_at),
    }


class Documents:
    """Builds every v2 document of one page from one set of queries."""

    def __init__(self, page: StatusPage) -> None:
        self.page = page
        self.components = content.page_components(page)
        self.incidents = list(content.public_incidents(page)[:LIST_LIMIT])
        self.maintenances = list(content.maintenances(page))
        self.page_doc = page_json(page, self.components)
        indicator, description, _ = content.overall(self.components)
        if indicator == "none" and any(
            m.status == MaintenanceStatus.IN_PROGRESS for m in self.maintenances
        ):
            indicator, description = "maintenance", "Service Under Maintenance"
        self.status_doc = {"indicator": indicator, "description": description}

    def _incidents(self, unresolved: bool) -> list[dict[str, Any]]:
        chosen = [i for i in self.incidents if content.is_unresolved(i) or not unresolved]
        return [incident_json(self.page, i) for i in chosen]

    def _maintenances(self, which: str) -> list[dict[str, Any]]:
        now = timezone.now()
        chosen = {
            "all": self.maintenances,
            "upcoming": [m for m in self.maintenances if m.status == MaintenanceStatus.SCHEDULED],
            "active": [
                m
                for m in self.maintenances
                if m.status in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
            ],
            "open": [
                m
                for m in self.maintenances
                if m.status != MaintenanceStatus.COMPLETED and m.ends_at >= now
            ],
        }[which]
        if which == "all":
            chosen = sorted(chosen, key=lambda m: m.starts_at, reverse=True)[:LIST_LIMIT]
        return [maintenance_json(self.page, m) for m in chosen]

    def one(self, name: str) -> dict[str, Any] | None:
        """One document by its path under ``api/v2/``, or None when there is none.

        Besides the lists, Statuspage serves each incident and each scheduled
        maintenance on its own (`incidents/<id>.json`, `scheduled-maintenances/<id>.json`),
        older ones included.
        """
        found = ONE.fullmatch(name)
        if found is None:
            return self.all().get(name)
        incident_id, maintenance_id = found.groups()
        if incident_id is not None:
            incident = content.public_incidents(self.page).filter(pk=int(incident_id)).first()
            return None if incident is None else self._incident_doc(incident)
        maintenance = content.maintenances(self.page).filter(pk=int(maintenance_id)).first()
        return None if maintenance is None else self._maintenance_doc(maintenance)

    def _incident_doc(self, incident: Incident) -> dict[str, Any]:
        return {"page": self.page_doc, "incident": incident_json(self.page, incident)}

    def _maintenance_doc(self, maintenance: ScheduledMaintenance) -> dict[str, Any]:
        return {
            "page": self.page_doc,
            "scheduled_maintenance": maintenance_json(self.page, maintenance),
        }

    def all(self) -> dict[str, dict[str, Any]]:
        """Every document, keyed by its path under ``api/v2/`` (the recent incidents
        and maintenance each have their own; older ones are rendered when asked)."""
        page = self.page_doc
        components = components_json(self.page, self.components)
        singles = {f"incidents/{i.pk}.json": self._incident_doc(i) for i in self.incidents}
        recent = sorted(self.maintenances, key=lambda m: m.starts_at, reverse=True)[:LIST_LIMIT]
        singles.update(
            (f"scheduled-maintenances/m{m.pk}.json", self._maintenance_doc(m)) for m in recent
        )
        return {
            **singles,
            "summary.json": {
                "page": page,
                "components": components,
                "incidents": self._incidents(unresolved=True),
                "scheduled_maintenances": self._maintenances("open"),
                "status": self.status_doc,
            },
            "status.json": {"page": page, "status": self.status_doc},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": self._incidents(unresolved=False)},
            "incidents/unresolved.json": {
                "page": page,
                "incidents": self._incidents(unresolved=True),
            },
            "scheduled-maintenances.json": {
                "page": page,
                "scheduled_maintenances": self._maintenances("all"),
            },
            "scheduled-maintenances/upcoming.json": {
                "page": page,
                "scheduled_maintenances": self._maintenances("upcoming"),
            },
            "scheduled-maintenances/active.json": {
                "page": page,
                "scheduled_maintenances": self._maintenances("active"),
            },
        }


V2_DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)
