"""Every non-public URL sends an anonymous visitor to the login page.

The URL patterns are enumerated, so a new view without protection fails here
until it is either protected or added to PUBLIC on purpose.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# URL names that anyone may open, and why.
PUBLIC = {
    "login": "the login page itself",
    "healthz": "load balancers and monitors probe it",
    "admin:login": "the admin's own login page",
    "integrations:receive": "alert sources authenticate with the integration's secret token",
    "actions:tracker_webhook": "GitHub and Jira sign their webhooks with the tracker's secret",
    # The public status page: readable by customers, with its feeds, badge, v2 JSON and
    # the subscribe / confirm / unsubscribe links from emails.
    **{
        f"statuspage:{prefix}{name}": "the public status page"
        for prefix in ("", "default_")
        for name in (
            "index",
            "incident",
            "history",
            "history_month",
            "atom",
            "rss",
            "badge",
            "calendar",
            "subscribe",
            "api",
        )
    },
    "statuspage:default_root_api": "Statuspage-compatible v2 JSON for widgets",
    "statuspage:confirm": "double opt-in link in the confirmation email",
    "statuspage:unsubscribe": "one-click unsubscribe link in every email",
    "api:unknown": "any /api/ path that is no endpoint answers a JSON 404, not a login page",
    "api:api-root": "says where the schema and the docs are, nothing more",
    "metrics": "Prometheus scrapes with its own token or from an allowed address (403 otherwise)",
}
# The JSON API answers 401 with a JSON body instead of redirecting (the schema
# too, for client generators); only the interactive docs send a browser to log in.
API_NAMESPACE = "api"
# The interactive docs are a page for a logged-in browser; the schema itself
# answers a token (generated clients) and so is an API operation above.
API_DOCS = {"api:openapi-view"}

SAMPLE = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x/y",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name


def _sample_path(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    # Regex routes (the admin's): strip anchors and fill groups with a sample.
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.replace("\\", "")
    return "/" + route


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _ in ROUTES])
def test_it_protects_every_non_public_url(client, db, route, name):
    if name in PUBLIC:
        return
    path = _sample_path(route)
    response = client.get(path)
    if response.status_code == 405:
        # Not a GET view: ask with the method it takes, still anonymously.
        method = response["Allow"].split(",")[0].strip().lower()
        response = getattr(client, method)(path, data="{}", content_type="application/json")
    if name.startswith(API_NAMESPACE + ":") and name not in API_DOCS:
        assert response.status_code == 401, f"{path} ({name}) answered {response.status_code}"
        assert response.json()["code"] == "unauthorized"
        return
    assert response.status_code == 302, f"{path} ({name}) answered {response.status_code}"
    assert "/login/" in response["Location"], f"{path} redirects to {response['Location']}"


def test_the_public_pages_really_are_public(client, db):
    from hindsight.runner.services import beat

    beat(worker="w1", region="default")
    assert client.get("/accounts/login/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "worker": "ok"}
