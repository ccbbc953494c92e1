"""Every field people write × every payload of the XSS corpus, through every place
that shows the field: pages, feeds, post-mortem exports (HTML, PDF, Markdown as the
reviewer renders it) and emails.

Each case writes one payload into one field (after the word ``xssmark``) and
checks each surface the field is shown on: the payload became no live markup
(no script, handler, ``javascript:`` link, foreign tag, evaluated template; in a
PDF no script, launch or ``javascript:`` link), and the field *is* shown there —
``xssmark`` is in the text — so a surface that stopped showing it cannot pass
silently. ``test_xss_corpus.py`` adds every field at once on every page.
"""

from __future__ import annotations

import email
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.policy import default
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import Role, User
from hindsight.actions.models import ActionItem
from hindsight.catalog.models import Component, Service
from hindsight.core.html import markdown_to_html
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import append_event, declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.services import create_integration
from hindsight.monitors import services as monitor_services
from hindsight.monitors.models import MaintenanceWindow, Monitor
from hindsight.outbox.services import deliver_due
from hindsight.postmortems import printing
from hindsight.postmortems.models import PostMortem, PostMortemComment
from hindsight.postmortems.services import save_body
from hindsight.statuspage.models import StatusPage, Subscriber
from hindsight.statuspage.services import post_update, schedule_maintenance
from tests.security.xss import PAYLOADS, dangers, pdf_dangers

MARK = "xssmark"
Texts = dict[str, str]

# Field -> the surfaces that show it. Surfaces are page URLs (with {incident},
# {event}, {monitor}, {postmortem}, {action}), the feeds, the exports and "email".
INCIDENT_PAGES = ("/incidents/", "/incidents/{incident}/")
STATUS_PAGES = ("/status/", "/status/incidents/{incident}/")
FEEDS = ("/status/history.atom", "/status/history.rss")
# Search snippets mark the words found: the payload's own words too.
SEARCH = (
    f"/search/?q={MARK}",
    f"/search/?q={MARK}+OR+script+OR+onerror+OR+alert+OR+href+OR+lt+OR+quot",
)
EXPORTS = ("export.html", "export.md", "export.pdf")
FIELDS: dict[str, tuple[str, ...]] = {
    "incident.title": (*INCIDENT_PAGES, *STATUS_PAGES, *FEEDS, *SEARCH, "email"),
    "incident.summary": ("/incidents/{incident}/", *SEARCH),
    "incident.customer_impact": ("/incidents/{incident}/",),
    "event.text": ("/incidents/{incident}/", "/incidents/{incident}/events/{event}/", *SEARCH),
    "event.actor_name": ("/incidents/{incident}/",),
    "update.message": ("/status/incidents/{incident}/", *FEEDS, "/incidents/{incident}/", "email"),
    "service.name": ("/incidents/{incident}/", "/monitors/{monitor}/"),
    "component.name": ("/status/", "/statuspage/"),
    "component.group": ("/status/",),
    "page.title": ("/status/", *FEEDS),
    "page.logo_text": ("/status/",),
    "page.custom_css": ("/status/",),
    "page.link_label": ("/status/",),
    "maintenance.title": ("/status/", "email"),
    "maintenance.body": ("/status/", "email"),
    "monitor.name": ("/monitors/", "/monitors/{monitor}/", "/monitors/{monitor}/edit/"),
    "window.reason": ("/monitors/{monitor}/",),
    "integration.name": ("/integrations/",),
    "user.first_name": ("/incidents/{incident}/", "/postmortems/{postmortem}/"),
    "postmortem.body": ("/postmortems/{postmortem}/", *EXPORTS, *SEARCH),
    "postmortem.public_body": ("/status/incidents/{incident}/",),
    "comment.text": ("/postmortems/{postmortem}/",),
    "action.title": ("/actions/", "/actions/{action}/", *SEARCH),
    "action.description": ("/actions/{action}/",),
    "action.verification_note": ("/actions/{action}/",),
    "diagram.text": (
        "/postmortems/{postmortem}/diagram/whys.svg",
        "/postmortems/{postmortem}/",
        "export.html",
    ),
}


