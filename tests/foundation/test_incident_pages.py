"""The incident list and detail pages; roles enforced on writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.catalog.models import Service
from hindsight.incidents.models import IncidentStatus
from hindsight.incidents.services import append_event, declare_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    start = timezone.now() - timedelta(hours=2)
    search = Service.objects.create(name="Search", slug="search")
    incident = declare_incident(
        title="Search is slow",
        severity="SEV2",
        services=[search],
        started_at=start,
        detected_at=start + timedelta(minutes=2),
    )
    append_event(
        incident=incident,
        text="Rolled back index change",
        occurred_at=start + timedelta(minutes=30),
        actor_name="Sam",
    )
    append_event(
        incident=incident,
        text="Paged the search on-call",
        occurred_at=start + timedelta(minutes=5),
        actor_name="Maria",
    )
    return incident


def test_the_list_shows_incidents_with_severity_and_status(client, the_viewer, incident):
    client.force_login(the_viewer)
    page = client.get("/incidents/").content.decode()
    assert f"#{incident.pk} Search is slow" in page
    assert "SEV2" in page and "Investigating" in page
    resolved = client.get("/incidents/?show=resolved").content.decode()
    assert "Search is slow" not in resolved


def test_the_detail_shows_the_timeline_in_time_order(client, the_viewer, incident):
    client.force_login(the_viewer)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    declared = page.index("Incident declared as SEV2")
    paged = page.index("Paged the search on-call")
    rolled = page.index("Rolled back index change")
    assert declared < paged < rolled
    assert "Add to timeline" not in page  # viewers cannot write


def test_a_viewer_cannot_add_a_note_and_nothing_is_written(client, the_viewer, incident):
    client.force_login(the_viewer)
    before = incident.events.count()
    response = client.post(f"/incidents/{incident.pk}/notes/", {"text": "sneaky"})
    assert response.status_code == 403
    assert incident.events.count() == before


def test_a_responder_adds_a_note_remembered_later(client, a_responder, incident):
    client.force_login(a_responder)
    at = (timezone.now() - timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/incidents/{incident.pk}/notes/",
        {"text": "Customer reports began", "at": at},
        follow=True,
    )
    assert "Note added to the timeline." in response.content.decode()
    event = incident.events.get(text="Customer reports began")
    assert event.actor == a_responder
    assert event.occurred_at.strftime("%Y-%m-%dT%H:%M") == at


def test_a_note_dated_in_the_future_is_refused(client, a_responder, incident):
    client.force_login(a_responder)
    future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/incidents/{incident.pk}/notes/", {"text": "time travel", "at": future}, follow=True
    )
    assert "The note was not added" in response.content.decode()
    assert "This time is in the future." in response.content.decode()
    assert not incident.events.filter(text="time travel").exists()


def test_restricted_incidents_are_hidden_from_viewers(client, the_viewer, an_editor):
    secret = declare_incident(title="Security breach", restricted=True)
    client.force_login(the_viewer)
    assert "Security breach" not in client.get("/incidents/").content.decode()
    assert client.get(f"/incidents/{secret.pk}/").status_code == 404
    client.force_login(an_editor)
    assert client.get(f"/incidents/{secret.pk}/").status_code == 200


def test_a_resolved_incident_shows_its_duration(client, the_viewer, incident):
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = incident.started_at + timedelta(hours=1, minutes=5)
    incident.save()
    client.force_login(the_viewer)
    # The one duration format (core.durations), as on the incident page and in the draft.
    assert '<td class="duration">1 h 05 min</td>' in client.get("/incidents/").content.decode()
