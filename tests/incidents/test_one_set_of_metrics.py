"""The incident page, the API, the post-mortem draft and insights give one incident the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.core.template import new_postmortem
from hindsight.incidents.models import Incident
from hindsight.incidents.services import declare_incident
from hindsight.insights import facts as insights_facts
from hindsight.postmortems.drafting import policy_for, template_input

pytestmark = pytest.mark.django_db
STARTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def incident() -> Incident:
    made = declare_incident(title="Checkout errors", severity="SEV2", started_at=STARTED)
    Incident.objects.filter(pk=made.pk).update(
        status="resolved",
        detected_at=STARTED + timedelta(minutes=4),
        acknowledged_at=STARTED + timedelta(minutes=31),
        mitigated_at=STARTED + timedelta(minutes=31),
        resolved_at=STARTED + timedelta(hours=1, minutes=5),
    )
    return Incident.objects.get(pk=made.pk)


def test_the_page_and_the_api_agree(incident: Incident, the_viewer: User) -> None:
    _, secret = create_token(username=the_viewer.username, name="t")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    metrics = api.get(f"/api/incidents/{incident.pk}").json()["metrics"]
    assert (metrics["time_to_detect"], metrics["time_to_resolve"]) == (240, 3900)
    page = Client()
    page.force_login(the_viewer)
    html = page.get(f"/incidents/{incident.pk}/").content.decode()
    assert "<dt>Time to detect</dt><dd>4 min</dd>" in html
    assert "<dt>Time to resolve</dt><dd>1 h 05 min</dd>" in html


def test_the_draft_states_the_same_durations(incident: Incident) -> None:
    now = STARTED + timedelta(hours=2)
    draft = new_postmortem(template_input(incident, now=now, due=policy_for("SEV2")), now.date())
    assert "**Time to detect:** 4 min" in draft
    assert "**to resolve:** 1 h 05 min" in draft


def test_insights_count_the_same_durations(incident: Incident) -> None:
    (facts,) = insights_facts.incidents(
        since=STARTED - timedelta(days=1), include_restricted=True, now=STARTED + timedelta(days=1)
    )
    assert facts.metrics.as_seconds()["time_to_resolve"] == 3900
