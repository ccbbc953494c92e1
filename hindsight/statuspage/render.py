"""Render a status page's documents: the same bytes for live views and the snapshot.

Links inside the pages are relative, so one rendering works at /status/,
at /status/<slug>/ and at the root of a custom domain.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from hindsight.catalog.models import ComponentStatus
from hindsight.incidents.models import Incident
from hindsight.statuspage import calendar, content, uptime, v2
from hindsight.statuspage.models import MaintenanceStatus, StatusPage

HTML = "text/html; charset=utf-8"
JSON = "application/json"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
SVG = "image/svg+xml"
ICS = "text/calendar; charset=utf-8"

RECENT_DAYS = 14
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str


class NotFound(Exception):
    """The page has no such document (unknown incident, month out of range)."""


def page_zone(page: StatusPage) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(page.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _style(page: StatusPage) -> dict[str, str]:
    color = page.brand_color if COLOR.match(page.brand_color or "") else "#1f6feb"
    # Custom CSS is written by admins; stop it from closing the <style> element.
    css = page.custom_css.replace("</", "<\\/")
    return {"brand_color": color, "custom_css": css}


def _links(page: StatusPage) -> list[dict[str, str]]:
    links = []
    for item in page.header_links or []:
        if not isinstance(item, dict):
            continue
        url, label = str(item.get("url", "")), str(item.get("label", ""))
        if label and url.startswith(("https://", "http://", "/", "mailto:")):
            links.append({"label": label, "url": url})
    return links


def _html(page: StatusPage, template: str, root: str, extra: dict[str, Any]) -> Document:
    zone = page_zone(page)
    context = {
        "page": page,
        "root": root,
        "zone_name": str(zone),
        "header_links": _links(page),
        "generated_at": timezone.now(),
        **_style(page),
        **extra,
    }
    with timezone.override(zone):
        return Document(render_to_string(template, context).encode(), HTML)


def index(page: StatusPage) -> Document:
    """The page itself: banner, components with uptime, incidents, maintenance."""
    components = content.page_components(page)
    incidents = list(content.public_incidents(page))
    indicator, description, worst = content.overall(components)
    maintenances = content.open_maintenances(page)
    if indicator == "none" and any(m.status == MaintenanceStatus.IN_PROGRESS for m in maintenances):
        indicator, description = "maintenance", "Service Under Maintenance"
    bars = uptime.uptime_bars(components, incidents)
    groups = [
        {
            "name": group.name,
            "status": group.status,
            "status_label": ComponentStatus(group.status).label,
            "components": [{"component": c, "bar": bars[c.pk]} for c in group.components],
        }
        for group in content.component_groups(components)
    ]
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return _html(
        page,
        "statuspage/public/index.html",
        "",
        {
            "indicator": indicator,
            "description": description,
            "worst": worst,
            "groups": groups,
            "active": [i for i in incidents if content.is_unresolved(i)],
            "recent": [
                i
                for i in incidents
                if not content.is_unresolved(i) and (i.resolved_at or i.started_at) >= since
            ],
            "maintenances": maintenances,
            "uptime_days": uptime.DAYS,
        },
    )


def incident_page(page: StatusPage, incident_id: int) -> Document:
    """One incident's public page: updates and, once published, its post-mortem."""
    incident = content.public_incidents(page).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(f"incident {incident_id}")
    return _html(
        page,
        "statuspage/public/incident.html",
        "../../",
        {
            "incident": incident,
            "unresolved": content.is_unresolved(incident),
            "components": content.incident_components(incident),
            "postmortem_html": content.published_postmortem_html(incident),
        },
    )


def history_months(page: StatusPage, incidents: list[Incident]) -> list[date]:
    """Months from the first public incident (or the page's creation) to now, newest first."""
    zone = page_zone(page)
    now = timezone.now().astimezone(zone)
    starts = [i.started_at for i in incidents] + [page.created_at]
    first = min(starts).astimezone(zone)
    months: list[date] = []
    year, month = now.year, now.month
    while (year, month) >= (first.year, first.month) and len(months) < 120:
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def history(page: StatusPage, month: str | None = None) -> Document:
    """Incident history for one month (the current one by default), with paging."""
    incidents = list(content.public_incidents(page))
    months = history_months(page, incidents)
    if month is None:
        chosen, root = months[0], "../"
    else:
        match = MONTH.match(month)
        if not match or date(int(match[1]), int(match[2]), 1) not in months:
            raise NotFound(f"month {month}")
        chosen, root = date(int(match[1]), int(match[2]), 1), "../../"
    zone = page_zone(page)
    shown = [
        i
        for i in incidents
        if (i.started_at.astimezone(zone).year, i.started_at.astimezone(zone).month)
        == (chosen.year, chosen.month)
    ]
    position = months.index(chosen)
    return _html(
        page,
        "statuspage/public/history.html",
        root,
        {
            "month": chosen,
            "incidents": shown,
            "newer": months[position - 1] if position > 0 else None,
            "older": months[position + 1] if position + 1 < len(months) else None,
        },
    )


