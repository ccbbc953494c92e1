"""Template context shared by every page: the navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name, role needed to see it). Each domain adds its section here when it has pages.
NAVIGATION: list[tuple[str, str, str]] = [
    ("Incidents", "incidents:list", ""),
    ("Monitors", "monitors:list", ""),
    ("Post-mortems", "postmortems:list", ""),
    ("Insights", "insights:dashboard", ""),
    ("Integrations", "integrations:list", ""),
    ("Notifications", "integrations:channels", ""),
    ("Status pages", "statuspage:pages", ""),
    ("Outbox", "outbox:list", "admin"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    items = []
    user = getattr(request, "user", None)
    for label, name, role in NAVIGATION:
        if role and not (user is not None and user.is_authenticated and user.has_role(role)):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    # The deepest matching section is the current one (/integrations/notifications/).
    active = [item for item in items if item["active"]]
    for item in active[:-1]:
        item["active"] = False
    return {"nav_items": items}
