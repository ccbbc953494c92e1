"""A restricted incident leaks nowhere: not one word of it reaches someone who may
not open it — through any page the permission table lets them read (search,
similar incidents, insights charts and CSVs, post-mortem exports, the public
status page and its feeds and JSON), any API read, or the status-page snapshot.

The incident was public first (status updates, a published post-mortem, a
snapshot written), then restricted: the hardest case. Every text of it holds
the word "quokka", which nothing else holds; editors see it (the control).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from hindsight import access
from hindsight.accounts.models import Role, User
from hindsight.accounts.services import create_token
from hindsight.actions.models import ActionItem
from hindsight.catalog.models import Component, Service
from hindsight.core import diagrams
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.models import Incident
from hindsight.incidents.services import append_event, declare_incident
from hindsight.insights import rollup, tables
from hindsight.integrations.models import ChatImport
from hindsight.integrations.services import create_integration
from hindsight.monitors import services as monitor_services
from hindsight.monitors.models import Monitor
from hindsight.postmortems.models import PostMortem, PostMortemComment
from hindsight.postmortems.workflow_views import FORMATS
from hindsight.statuspage import snapshot, v2
from hindsight.statuspage.models import StatusPage, Subscriber
from hindsight.statuspage.services import post_update
from tests.security.support import patterns

MARK = "quokka"
# Words of the restricted incident a search would find it by (and the public one lacks).
SEARCH = "leaked credentials"
READERS = ("anonymous", "viewer", "responder")


def _incident_with_everything(
    title: str, words: str, *, service: Service, component: Component, editor: User
) -> tuple[Incident, PostMortem]:
    incident = declare_incident(
        title=title, severity="SEV2", services=[service], summary=words, declared_by=editor
    )
    append_event(incident=incident, text=f"Noted: {words}", actor=editor)
    post_update(
        incident=incident,
        status="investigating",
        message=f"Investigating: {words}",
        components={component: "major_outage"},
    )
    change_status(incident=incident, status="resolved", actor=editor)
    postmortem = PostMortem.objects.get(incident=incident)
    PostMortem.objects.filter(pk=postmortem.pk).update(
        status="published", public_body=f"# What happened\n\n{words}\n"
    )
    ActionItem.objects.create(incident=incident, postmortem=postmortem, title=f"Fix: {words}")
    PostMortemComment.objects.create(
        postmortem=postmortem, section="Summary", text=words, version=1
    )
    return incident, PostMortem.objects.get(pk=postmortem.pk)


@pytest.fixture
def world(
    db: None, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    settings.DATA_DIR = tmp_path
    users = {
        role: User.objects.create_user(username=f"u-{role}", password="pw-long-enough", role=role)
        for role in (Role.VIEWER, Role.RESPONDER, Role.EDITOR)
    }
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    component = Component.objects.create(name="Payments", service=checkout)
    page = StatusPage.objects.create(slug="main", title="Acme", is_default=True)
    page.components.add(component)
    common = {"service": checkout, "component": component, "editor": users["editor"]}
    public, public_pm = _incident_with_everything(
        "Checkout down", "Card payments failed at checkout", **common
    )
    secret, secret_pm = _incident_with_everything(
        "Quokka breach at checkout",
        f"Quokka {SEARCH} from checkout; card payments failed at checkout",
        **common,
    )
    snapshot.publish_all()  # the snapshot holds the secret incident while it is public
    with django_capture_on_commit_callbacks(execute=True):
        secret.restricted = True
        secret.save(update_fields=["restricted"])
    snapshot.publish_all()
    rollup.refresh()  # the insights dashboards' stored figures
    monitor = monitor_services.save_monitor(
        monitor=Monitor(name="web", target="http://127.0.0.1:9/", service=checkout)
    )
    integration, token = create_integration(name="alerts", kind="generic")
    subscriber = Subscriber.objects.create(page=page, kind="email", email="a@example.com")
    shared = {
        "slug": "main",
        "token": subscriber.confirm_token,
        "monitors:": monitor.pk,
        "integrations:": integration.pk,
    }
    return {
        "users": users,
        "data_dir": tmp_path,
        "secret": secret,
        "variants": {
            incident: {
                **shared,
                "incidents:": incident.pk,
                "chat:": incident.pk,
                "import_id": ChatImport.objects.create(
                    incident=incident, filename=f"{incident.title}.zip"
                ).pk,
                "statuspage:": incident.pk,
                "postmortems:": pm.pk,
                "actions:": pm.action_items.get().pk,
                "event_id": incident.events.first().pk,  # type: ignore[union-attr]
                "comment_id": pm.comments.get().pk,
                "month": f"{incident.started_at:%Y-%m}",
            }
            for incident, pm in ((public, public_pm), (secret, secret_pm))
        },
    }


def _expansions(name: str, pattern: URLPattern, given: dict[str, Any]) -> list[str]:
    """Every URL of the pattern for these objects (each table, document and format)."""
    wanted = set(pattern.pattern.regex.groupindex)
    kwargs: dict[str, Any] = {k: v for k, v in given.items() if k in wanted}
    if "pk" in wanted:
        kwargs["pk"] = next(v for prefix, v in given.items() if name.startswith(prefix))
    choices: list[dict[str, Any]] = [kwargs]
    for key, values in (
        ("table", list(tables.BUILDERS)),
        ("fmt", [f for f in FORMATS if f != "pdf"]),  # PDFs: same page as html
        ("name", ["summary.json", "incidents.json", "incidents/unresolved.json"]),
        ("kind", list(diagrams.KINDS)),
    ):
        if key in wanted:
            choices = [{**c, key: v} for c in choices for v in values]
    return [reverse(name, kwargs=c) + f"?q={SEARCH}&audience=public" for c in choices]


def _readable(role: str) -> list[tuple[str, URLPattern]]:
    return [
        (name, pattern)
        for name, pattern in patterns(get_resolver().url_patterns)
        if name in access.PAGES  # API operations: test_no_api_read_shows_a_restricted_incident
        and name != "admin:*"
        and access.allowed(access.PAGES[name].read, role)
    ]


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _pages_showing_the_mark(world: dict[str, Any], role: str) -> dict[str, int]:
    client = _client(world, role)
    found = {}
    for name, pattern in _readable(role):
        for variant in world["variants"].values():
            for url in _expansions(name, pattern, variant):
                response = client.get(url)
                if MARK in response.content.decode(errors="replace").lower():
                    found[url] = response.status_code
    return found


@pytest.mark.parametrize("role", READERS)
def test_no_page_shows_a_restricted_incident_to_someone_who_may_not_open_it(
    world: dict[str, Any], role: str
) -> None:
    assert _pages_showing_the_mark(world, role) == {}


def test_an_editor_finds_the_restricted_incident_in_search_and_similar_incidents(
    world: dict[str, Any],
) -> None:
    client = _client(world, "editor")
    public = next(iter(world["variants"].values()))
    pages = [f"/search/?q={SEARCH}", f"/incidents/{public['incidents:']}/"]
    assert [MARK in client.get(url).content.decode().lower() for url in pages] == [True, True]


@pytest.mark.parametrize("role", ["viewer", "responder"])
def test_every_page_of_the_restricted_incident_is_not_found(
    world: dict[str, Any], role: str
) -> None:
    client = _client(world, role)
    secret = world["variants"][world["secret"]]
    statuses = {
        url: client.get(url).status_code
        for name, pattern in _readable(role)
        if name.startswith(("incidents:", "postmortems:", "actions:", "chat:"))
        and set(pattern.pattern.regex.groupindex)
        for url in _expansions(name, pattern, secret)
    }
    assert {url: s for url, s in statuses.items() if s != 404} == {}


def _api_reads(world: dict[str, Any], variant: dict[str, Any]) -> list[str]:
    return [
        path.format(
            incident_id=variant["incidents:"],
            postmortem_id=variant["postmortems:"],
            monitor_id=variant["monitors:"],
            item_id=variant["actions:"],
            event_id=variant["event_id"],
            version=1,
        )
        + f"?q={SEARCH}"
        for path in (op.split(" ", 1)[1] for op in access.API if op.startswith("GET "))
    ]


@pytest.mark.parametrize("role", ["viewer", "responder"])
def test_no_api_read_shows_a_restricted_incident(world: dict[str, Any], role: str) -> None:
    _, secret = create_token(username=world["users"][role].username, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    found = {}
    for variant in world["variants"].values():
        for url in _api_reads(world, variant):
            response = client.get(url)
            if MARK in response.content.decode().lower():
                found[url] = response.status_code
    assert found == {}


def test_the_status_page_snapshot_holds_nothing_of_a_restricted_incident(
    world: dict[str, Any],
) -> None:
    root = world["data_dir"] / "statuspage"
    files = [p for p in root.rglob("*") if p.is_file()]
    showing = [p.relative_to(root).as_posix() for p in files if MARK in p.read_text().lower()]
    assert (len(files) > 10, showing) == (True, [])


def test_the_v2_json_of_every_page_leaves_a_restricted_incident_out(
    world: dict[str, Any],
) -> None:
    documents = v2.Documents(StatusPage.objects.get()).all()
    assert [name for name, doc in documents.items() if MARK in str(doc).lower()] == []