def subscribe_page(
    page: StatusPage, *, error: str = "", notice: str = "", email: str = ""
) -> Document:
    """The email sign-up form (no CSRF token, so the snapshot can serve it)."""
    return _html(
        page,
        "statuspage/public/subscribe.html",
        "../",
        {
            "components": content.page_components(page),
            "error": error,
            "notice": notice,
            "email": email,
        },
    )


def message_page(
    page: StatusPage, *, title: str, text: str, root: str, button: str = ""
) -> Document:
    """A short message; with ``button``, a form that POSTs back to the same address."""
    context = {"title": title, "text": text, "button": button}
    return _html(page, "statuspage/public/message.html", root, context)


def api_document(page: StatusPage, name: str) -> Document:
    doc = v2.Documents(page).one(name)
    if doc is None:
        raise NotFound(name)
    return Document(_json(doc), JSON)


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


BADGE_COLORS = {
    "none": "#2da44e",
    "minor": "#bf8700",
    "major": "#d1242f",
    "critical": "#a40e26",
    "maintenance": "#0969da",
}


def badge(page: StatusPage) -> Document:
    """A small SVG badge: "<logo> | <status>", coloured by the indicator."""
    doc = v2.Documents(page)
    indicator, description = doc.status_doc["indicator"], doc.status_doc["description"]
    label = page.logo_text or page.title
    svg = render_to_string(
        "statuspage/public/badge.svg",
        {
            "label": label,
            "text": description,
            "color": BADGE_COLORS.get(indicator, "#57606a"),
            "label_width": 12 + 7 * len(label),
            "text_width": 12 + 7 * len(description),
        },
    )
    return Document(svg.encode(), SVG)


def feed(page: StatusPage, kind: str, request: HttpRequest | None = None) -> Document:
    from hindsight.statuspage.feeds import AtomFeed, RssFeed, feed_request

    feed_class = AtomFeed if kind == "atom" else RssFeed
    generator = feed_class().get_feed(page, request or feed_request())
    return Document(generator.writeString("utf-8").encode(), ATOM if kind == "atom" else RSS)


def maintenance_feed(page: StatusPage) -> Document:
    """Scheduled maintenance as iCalendar, to subscribe to in a calendar app."""
    return Document(calendar.maintenance_calendar(page), ICS)


def all_documents(page: StatusPage, incident_ids: set[int] | None = None) -> dict[str, Document]:
    """The page's documents, keyed by path relative to the page root.

    With ``incident_ids`` only those incidents' pages (and their history
    months) are rendered besides the page-wide documents; None renders all.
    """
    docs: dict[str, Document] = {"index.html": index(page)}
    incidents = list(content.public_incidents(page))
    months = history_months(page, incidents)
    if incident_ids is not None:
        zone = page_zone(page)
        wanted = {
            date(i.started_at.astimezone(zone).year, i.started_at.astimezone(zone).month, 1)
            for i in incidents
            if i.pk in incident_ids
        }
        months = [m for m in months if m == months[0] or m in wanted]
        incidents = [i for i in incidents if i.pk in incident_ids]
    for incident in incidents:
        docs[f"incidents/{incident.pk}/index.html"] = incident_page(page, incident.pk)
    docs["history/index.html"] = history(page)
    for month in months:
        key = f"{month:%Y-%m}"
        docs[f"history/{key}/index.html"] = history(page, key)
    docs["history.atom"] = feed(page, "atom")
    docs["history.rss"] = feed(page, "rss")
    docs["badge.svg"] = badge(page)
    docs["maintenance.ics"] = maintenance_feed(page)
    docs["subscribe/index.html"] = subscribe_page(page)
    for name, doc in v2.Documents(page).all().items():
        docs[f"api/v2/{name}"] = Document(_json(doc), JSON)
    return docs


def fresh_until(page: StatusPage) -> datetime:
    """When the rendered page goes stale on its own: the next maintenance start
    or end, or the next UTC midnight (a new uptime day), whichever is first."""
    now = timezone.now()
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    moments = [tomorrow]
    for maintenance in content.open_maintenances(page):
        moments.extend(m for m in (maintenance.starts_at, maintenance.ends_at) if m > now)
    return min(moments)
