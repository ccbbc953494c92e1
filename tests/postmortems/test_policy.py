"""Which resolved incidents get a post-mortem by themselves (HINDSIGHT_POSTMORTEM_REQUIRED)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hindsight.config import ConfigError
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import declare_incident, open_or_attach
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.policy import needs_postmortem, parse_required

REQUIRED = frozenset({"SEV1", "SEV2"})
SHORT = timedelta(minutes=10)


def test_a_sev3_needs_none_by_default() -> None:
    assert needs_postmortem(
        severity="SEV3",
        automatic=False,
        duration=timedelta(hours=1),
        required=REQUIRED,
        short=SHORT,
    ) == (False, "the policy requires one for SEV1, SEV2, this is SEV3")


def test_a_short_automatic_sev2_needs_none() -> None:
    assert needs_postmortem(
        severity="SEV2",
        automatic=True,
        duration=timedelta(minutes=4),
        required=REQUIRED,
        short=SHORT,
    ) == (False, "it was opened automatically and lasted under 10 min")


def test_a_short_sev2_a_person_declared_needs_one() -> None:
    assert needs_postmortem(
        severity="SEV2",
        automatic=False,
        duration=timedelta(minutes=4),
        required=REQUIRED,
        short=SHORT,
    ) == (True, "")


def test_an_unknown_severity_in_the_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="SEV5 is not a severity"):
        parse_required("SEV1,SEV5")


@pytest.mark.django_db
def test_resolving_a_short_monitor_incident_drafts_nothing_and_says_why(settings) -> None:
    settings.POSTMORTEM_REQUIRED = REQUIRED
    settings.POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES = 10
    incident, _ = open_or_attach(
        service=None,
        fingerprint="monitor:1",
        title="web: is down",
        severity="SEV2",
        source="monitor",
        text="down",
    )
    change_status(incident=incident, status="resolved")
    assert not PostMortem.objects.filter(incident=incident).exists()
    assert incident.events.filter(
        text__startswith="No post-mortem drafted: it was opened automatically"
    ).exists()


@pytest.mark.django_db
def test_resolving_a_sev1_drafts_one(settings) -> None:
    settings.POSTMORTEM_REQUIRED = REQUIRED
    incident = declare_incident(title="Everything is down", severity="SEV1")
    change_status(incident=incident, status="resolved")
    assert PostMortem.objects.filter(incident=incident).exists()


@pytest.mark.django_db
def test_participants_come_only_from_inside_the_incident_window() -> None:
    from django.utils import timezone

    from hindsight.incidents.services import append_event
    from hindsight.postmortems.drafting import participants

    start = timezone.now() - timedelta(hours=2)
    incident = declare_incident(title="Search down", started_at=start)
    append_event(
        incident=incident,
        text="lunch?",
        kind="chat_message",
        source="slack",
        actor_name="Off-topic Olga",
        occurred_at=start - timedelta(hours=3),
    )
    append_event(
        incident=incident,
        text="rolling back",
        kind="chat_message",
        source="slack",
        actor_name="Responder Rui",
        occurred_at=start + timedelta(minutes=5),
    )
    assert participants(incident) == ["Responder Rui"]