def build(texts: Texts) -> dict[str, Any]:
    """A small world whose field ``texts`` names holds the given text; plain words elsewhere."""

    def text(field: str, plain: str, limit: int = 10_000) -> str:
        return texts.get(field, plain)[:limit]

    admin = User.objects.create_user(
        username="xss-admin",
        password="pw-long-enough",
        role=Role.ADMIN,
        first_name=text("user.first_name", "Ada", 150),
    )
    service = Service.objects.create(name=text("service.name", "Checkout", 100), slug="svc")
    page = StatusPage.objects.create(
        slug="main",
        title=text("page.title", "Acme", 200),
        logo_text=text("page.logo_text", "Acme", 60),
        custom_css=text("page.custom_css", ""),
        header_links=[{"label": text("page.link_label", "Docs"), "url": "https://docs.test/"}],
        is_default=True,
    )
    component = Component.objects.create(
        name=text("component.name", "Payments", 100),
        group=text("component.group", "Shop", 50),
        service=service,
    )
    page.components.add(component)
    Subscriber.objects.create(
        page=page, kind="email", email="reader@example.com", confirmed_at=timezone.now()
    )
    NotificationChannel.objects.create(name="mail", kind="email", target="ops@example.com")
    incident = declare_incident(
        title=text("incident.title", "Checkout down", 200),
        severity="SEV2",
        services=[service],
        summary=text("incident.summary", "Card payments failed."),
        customer_impact=text("incident.customer_impact", "Some cards were declined."),
        declared_by=admin,
        commander=admin,
    )
    event, _ = append_event(
        incident=incident,
        text=text("event.text", "Rolled back"),
        actor_name=text("event.actor_name", "Bob", 200),
    )
    post_update(
        incident=incident,
        status="investigating",
        message=text("update.message", "We are looking into it."),
        components={component: "major_outage"},
    )
    schedule_maintenance(
        page=page,
        title=text("maintenance.title", "Database upgrade", 200),
        body=text("maintenance.body", "A short pause."),
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        ends_at=datetime(2030, 1, 1, 1, tzinfo=UTC),
        components=[component],
    )
    monitor = monitor_services.save_monitor(
        monitor=Monitor(
            name=text("monitor.name", "web", 200), target="http://127.0.0.1:9/", service=service
        )
    )
    MaintenanceWindow.objects.create(
        monitor=monitor,
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        ends_at=datetime(2030, 1, 1, 1, tzinfo=UTC),
        reason=text("window.reason", "deploy", 300),
    )
    create_integration(name=text("integration.name", "alerts", 120), kind="generic")
    change_status(incident=incident, status="resolved", actor=admin)
    postmortem = PostMortem.objects.get(incident=incident)
    notes = text("postmortem.body", "Nothing more.")
    cause = text("diagram.text", "The pool was exhausted")
    whys = f"```whys\nproblem: {cause}\nwhy: {cause}\nfactor: {cause}\n```\n"
    postmortem = save_body(
        postmortem=postmortem,
        body=f"{postmortem.body}\n\n## Notes\n\n{notes}\n\n{whys}",
        author=admin,
        expected_version=postmortem.version,
    )
    PostMortem.objects.filter(pk=postmortem.pk).update(
        status="published",
        public_body=f"# What happened\n\n{text('postmortem.public_body', 'A bad deploy.')}\n",
    )
    PostMortemComment.objects.create(
        postmortem=postmortem, section="Summary", text=text("comment.text", "Why?"), version=1
    )
    action = ActionItem.objects.create(
        incident=incident,
        postmortem=postmortem,
        title=text("action.title", "Add an alert", 300),
        description=text("action.description", "Page on 5xx."),
        status="done",
        evidence_kind="note",
        verification_note=text("action.verification_note", "Tested in staging."),
    )
    return {
        "admin": admin,
        "ids": {
            "incident": incident.pk,
            "event": event.pk,
            "monitor": monitor.pk,
            "postmortem": postmortem.pk,
            "action": action.pk,
        },
    }


