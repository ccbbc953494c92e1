"""The XSS payload corpus through every field people write, on every page that shows it,
in the feeds, the exports and the emails.

Each page is parsed as HTML (feeds: each entry's HTML content too) and must hold
no element, attribute or URL a payload tried to smuggle in: no <script> of ours
or theirs, no on* handler, no javascript: link, no <xss> tag.
"""

from __future__ import annotations

import email
import xml.etree.ElementTree as ET
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from hindsight import access
from hindsight.accounts.models import Role, User
from hindsight.catalog.models import Component, Service
from hindsight.cli import _register, app
from hindsight.incidents import lifecycle
from hindsight.incidents.services import append_event, declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.services import create_integration
from hindsight.monitors import services as monitor_services
from hindsight.monitors.config_yaml import export_monitors
from hindsight.monitors.models import MaintenanceWindow, Monitor
from hindsight.outbox.services import deliver_due
from hindsight.statuspage.models import ScheduledMaintenance, StatusPage, Subscriber
from hindsight.statuspage.services import post_update

# Payloads for HTML text, attributes, URLs and templates.
PAYLOADS = (
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "<xss>4</xss>",
    "javascript:alert(5)",
    '</textarea><a href="javascript:alert(6)">x</a>',
    "{{ 7|add:7 }}{% now 'Y' %}",
    "<iframe srcdoc='<script>alert(8)</script>'>",
)
EVIL = " ".join(PAYLOADS)


class Dangers(HTMLParser):
    """Collects what a payload could have turned into."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src") or ""
        ours = tag == "script" and src.startswith(("/static/", "/admin/jsi18n/"))
        if (tag in ("script", "xss", "iframe") and not ours) or (tag == "img" and src == "x"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data: str) -> None:
        if "14" + "2026" in data.replace(" ", ""):  # the template payload evaluated
            self.found.append("template evaluated")


def dangers(html: str) -> list[str]:
    parser = Dangers()
    parser.feed(html)
    return parser.found


@pytest.fixture
def poisoned(db: None, settings: Any) -> dict[str, Any]:
    """Every writable text field holds the whole corpus."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = User.objects.create_user(
        username="xss-admin", password="pw-long-enough", role=Role.ADMIN, first_name=EVIL[:150]
    )
    service = Service.objects.create(name=EVIL[:100], slug="svc")
    page = StatusPage.objects.create(
        slug="main",
        title=EVIL[:200],
        logo_text=EVIL[:60],
        is_default=True,
        header_links=[{"label": EVIL, "url": "javascript:alert(9)"}],
    )
    component = Component.objects.create(name=EVIL[:100], group=EVIL[:50], service=service)
    page.components.add(component)
    incident = declare_incident(
        title=EVIL[:200], severity="SEV2", services=[service], summary=EVIL, declared_by=admin
    )
    append_event(incident=incident, text=EVIL, actor_name=EVIL[:200])
    Subscriber.objects.create(
        page=page, kind="email", email="reader@example.com", confirmed_at=timezone.now()
    )
    post_update(
        incident=incident,
        status="investigating",
        message=EVIL,
        components={component: "major_outage"},
    )
    ScheduledMaintenance.objects.create(
        page=page,
        title=EVIL[:200],
        body=EVIL,
        starts_at="2030-01-01T00:00:00Z",
        ends_at="2030-01-01T01:00:00Z",
    )
    monitor = monitor_services.save_monitor(
        monitor=Monitor(name=EVIL[:200], target="http://127.0.0.1:9/", service=service)
    )
    MaintenanceWindow.objects.create(
        monitor=monitor,
        starts_at="2030-01-01T00:00:00Z",
        ends_at="2030-01-01T01:00:00Z",
        reason=EVIL[:300],
    )
    create_integration(name=EVIL[:120], kind="generic", service=service)
    NotificationChannel.objects.create(name="mail", kind="email", target="ops@example.com")
    lifecycle.change_status(incident=incident, status="resolved", note=EVIL, actor=admin)
    return {"admin": admin, "incident": incident, "monitor": monitor, "page": page}


