"""Resolving drafts a post-mortem with the facts, key events and due times from the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.config import ConfigError
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.models import EventKind
from hindsight.incidents.services import append_event, declare_incident
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.policy import Due, parse_policy

SECTIONS = [
    "## Summary",
    "## Timeline",
    "## Root-cause analysis",
    "## What went well",
    "## What could be improved",
    "## Action items",
]


def _front_matter(body: str) -> dict[str, object]:
    _, header, _ = body.split("---\n", 2)
    return yaml.safe_load(header)  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_resolving_writes_a_draft_with_facts_and_key_events(
    an_editor: User, a_responder: User
) -> None:
    checkout = Service.objects.create(name="Checkout API", slug="checkout-api")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    incident = declare_incident(
        title="Checkout 502s",
        severity="SEV2",
        services=[checkout],
        commander=an_editor,
        started_at=start,
        detected_at=start + timedelta(minutes=4),
    )
    append_event(
        incident=incident,
        actor=a_responder,
        occurred_at=start + timedelta(minutes=20),
        is_key=True,
        text="Rolled back\nrelease 42",
    )
    change_status(
        incident=incident, status="monitoring", actor=an_editor, at=start + timedelta(minutes=31)
    )
    change_status(
        incident=incident, status="resolved", actor=an_editor, at=start + timedelta(minutes=65)
    )
    postmortem = PostMortem.objects.get(incident=incident)
    body = postmortem.body
    assert _front_matter(body) == {
        "title": "Post-mortem: Checkout 502s",
        "incident": incident.pk,
        "severity": "SEV2",
        "status": "draft",
        "services": ["checkout-api"],
        "authors": ["ed-editor"],
        "started": "2026-03-01T09:00:00Z",
        "detected": "2026-03-01T09:04:00Z",
        "resolved": "2026-03-01T10:05:00Z",
        "written": None,
        "review_date": "2026-03-31",
    }
    assert [line for line in body.splitlines() if line.startswith("## ")] == SECTIONS
    assert "- 2026-03-01 09:20 UTC — rita-responder: Rolled back release 42" in body
    assert "- 2026-03-01 10:05 UTC — ed-editor: Status: monitoring → resolved" in body
    assert (
        "- 2026-03-01 09:04 UTC — Hindsight: Incident declared as SEV2 affecting Checkout API"
        in body
    )
    assert "**Time to detect:** 4 min" in body
    assert "**to resolve:** 1 h 05 min" in body
    assert "**Customer-facing duration:** 31 min" in body
    assert "**Participants:** ed-editor, rita-responder" in body
    root_cause = body.split("## Root-cause analysis")[1].split("## What went well")[0]
    assert root_cause.strip().startswith("<!--") and "Blameless" in root_cause
    assert postmortem.due_at == start + timedelta(minutes=65, hours=48)
    assert postmortem.debrief_due_at is None
    recorded = incident.events.get(kind=EventKind.POSTMORTEM).text
    assert recorded == "Post-mortem draft created: written by 2026-03-03 10:05 UTC"


@pytest.mark.django_db
def test_sev1_gets_a_debrief_and_a_week(an_editor: User) -> None:
    incident = declare_incident(title="Everything down", severity="SEV1")
    change_status(incident=incident, status="resolved", actor=an_editor)
    incident.refresh_from_db()
    postmortem = incident.postmortem
    assert postmortem.debrief_due_at == incident.resolved_at + timedelta(hours=24)
    assert postmortem.due_at == incident.resolved_at + timedelta(days=7)


@pytest.mark.django_db
def test_reopen_and_resolve_again_keeps_the_first_draft(an_editor: User) -> None:
    incident = declare_incident(title="Flappy")
    change_status(incident=incident, status="resolved")
    first = PostMortem.objects.get()
    change_status(incident=incident, status="investigating")
    change_status(incident=incident, status="resolved")
    assert PostMortem.objects.get().pk == first.pk


@pytest.mark.django_db
def test_the_policy_is_configurable(settings, an_editor: User) -> None:  # type: ignore[no-untyped-def]
    settings.POSTMORTEM_DUE = parse_policy("SEV3=12h")
    incident = declare_incident(title="Minor", severity="SEV3")
    change_status(incident=incident, status="resolved")
    incident.refresh_from_db()
    assert incident.postmortem.due_at == incident.resolved_at + timedelta(hours=12)


def test_policy_parsing_and_errors() -> None:
    policy = parse_policy("SEV1=2h/3d, sev4=30m")
    assert policy["SEV1"] == Due(review=timedelta(days=3), debrief=timedelta(hours=2))
    assert policy["SEV4"] == Due(review=timedelta(minutes=30))
    assert policy["SEV2"] == Due(review=timedelta(hours=48))
    for bad, message in [
        ("SEV9=1h", "expected entries like SEV1=24h/7d"),
        ("SEV1=soon", "'soon' in 'SEV1=soon' is not a duration"),
        ("SEV1=7d/1d", "the debrief comes after the review"),
        ("SEV1=1h/2h/3h", "at most 'debrief/review'"),
    ]:
        with pytest.raises(ConfigError, match=f"HINDSIGHT_POSTMORTEM_DUE: .*{message}"):
            parse_policy(bad)


@pytest.mark.django_db
def test_the_due_list_shows_overdue_and_due_soon(the_viewer: User) -> None:
    now = timezone.now()
    old = declare_incident(title="Old outage", severity="SEV1", started_at=now - timedelta(days=3))
    change_status(incident=old, status="resolved", at=now - timedelta(days=2))
    fresh = declare_incident(title="Fresh blip", severity="SEV3")
    change_status(incident=fresh, status="resolved")
    secret = declare_incident(title="Secret thing", restricted=True)
    change_status(incident=secret, status="resolved")
    client = Client()
    client.login(username=the_viewer.username, password="pw-" + the_viewer.username)
    page = client.get("/postmortems/").content.decode()
    overdue = page.split('id="overdue"')[1].split('id="due-soon"')[0]
    soon = page.split('id="due-soon"')[1].split('id="later"')[0]
    assert "Post-mortem: Old outage" in overdue
    assert "Debrief by" in overdue
    assert "Post-mortem: Fresh blip" in soon
    assert "Secret thing" not in page
    assert 'href="/postmortems/"' in page


@pytest.mark.django_db
def test_the_reviewer_reads_the_drafts_facts_and_timeline(an_editor: User) -> None:
    from hindsight.core.model import SectionKind
    from hindsight.core.parser import parse

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    incident = declare_incident(title="Queue stuck", started_at=start, detected_at=start)
    append_event(
        incident=incident,
        actor=an_editor,
        occurred_at=start + timedelta(minutes=9),
        is_key=True,
        text="Drained the queue",
    )
    change_status(
        incident=incident, status="resolved", actor=an_editor, at=start + timedelta(minutes=30)
    )
    document = parse(incident.postmortem.body)
    assert document.meta["severity"] == "SEV3"
    timeline = next(s for s in document.sections if s.kind == SectionKind.TIMELINE)
    # The bullet form "— actor: text" reaches the reviewer as the entry's text.
    assert [(e.clock.strftime("%H:%M"), e.text) for e in timeline.entries] == [  # type: ignore[union-attr]
        ("09:00", "Hindsight: Incident declared as SEV3"),
        ("09:09", "ed-editor: Drained the queue"),
        ("09:30", "ed-editor: Status: investigating → resolved"),
    ]
    kinds = {s.kind for s in document.sections}
    assert {
        SectionKind.SUMMARY,
        SectionKind.WENT_WELL,
        SectionKind.IMPROVEMENTS,
        SectionKind.ACTION_ITEMS,
    } <= kinds


@pytest.mark.django_db
def test_the_reviewer_recognises_every_section_of_a_generated_draft(an_editor: User) -> None:
    from hindsight.core.parser import parse
    from hindsight.core.review import review

    incident = declare_incident(title="Checkout errors", severity="SEV2")
    append_event(incident=incident, text="Rolled back the deploy", is_key=True, actor_name="Sam")
    change_status(incident=incident, status="resolved", actor=an_editor)
    draft = PostMortem.objects.get(incident=incident)
    report = review(parse(draft.body))
    rules = {finding.rule for finding in report.findings}
    # A draft is unwritten, so empty sections are expected, but none may be missing.
    assert "not-a-postmortem" not in rules
    assert [f.line for f in report.findings if f.rule == "missing-section"] == []
    assert "empty-section" in rules  # the analysis is still to be written