class Text(HTMLParser):
    """The text a reader sees (scripts and styles included: a payload in them is text too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.extend(v or "" for _, v in attrs)  # form values, titles

    @classmethod
    def of(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.parts


def shown(html: str) -> bool:
    return MARK in " ".join(Text.of(html))


def _feed_html(body: bytes) -> list[str]:
    """What a feed reader renders as HTML: Atom's type="html" elements, RSS descriptions."""
    root = ET.fromstring(body)
    return [
        el.text or "" for el in root.iter() if el.get("type") == "html" or el.tag == "description"
    ]


def _export(client: Client, world: dict[str, Any], fmt: str) -> tuple[list[str], bool]:
    response = client.get(f"/postmortems/{world['ids']['postmortem']}/export.{fmt}")
    assert response.status_code == 200, fmt
    if fmt == "pdf":
        return pdf_dangers(response.content), True  # PDF text is glyphs: not searchable here
    text = response.content.decode()
    if fmt == "md":  # as the reviewer (`hindsight render`) and the workspace render it
        return dangers(markdown_to_html(text)), MARK in text
    return dangers(text), shown(text)


def _emails() -> tuple[list[str], bool]:
    """Every email's plain text and HTML alternative: the payload is text in both."""
    deliver_due()  # notifications and subscriber email: one outbox
    sent = [email.message_from_bytes(m.message().as_bytes(), policy=default) for m in mail.outbox]
    problems: list[str] = []
    texts = []
    for message in sent:
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        texts.append(f"{message['Subject']} {plain.get_content() if plain else ''}")
        if html is not None:
            problems += dangers(html.get_content())
            texts.append(" ".join(Text.of(html.get_content())))
    text = " ".join(texts)
    problems += ["template evaluated"] if "14" + "2026" in text.replace(" ", "") else []
    return problems, MARK in text


def check(surface: str, client: Client, world: dict[str, Any]) -> tuple[list[str], bool]:
    """(what became markup, whether the field is shown) on one surface."""
    if surface == "email":
        return _emails()
    if surface.startswith("export."):
        if surface == "export.pdf" and printing.missing():
            return [], True
        return _export(client, world, surface.split(".", 1)[1])
    response = client.get(surface.format(**world["ids"]))
    assert response.status_code == 200, surface
    if surface in FEEDS:
        found = [d for html in _feed_html(response.content) for d in dangers(html)]
        return found, MARK in response.content.decode()
    page = response.content.decode()
    return dangers(page), shown(page)


CASES = [
    pytest.param(field, payload, id=f"{field}-{n}")
    for field in FIELDS
    for n, payload in enumerate(PAYLOADS, start=1)
]


@pytest.mark.parametrize(("field", "payload"), CASES)
def test_no_payload_becomes_live_markup_where_the_field_is_shown(
    db: None, settings: Any, field: str, payload: str
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build({field: f"{MARK} {payload}"})
    client = Client()
    client.force_login(world["admin"])
    results = {surface: check(surface, client, world) for surface in FIELDS[field]}
    problems = {surface: found for surface, (found, _) in results.items() if found}
    unshown = [surface for surface, (_, seen) in results.items() if not seen]
    assert (problems, unshown) == ({}, [])


def test_the_pdf_check_finds_a_javascript_link() -> None:
    if printing.missing():
        pytest.skip(printing.missing())
    pdf = printing.pdf_from_html('<a href="javascript:alert(1)">x</a>')
    assert pdf_dangers(pdf) == ["javascript: link"]


def test_the_page_check_finds_each_kind_of_live_markup() -> None:
    html = (
        "<script>x</script><p onclick=x>y</p><a href=' javascript:x'>z</a>"
        "<xss>4</xss><img src=x><p>14 2026</p>"
    )
    assert len(dangers(html)) == 6
