"""Raw HTML and scripts written into a post-mortem are never executable anywhere it is shown.

Every page and export that renders a post-mortem is scanned tag by tag: no
script but Hindsight's own static files, no event-handler attribute, no
javascript: link, no svg or iframe, whatever the author, a reviewer or an
incident's responders typed.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.core.model import SectionKind
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import append_event, declare_incident
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import editor_form, part_index, with_section

pytestmark = pytest.mark.django_db

EVIL = (
    '<script>alert("pm")</script> <img src=x onerror=alert(1)> '
    '"><svg onload=alert(2)> [click](javascript:alert(3)) <iframe src="https://evil.test">'
)


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def dangers(html: str) -> list[str]:
    """What in `html` could run code: scripts not from /static/, on* handlers, js: links."""
    parser = Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.found:
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            found.append(f"<script {attrs}>")
        if tag in ("svg", "iframe", "object", "embed"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value}>")
    return found


@pytest.fixture
def evil(an_editor: User, another_editor: User) -> PostMortem:
    """A post-mortem with the payload in its title, sections, timeline, items, names and comments."""
    another_editor.first_name = '<img src=x onerror=alert("name")>'
    another_editor.save()
    incident = declare_incident(title=f"Outage {EVIL}", commander=an_editor)
    append_event(incident=incident, actor_name=EVIL, text=f"Event {EVIL}", is_key=True)
    change_status(incident=incident, status="resolved", actor=an_editor)
    postmortem = PostMortem.objects.get()
    text = postmortem.body.replace("# Post-mortem:", f"# {EVIL} Post-mortem:")
    for kind in (SectionKind.SUMMARY, SectionKind.ROOT_CAUSE, SectionKind.IMPROVEMENTS):
        text = with_section(text, kind, f"Improve things. {EVIL}\n\n- Be more careful. {EVIL}")
    items = "| Action | Owner | Due |\n| --- | --- | --- |\n" + f"| Fix {EVIL} | {EVIL} | soon |"
    text = with_section(text, SectionKind.ACTION_ITEMS, items)
    postmortem = services.save_body(
        postmortem=postmortem, body=text, author=another_editor, expected_version=1
    )
    services.add_comment(postmortem=postmortem, section=EVIL, text=EVIL, author=another_editor)
    return postmortem


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/postmortems/",
        "/postmortems/?q=outage",
        "/postmortems/due/",
        "/postmortems/{pk}/",
        "/postmortems/{pk}/revisions/",
        "/postmortems/{pk}/diff/?from=1&to=2",
        "/incidents/{incident}/",
    ],
)
@pytest.mark.parametrize("who", ["an_editor", "the_viewer"])
def test_no_page_carries_runnable_markup(
    evil: PostMortem, path: str, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    page = _client(user).get(path.format(pk=evil.pk, incident=evil.incident_id))
    assert (page.status_code, dangers(page.content.decode())) == (200, [])


def test_the_live_review_and_preview_carry_no_runnable_markup(
    evil: PostMortem, an_editor: User
) -> None:
    client = _client(an_editor)
    form = editor_form(evil.body, evil.version)
    review = client.post(f"/postmortems/{evil.pk}/review/", form).content.decode()
    index = part_index(evil.body, SectionKind.SUMMARY)
    preview = client.post(
        f"/postmortems/{evil.pk}/preview/", {f"part-{index}-body": EVIL}
    ).content.decode()
    assert ("action-item-incomplete" in review, dangers(review), dangers(preview)) == (True, [], [])


def test_the_conflict_view_carries_no_runnable_markup(evil: PostMortem, an_editor: User) -> None:
    form = editor_form(evil.body, 1)  # based on the version before the payload was saved
    form[f"part-{part_index(evil.body, SectionKind.SUMMARY)}-body"] = EVIL
    answer = _client(an_editor).post(f"/postmortems/{evil.pk}/save/", form)
    assert (answer.status_code, dangers(answer.content.decode())) == (409, [])


@pytest.mark.parametrize("audience", ["full", "summary", "public"])
def test_the_html_export_carries_no_runnable_markup(
    evil: PostMortem, the_viewer: User, audience: str
) -> None:
    answer = _client(the_viewer).get(f"/postmortems/{evil.pk}/export.html?audience={audience}")
    assert (answer.status_code, dangers(answer.content.decode())) == (200, [])


@pytest.mark.parametrize("audience", ["full", "summary", "public"])
def test_the_json_exports_html_carries_no_runnable_markup(
    evil: PostMortem, the_viewer: User, audience: str
) -> None:
    data: dict[str, Any] = json.loads(
        _client(the_viewer).get(f"/postmortems/{evil.pk}/export.json?audience={audience}").content
    )
    assert [d for section in data["sections"] for d in dangers(section["html"])] == []


def test_the_markdown_export_is_a_download_browsers_do_not_render(
    evil: PostMortem, the_viewer: User
) -> None:
    answer = _client(the_viewer).get(f"/postmortems/{evil.pk}/export.md")
    assert (
        answer["Content-Type"],
        answer["X-Content-Type-Options"],
        answer["Content-Disposition"].split(";")[0],
    ) == ("text/markdown; charset=utf-8", "nosniff", "attachment")


def test_the_scan_finds_the_payload_when_it_is_not_escaped() -> None:
    assert (
        len(dangers(EVIL.replace("[click](javascript:alert(3))", '<a href="javascript:x">'))) == 6
    )
