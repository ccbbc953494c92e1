"""Template context shared by every page: the navigation."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from hindsight.actions.counts import open_items_of

# (label, URL name, role needed to see it). Each domain adds its section here when it has pages.
NAVIGATION: list[tuple[str, str, str]] = [
    ("Incidents", "incidents:list", ""),
    ("Monitors", "monitors:list", ""),
    ("Post-mortems", "postmortems:list", ""),
    ("Action items", "actions:board", ""),
    ("Insights", "insights:dashboard", ""),
    ("Integrations", "integrations:list", ""),
    ("Notifications", "integrations:channels", ""),
    ("Status pages", "statuspage:pages", ""),
    ("Outbox", "outbox:list", "admin"),
]


# A number shown beside a section's name: what waits for the signed-in user there.
COUNTS: dict[str, Callable[[object], int]] = {"actions:board": open_items_of}


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
        count = COUNTS[name](user) if name in COUNTS else 0
        items.append(
            {"label": label, "url": url, "active": request.path.startswith(url), "count": count}
        )
    # The deepest matching section is the current one (/integrations/notifications/).
    active = [item for item in items if item["active"]]
    for item in active[:-1]:
        item["active"] = False
    return {"nav_items": items}
