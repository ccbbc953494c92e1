"""The incidents JSON API: declare, change, append single and batch, roles, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.catalog.models import Service
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.incidents.services import declare_incident


class Api:
    def __init__(self, user: User) -> None:
        _, secret = create_token(username=user.username, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/incidents{path}")

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/incidents{path}", body, content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/incidents{path}", body, content_type="application/json")


@pytest.mark.django_db
def test_declare_change_and_read_metrics(a_responder: User, an_editor: User) -> None:
    Service.objects.create(name="API", slug="api")
    api = Api(a_responder)
    started = (timezone.now() - timedelta(minutes=30)).replace(microsecond=0)
    created = api.post(
        "/",
        {
            "title": "Errors on /pay",
            "severity": "SEV2",
            "services": ["api"],
            "commander": an_editor.username,
            "started_at": started.isoformat(),
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["title"], body["services"], body["commander"]) == (
        "Errors on /pay",
        ["api"],
        "ed-editor",
    )
    incident_id = body["id"]
    assert (
        api.post(f"/{incident_id}/status", {"status": "monitoring"}).json()["status"]
        == "monitoring"
    )
    assert api.post(f"/{incident_id}/severity", {"severity": "SEV1"}).json()["severity"] == "SEV1"
    assert api.post(f"/{incident_id}/commander", {"commander": None}).json()["commander"] is None
    metrics = api.get(f"/{incident_id}").json()["metrics"]
    assert metrics["time_to_mitigate"] == pytest.approx(30 * 60, abs=5)
    assert metrics["ongoing"] is False
    kinds = [e["kind"] for e in api.get(f"/{incident_id}/events").json()["items"]]
    assert kinds == ["declared", "status_change", "severity_change", "commander_change"]


@pytest.mark.django_db
def test_errors_have_one_shape(the_viewer: User, a_responder: User) -> None:
    incident = declare_incident(title="x")
    viewer = Api(the_viewer)
    forbidden = viewer.post(f"/{incident.pk}/events", {"text": "hi"})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "This needs the responder role.", "code": "forbidden"}
    api = Api(a_responder)
    unknown = api.post(f"/{incident.pk}/events", {"text": "hi", "colour": "red"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid")
    assert "colour" in unknown.json()["detail"]
    naive = api.post(f"/{incident.pk}/events", {"text": "hi", "occurred_at": "2024-01-01T10:00:00"})
    assert (naive.status_code, naive.json()["code"]) == (400, "bad_request")
    future = api.post(
        f"/{incident.pk}/events", {"text": "hi", "occurred_at": "2199-01-01T10:00:00Z"}
    )
    assert "is in the future" in future.json()["detail"]
    lifecycle_kind = api.post(f"/{incident.pk}/events", {"text": "hi", "kind": "status_change"})
    assert "cannot be appended" in lifecycle_kind.json()["detail"]
    api.post(f"/{incident.pk}/status", {"status": "closed"})
    conflict = api.post(f"/{incident.pk}/status", {"status": "investigating"})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "conflict")
    assert Client().get("/api/incidents/").status_code == 401
    assert TimelineEvent.objects.filter(source="api").count() == 0


@pytest.mark.django_db
def test_single_append_is_idempotent(a_responder: User) -> None:
    incident = declare_incident(title="x")
    api = Api(a_responder)
    first = api.post(f"/{incident.pk}/events", {"text": "deploy 42", "idempotency_key": "ci-42"})
    again = api.post(f"/{incident.pk}/events", {"text": "deploy 42", "idempotency_key": "ci-42"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["actor"] == "rita-responder"


@pytest.mark.django_db
def test_batch_append_honours_keys_and_limits(a_responder: User) -> None:
    incident = declare_incident(title="x")
    api = Api(a_responder)
    events = [{"text": f"line {n}", "idempotency_key": f"k{n}"} for n in range(10)]
    assert api.post(f"/{incident.pk}/events/batch", {"events": events}).json() == {
        "created": 10,
        "duplicates": 0,
    }
    more = events[5:] + [{"text": "line 10", "idempotency_key": "k10"}, {"text": "no key"}]
    assert api.post(f"/{incident.pk}/events/batch", {"events": more}).json() == {
        "created": 2,
        "duplicates": 5,
    }
    too_many = api.post(f"/{incident.pk}/events/batch", {"events": [{"text": "x"}] * 1001})
    assert too_many.status_code == 422
    bad_late = [{"text": "ok"}] * 5 + [{"text": "x", "occurred_at": "not a time"}]
    assert api.post(f"/{incident.pk}/events/batch", {"events": bad_late}).status_code == 422
    blank_late = [{"text": "ok"}] * 5 + [{"text": "   "}]
    response = api.post(f"/{incident.pk}/events/batch", {"events": blank_late})
    assert response.json()["detail"] == "events[5].text: an event needs text"
    assert incident.events.filter(source="api").count() == 12
    page = api.get(f"/{incident.pk}/events?source=api&limit=5&offset=10").json()
    assert page["count"] == 12
    assert [e["text"] for e in page["items"]] == ["line 10", "no key"]


@pytest.mark.django_db
def test_editors_edit_events_and_restricted_incidents_stay_hidden(
    a_responder: User, an_editor: User
) -> None:
    incident = declare_incident(title="secret", restricted=True)
    event = incident.events.get()
    assert Api(a_responder).get(f"/{incident.pk}").status_code == 404
    editor = Api(an_editor)
    edited = editor.patch(
        f"/{incident.pk}/events/{event.pk}", {"text": "declared (SEV3)", "is_key": True}
    )
    assert edited.json()["text"] == "declared (SEV3)"
    assert event.revisions.get().text.startswith("Incident declared")
    assert Incident.objects.get().restricted


@pytest.mark.django_db
def test_a_page_holds_at_most_500_items_and_a_larger_limit_is_refused(the_viewer: User) -> None:
    incident = declare_incident(title="busy")
    TimelineEvent.objects.bulk_create(
        TimelineEvent(incident=incident, text=f"note {n}", kind="note") for n in range(600)
    )
    api = Api(the_viewer)
    too_many = api.get(f"/{incident.pk}/events?limit=100000")
    assert (too_many.status_code, too_many.json()["code"]) == (422, "invalid")
    page = api.get(f"/{incident.pk}/events?limit=500")
    assert (len(page.json()["items"]), page.json()["count"]) == (500, 601)
