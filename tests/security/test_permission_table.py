"""Walk the permission table (hindsight/access.py) against real requests for every role.

Every URL pattern, API operation and CLI command must be in the table; each
entry is then checked: a role below the least one is refused (login redirect
or 401 for anonymous, 403 for a signed-in user), a role at or above it is not.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from hindsight import access
from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.actions.models import ActionItem
from hindsight.api import api
from hindsight.catalog.models import Service
from hindsight.cli import _register, app
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import append_event, declare_incident
from hindsight.integrations.models import ChatImport
from hindsight.integrations.services import create_integration
from hindsight.monitors import services as monitor_services
from hindsight.monitors.models import Monitor
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import enqueue
from hindsight.postmortems.models import PostMortem, PostMortemComment
from hindsight.statuspage.models import StatusPage, Subscriber
from tests.security.support import patterns as _patterns

SIGNED_IN = ("viewer", "responder", "editor", "admin")


PAGE_NAMES = sorted(
    {
        name
        for name, p in _patterns(get_resolver().url_patterns)
        if not name.startswith("api:") or name in access.PAGES
    }
)


def test_every_url_pattern_is_in_the_permission_table() -> None:
    names = {name for name, _ in _patterns(get_resolver().url_patterns)}
    api_operations = {n for n in names if n.startswith("api:") and n not in access.PAGES}
    missing = sorted(names - set(access.PAGES) - api_operations)
    assert missing == []


def test_the_table_lists_no_page_that_does_not_exist() -> None:
    names = {name for name, _ in _patterns(get_resolver().url_patterns)}
    assert sorted(set(access.PAGES) - names) == []


def _operations() -> list[str]:
    schema = api.get_openapi_schema(path_prefix="/api")
    return sorted(
        f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
    )


def test_every_api_operation_is_in_the_permission_table() -> None:
    assert sorted(set(_operations()) ^ set(access.API)) == []


def _commands() -> list[str]:
    _register()
    names = [(c.name or c.callback.__name__).replace("_", "-") for c in app.registered_commands]
    for group in app.registered_groups:
        group_name = group.name or group.typer_instance.info.name
        names += [
            f"{group_name} {(c.name or c.callback.__name__).replace('_', '-')}"
            for c in group.typer_instance.registered_commands
        ]
    return sorted(names)


def test_every_cli_command_is_in_the_permission_table() -> None:
    assert sorted(set(_commands()) ^ set(access.COMMANDS)) == []


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """One of everything a URL can name."""
    users = {
        role: User.objects.create_user(username=f"u-{role}", password="pw-long-enough", role=role)
        for role in SIGNED_IN
    }
    Service.objects.create(name="Checkout", slug="checkout")
    incident = declare_incident(title="Checkout down", severity="SEV2")
    event, _ = append_event(incident=incident, text="rolled back")
    monitor = monitor_services.save_monitor(
        monitor=Monitor(name="web", target="http://127.0.0.1:9/")
    )
    integration, token = create_integration(name="g", kind="generic")
    resolved = declare_incident(title="Search slow", severity="SEV2", commander=users["editor"])
    change_status(incident=resolved, status="resolved", actor=users["editor"])
    postmortem = PostMortem.objects.get(incident=resolved)
    comment = PostMortemComment.objects.create(
        postmortem=postmortem, section="Summary", text="?", version=1
    )
    page = StatusPage.objects.create(slug="main", title="Main", is_default=True)
    subscriber = Subscriber.objects.create(page=page, kind="email", email="a@example.com")
    item = ActionItem.objects.create(incident=incident, title="Alert on 502s", priority="P3")
    dead_letter = enqueue(sender="gone", destination="x:1", label="x", event="e", payload={})
    Delivery.objects.filter(pk=dead_letter.pk).update(state="dead")
    chat_import = ChatImport.objects.create(incident=incident, filename="export.zip")
    return {
        "users": users,
        "kwargs": {
            "pk": incident.pk,
            "event_id": event.pk,
            "incident_id": resolved.pk,
            "slug": "main",
            "month": "2026-11",
            "name": "summary.json",
            "kind": "generic",
            "token": token,
            "comment_id": comment.pk,
            "fmt": "md",
            "import_id": chat_import.pk,
        },
        "pks": {
            "monitors:": ("pk", monitor.pk),
            "integrations:toggle": ("pk", integration.pk),
            "statuspage:confirm": ("token", subscriber.confirm_token),
            "statuspage:unsubscribe": ("token", subscriber.unsubscribe_token),
            "outbox:": ("pk", dead_letter.pk),
            "postmortems:": ("pk", postmortem.pk),
            "actions:": ("pk", item.pk),
            "insights:": ("table", "incidents"),
        },
        "monitor_id": monitor.pk,
        "postmortem_id": postmortem.pk,
        "item_id": item.pk,
    }


def _url(name: str, pattern: URLPattern, world: dict[str, Any]) -> str:
    if name == "admin:*":
        return "/admin/accounts/user/"
    wanted = set(pattern.pattern.regex.groupindex)
    kwargs = {k: v for k, v in world["kwargs"].items() if k in wanted}
    for prefix, (key, value) in world["pks"].items():
        if name.startswith(prefix) and key in wanted:
            kwargs[key] = value
    return reverse("admin:index") if name == "admin:index" else reverse(name, kwargs=kwargs)


def _client(role: str, world: dict[str, Any]) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _refused(response: Any, role: str) -> bool:
    if role == "anonymous":
        return response.status_code in (401, 403) or (
            response.status_code == 302 and "/login/" in response["Location"]
        )
    if response.status_code == 302 and "/admin/login/" in response.get("Location", ""):
        return True
    return response.status_code == 403


CASES = [(name, role) for name in PAGE_NAMES for role in access.ROLES]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_each_page_admits_exactly_the_roles_the_table_says(
    world: dict[str, Any], name: str, role: str
) -> None:
    pattern = dict(_patterns(get_resolver().url_patterns))[name]
    url = _url(name, pattern, world)
    rule = access.PAGES[name]
    client = _client(role, world)
    got = client.get(url)
    sent = client.post(url, {})
    expected = (
        "allowed" if access.allowed(rule.read, role) else "refused",
        "allowed" if access.allowed(rule.write, role) else "refused",
    )

    def judge(response: Any) -> str:
        return "refused" if _refused(response, role) or response.status_code == 405 else "allowed"

    if rule.write is None and sent.status_code == got.status_code:
        # A read-only page that answers POST like GET writes nothing: not a write.
        sent = type("NotOffered", (), {"status_code": 405})()
    assert (judge(got), judge(sent)) == expected


BODIES: dict[str, Any] = {
    "POST /api/incidents/": {"title": "x"},
    "POST /api/incidents/{incident_id}/status": {"status": "identified"},
    "POST /api/incidents/{incident_id}/severity": {"severity": "SEV1"},
    "POST /api/incidents/{incident_id}/commander": {"commander": None},
    "POST /api/incidents/{incident_id}/moments": {"moment": "detected", "at": None},
    "POST /api/incidents/{incident_id}/events": {"text": "x"},
    "POST /api/incidents/{incident_id}/updates": {"status": "investigating", "message": "x"},
    "POST /api/incidents/{incident_id}/events/batch": {"events": [{"text": "x"}]},
    "PATCH /api/incidents/{incident_id}/events/{event_id}": {"text": "y"},
    "POST /api/monitors/": {"name": "m2", "target": "http://127.0.0.1:9/x"},
    "PATCH /api/monitors/{monitor_id}": {"name": "m3"},
    "PUT /api/postmortems/{postmortem_id}": {"body": "# X\n\n## Summary\n\nY.\n", "version": 1},
    "POST /api/postmortems/{postmortem_id}/transition": {"to": "in_review"},
    "PATCH /api/action-items/{item_id}": {"priority": "P2"},
}


@pytest.mark.parametrize(("operation", "role"), [(o, r) for o in access.API for r in access.ROLES])
def test_each_api_operation_admits_exactly_the_roles_the_table_says(
    world: dict[str, Any], operation: str, role: str
) -> None:
    method, path = operation.split(" ", 1)
    path = path.format(
        incident_id=world["kwargs"]["pk"],
        event_id=world["kwargs"]["event_id"],
        monitor_id=world["monitor_id"],
        postmortem_id=world["postmortem_id"],
        item_id=world["item_id"],
        version=1,
    )
    headers = {}
    if role != "anonymous":
        _, secret = create_token(username=world["users"][role].username, name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    client = Client()
    call = {"GET": client.get, "POST": client.post, "PATCH": client.patch, "PUT": client.put}[
        method
    ]
    if method == "GET":
        response = call(path, **headers)
    else:
        response = call(path, BODIES.get(operation, {}), content_type="application/json", **headers)
    refused = response.status_code in (401, 403)
    assert (refused, response.status_code < 500) == (
        not access.allowed(access.API[operation], role),
        True,
    )
