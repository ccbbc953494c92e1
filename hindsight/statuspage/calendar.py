"""A status page's scheduled maintenance as an iCalendar feed (`maintenance.ics`).

Built with `hindsight.core.calendar`, the same code that writes review-meeting
invites. The bytes depend only on the maintenance rows (DTSTAMP is when a
window was scheduled), so the snapshot file and a live rendering agree and
calendar apps that poll get a 304 until something changes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from hindsight.core.calendar import build_calendar, build_event
from hindsight.statuspage import content
from hindsight.statuspage.models import ScheduledMaintenance, StatusPage

# How much past maintenance stays in the feed.
PAST_WINDOWS = 50


def _description(maintenance: ScheduledMaintenance) -> str:
    parts = [maintenance.body.strip()] if maintenance.body.strip() else []
    names = [c.name for c in maintenance.components.all()]
    if names:
        parts.append("Affects: " + ", ".join(names))
    parts.append(f"Status: {maintenance.get_status_display()}")
    return "\n\n".join(parts)


def maintenance_calendar(page: StatusPage) -> bytes:
    """The page's maintenance windows, newest first, as `.ics` bytes."""
    domain = urlsplit(settings.BASE_URL).hostname or "localhost"
    url = content.page_url(page)
    windows = sorted(content.maintenances(page), key=lambda m: m.starts_at, reverse=True)
    events = [
        build_event(
            uid=f"maintenance-{m.pk}@{domain}",
            summary=f"{page.title}: {m.title}",
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            stamp=m.created_at,
            description=_description(m),
            url=url,
            categories=["Maintenance"],
        )
        for m in windows[:PAST_WINDOWS]
    ]
    return build_calendar(name=f"{page.title}: scheduled maintenance", events=events)
