"""Resolving drafts a post-mortem from the one template, with the facts, key events and due times."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.config import ConfigError
from hindsight.core.model import SectionKind
from hindsight.core.outline import PRACTICE
from hindsight.core.parser import parse
from hindsight.core.review import review
from hindsight.incidents.lifecycle import acknowledge, change_status
from hindsight.incidents.models import EventKind, Incident
from hindsight.incidents.services import append_event, declare_incident
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.policy import Due, parse_policy

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Findings about what only people can write: the analysis, what went well and what to
# improve, the action items, and a text that is still short because of that.
ONLY_A_PERSON = {
    "document-length",
    "went-well-missing",
    "improvements-missing",
    "action-items-none",
    "root-cause-single-factor",
    "root-cause-technical-only",
    "five-whys-shallow",
}
PERSON_SECTIONS = {
    "Root cause analysis",
    "What went well",
    "What could be improved",
    "Action items",
}


def _front_matter(body: str) -> dict[str, object]:
    _, header, _ = body.split("---\n", 2)
    return yaml.safe_load(header)  # type: ignore[no-any-return]


@pytest.fixture
def resolved(an_editor: User, a_responder: User) -> Incident:
    """A SEV2 on Checkout API: detected after 4 min, a key rollback, resolved after 65 min."""
    checkout = Service.objects.create(name="Checkout API", slug="checkout-api")
    incident = declare_incident(
        title="Checkout 502s",
        severity="SEV2",
        services=[checkout],
        commander=an_editor,
        started_at=START,
        detected_at=START + timedelta(minutes=4),
        customer_impact="About 1,900 customers could not pay.",
    )
    append_event(
        incident=incident,
        actor=a_responder,
        occurred_at=START + timedelta(minutes=20),
        is_key=True,
        text="Rolled back\nrelease 42",
    )
    acknowledge(incident=incident, actor=an_editor, at=START + timedelta(minutes=31))
    change_status(
        incident=incident, status="monitoring", actor=an_editor, at=START + timedelta(minutes=31)
    )
    change_status(
        incident=incident, status="resolved", actor=an_editor, at=START + timedelta(minutes=65)
    )
    return incident


@pytest.mark.django_db
def test_it_fills_the_front_matter_from_the_incident(resolved: Incident) -> None:
    body = PostMortem.objects.get(incident=resolved).body
    assert _front_matter(body) == {
        "title": "Post-mortem: Checkout 502s",
        "incident": resolved.pk,
        "severity": "SEV2",
        "status": "draft",
        "services": ["checkout-api"],
        "authors": ["ed-editor"],
        "started": dt.datetime(2026, 3, 1, 9, 0),
        "detected": dt.datetime(2026, 3, 1, 9, 4),
        "resolved": dt.datetime(2026, 3, 1, 10, 5),
        "written": None,
        "review_date": dt.date(2026, 3, 31),
    }


@pytest.mark.django_db
def test_it_has_the_six_sections_in_the_practices_order(resolved: Incident) -> None:
    document = parse(PostMortem.objects.get(incident=resolved).body)
    assert tuple(s.kind for s in document.sections) == PRACTICE


@pytest.mark.django_db
def test_it_opens_the_summary_with_what_is_known_in_plain_sentences(resolved: Incident) -> None:
    document = parse(PostMortem.objects.get(incident=resolved).body)
    opening = document.find(SectionKind.SUMMARY)[0].blocks[1].text
    assert opening == (
        "On 2026-03-01 at 09:00 UTC, Checkout API was affected. It was detected 4 min later "
        "and resolved after 1 h 05 min. Customers felt it for 31 min. About 1,900 customers "
        "could not pay."
    )


@pytest.mark.django_db
def test_it_lists_the_incident_durations_and_people_under_the_summary(resolved: Incident) -> None:
    document = parse(PostMortem.objects.get(incident=resolved).body)
    facts = document.find(SectionKind.SUMMARY)[0].blocks[2].text.split("\n")
    assert facts == [
        f"- **Incident:** #{resolved.pk}, SEV2 (severity 2 of 4; 1 is the worst)",
        "- **Time to detect:** 4 min; **to acknowledge:** 27 min; **to mitigate:** 31 min; "
        "**to resolve:** 1 h 05 min",
        "- **People:** ed-editor, rita-responder",
    ]


@pytest.mark.django_db
def test_it_lists_the_key_events_with_who_acted(resolved: Incident) -> None:
    document = parse(PostMortem.objects.get(incident=resolved).body)
    rows = [(f"{e.clock:%H:%M}", e.actor, e.text) for e in document.timeline()][:5]
    assert rows == [
        ("09:04", "Hindsight", "Incident declared as SEV2 affecting Checkout API"),
        ("09:20", "rita-responder", "Rolled back release 42"),
        ("09:31", "ed-editor", "Acknowledged by ed-editor"),
        ("09:31", "ed-editor", "Status: investigating → monitoring"),
        ("10:05", "ed-editor", "Status: monitoring → resolved"),
    ]


@pytest.mark.django_db
def test_it_closes_the_timeline_with_the_draft_and_its_deadline(resolved: Incident) -> None:
    last = parse(PostMortem.objects.get(incident=resolved).body).timeline()[-1]
    assert last.text == (
        "Incident resolved; post-mortem draft created, to be written by 2026-03-03 10:05 UTC"
    )


@pytest.mark.django_db
def test_it_never_includes_hidden_events(an_editor: User) -> None:
    incident = declare_incident(title="Noisy", started_at=START)
    event, _ = append_event(incident=incident, text="Paged the wrong team", is_key=True)
    event.hidden = True
    event.save()
    change_status(incident=incident, status="resolved", actor=an_editor)
    assert "Paged the wrong team" not in PostMortem.objects.get(incident=incident).body


@pytest.mark.django_db
def test_it_passes_its_own_reviewer_apart_from_what_only_a_person_can_write(
    resolved: Incident,
) -> None:
    report = review(parse(PostMortem.objects.get(incident=resolved).body))
    empty = {f.message.split('"')[1] for f in report.findings if f.rule == "empty-section"}
    others = {f.rule for f in report.findings if f.rule != "empty-section"}
    assert (empty <= PERSON_SECTIONS, others - ONLY_A_PERSON) == (True, set())


@pytest.mark.django_db
def test_it_stores_the_score_and_the_first_revision(resolved: Incident) -> None:
    postmortem = PostMortem.objects.get(incident=resolved)
    first = postmortem.revisions.get()
    expected = review(parse(postmortem.body)).score
    assert (postmortem.quality_score, first.version, first.score) == (expected, 1, expected)


@pytest.mark.django_db
def test_it_records_the_draft_and_its_deadline_on_the_timeline(resolved: Incident) -> None:
    recorded = resolved.events.get(kind=EventKind.POSTMORTEM).text
    assert recorded == "Post-mortem draft created: written by 2026-03-03 10:05 UTC"


@pytest.mark.django_db
def test_it_is_due_48_hours_after_resolving_a_sev2(resolved: Incident) -> None:
    postmortem = PostMortem.objects.get(incident=resolved)
    assert (postmortem.due_at, postmortem.debrief_due_at) == (
        START + timedelta(minutes=65, hours=48),
        None,
    )


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
def test_the_due_tab_shows_overdue_and_due_soon(the_viewer: User) -> None:
    now = timezone.now()
    old = declare_incident(title="Old outage", severity="SEV1", started_at=now - timedelta(days=3))
    change_status(incident=old, status="resolved", at=now - timedelta(days=2))
    fresh = declare_incident(title="Fresh blip", severity="SEV3")
    change_status(incident=fresh, status="resolved")
    secret = declare_incident(title="Secret thing", restricted=True)
    change_status(incident=secret, status="resolved")
    client = Client()
    client.force_login(the_viewer)
    page = client.get("/postmortems/due/").content.decode()
    overdue = page.split('id="overdue"')[1].split('id="due-soon"')[0]
    soon = page.split('id="due-soon"')[1].split('id="later"')[0]
    assert ("Post-mortem: Old outage" in overdue, "Debrief by" in overdue) == (True, True)
    assert ("Post-mortem: Fresh blip" in soon, "Secret thing" in page) == (True, False)
