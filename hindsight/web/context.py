"""Template context shared by every page: the navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name). Each domain adds its section here when it has pages.
NAVIGATION: list[tuple[str, str]] = [
    ("Incidents", "incidents:list"),
    ("Monitors", "monitors:list"),
    ("Post-mortems", "postmortems:list"),
    ("Insights", "insights:dashboard"),
    ("Integrations", "integrations:list"),
    ("Status pages", "statuspage:pages"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    items = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
