"""Status page routes. Included at the site root, before the ninja API at api/.

Public (login_not_required): the default page under /status/ and /api/v2/,
each page under /status/<slug>/, subscription confirm/unsubscribe links.
Team pages (login required): /statuspage/…
"""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path, re_path

from hindsight.statuspage import panel, views

app_name = "statuspage"

API_DOCUMENT = r"(?P<name>(summary|status|components|incidents|incidents/unresolved|incidents/[0-9]{1,18}|scheduled-maintenances|scheduled-maintenances/upcoming|scheduled-maintenances/active|scheduled-maintenances/m[0-9]{1,18})\.json)"

# (route below a page root, view, name) — mounted for the default page and per slug.
PAGE_ROUTES: list[tuple[str, Callable[..., HttpResponse], str]] = [
    ("", views.index, "index"),
    ("incidents/<int:pk>/", views.incident, "incident"),
    ("history/", views.history, "history"),
    ("history/<str:month>/", views.history, "history_month"),
    ("history.atom", views.feed_atom, "atom"),
    ("history.rss", views.feed_rss, "rss"),
    ("badge.svg", views.badge, "badge"),
    ("maintenance.ics", views.maintenance_calendar, "calendar"),
    ("subscribe/", views.subscribe, "subscribe"),
]


def _page_patterns(prefix: str, regex_prefix: str, name_prefix: str) -> list[URLPattern]:
    patterns = [
        path(prefix + route, view, name=name_prefix + name) for route, view, name in PAGE_ROUTES
    ]
    patterns.append(
        re_path(f"^{regex_prefix}api/v2/{API_DOCUMENT}$", views.api, name=name_prefix + "api")
    )
    return patterns


urlpatterns = [
    path("status/subscriptions/confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/subscriptions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    re_path(f"^api/v2/{API_DOCUMENT}$", views.api, name="default_root_api"),
    *_page_patterns("status/", "status/", "default_"),
    *_page_patterns("status/<slug:slug>/", r"status/(?P<slug>[-a-zA-Z0-9_]+)/", ""),
    path("statuspage/", panel.pages, name="pages"),
    path("statuspage/maintenance/", panel.add_maintenance, name="add_maintenance"),
    path("statuspage/incidents/<int:pk>/updates/", panel.post_update, name="post_update"),
    path("statuspage/incidents/<int:pk>/updates/new/", panel.compose, name="compose"),
]