def _urls(world: dict[str, Any]) -> list[str]:
    pk, monitor = world["incident"].pk, world["monitor"].pk
    event = world["incident"].events.first().pk
    return [
        "/incidents/",
        f"/incidents/{pk}/",
        f"/incidents/{pk}/events/{event}/",
        "/postmortems/",
        "/monitors/",
        f"/monitors/{monitor}/",
        f"/monitors/{monitor}/edit/",
        "/integrations/",
        "/statuspage/",
        f"/statuspage/incidents/{pk}/updates/new/",
        "/status/",
        f"/status/incidents/{pk}/",
        "/status/history/",
        "/status/subscribe/",
        "/status/main/",
        f"/status/main/incidents/{pk}/",
        f"/admin/incidents/incident/{pk}/change/",
        "/admin/incidents/incident/",
        "/admin/monitors/monitor/",
        "/admin/statuspage/statuspage/",
    ]


def test_the_corpus_covers_the_pages_people_read() -> None:
    readable = [n for n, rule in access.PAGES.items() if rule.read in ("viewer", "anonymous")]
    assert len(readable) > 10


def test_no_payload_becomes_markup_on_any_page(poisoned: dict[str, Any]) -> None:
    client = Client()
    client.force_login(poisoned["admin"])
    found = {}
    for url in _urls(poisoned):
        response = client.get(url)
        assert response.status_code == 200, url
        problems = dangers(response.content.decode())
        if problems:
            found[url] = problems
    assert found == {}


@pytest.mark.parametrize("feed", ["/status/history.atom", "/status/history.rss"])
def test_no_payload_becomes_markup_in_the_feeds(poisoned: dict[str, Any], feed: str) -> None:
    body = Client().get(feed).content
    root = ET.fromstring(body)
    # What a feed reader renders as HTML: Atom's type="html" elements, RSS descriptions.
    texts = [
        el.text or "" for el in root.iter() if el.get("type") == "html" or el.tag == "description"
    ]
    assert [d for text in texts for d in dangers(text)] == []


def test_the_json_status_is_served_as_json(poisoned: dict[str, Any]) -> None:
    response = Client().get("/api/v2/summary.json")
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
        "application/json",
        "nosniff",
    )


def test_the_badge_svg_holds_no_payload_markup(poisoned: dict[str, Any]) -> None:
    badge = Client().get("/status/badge.svg").content.decode()
    assert (dangers(badge), "onload" in badge) == ([], False)


def test_emails_carry_the_payload_as_text_and_as_escaped_html(poisoned: dict[str, Any]) -> None:
    deliver_due()  # notifications and subscriber email: one outbox
    sent = [email.message_from_bytes(m.message().as_bytes(), policy=default) for m in mail.outbox]
    kinds = {m.get_content_type() for m in sent}
    html = [m.get_body(preferencelist=("html",)).get_content() for m in sent]  # type: ignore[union-attr]
    assert (kinds, len(sent) >= 2) == ({"multipart/alternative"}, True)
    assert [d for text in html for d in dangers(text)] == []


def test_the_markdown_export_keeps_the_payload_as_text_the_reviewer_reads(
    poisoned: dict[str, Any], tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    runner.invoke(app, ["export", "--markdown", str(tmp_path)], catch_exceptions=False)
    rendered = runner.invoke(
        app,
        ["render", str(next(tmp_path.iterdir())), "--format", "html"],
        catch_exceptions=False,
    )
    assert (rendered.exit_code, dangers(rendered.stdout)) == (0, [])


def test_the_yaml_export_round_trips_the_payload_as_data(poisoned: dict[str, Any]) -> None:
    import yaml

    names = [m["name"] for m in yaml.safe_load(export_monitors())["monitors"]]
    assert names == [EVIL[:200]]
