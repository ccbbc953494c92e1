"""The responder's API contract: acknowledge, public updates, resolution that reaches
the status page (issue 15, item 8), read back through the public v2 JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.statuspage.models import StatusPage, StatusUpdate


class Api:
    def __init__(self, user: User) -> None:
        _, secret = create_token(username=user.username, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/incidents{path}", body or {}, content_type="application/json"
        )

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/incidents{path}")


def _public(name: str) -> Any:
    return Client().get(f"/api/v2/{name}.json").json()


def _component_status(name: str) -> str:
    return next(c["status"] for c in _public("components")["components"] if c["name"] == name)


@pytest.fixture
def api(a_responder: User) -> Api:
    return Api(a_responder)


@pytest.fixture
def declared(api: Api, a_page: StatusPage) -> int:
    response = api.post("/", {"title": "Checkout errors", "severity": "SEV2"})
    return int(response.json()["id"])


@pytest.mark.django_db
def test_it_leaves_acknowledged_empty_until_someone_acknowledges(api: Api, declared: int) -> None:
    api.post(f"/{declared}/status", {"status": "identified"})
    body = api.get(f"/{declared}").json()
    assert (body["acknowledged_at"], body["metrics"]["time_to_acknowledge"]) == (None, None)


@pytest.mark.django_db
def test_it_acknowledges_once_and_records_who(api: Api, declared: int) -> None:
    first = api.post(f"/{declared}/acknowledge")
    again = api.post(f"/{declared}/acknowledge")
    assert first.status_code == 200
    assert first.json()["acknowledged_at"] == again.json()["acknowledged_at"] is not None
    assert first.json()["metrics"]["time_to_acknowledge"] is not None
    texts = list(TimelineEvent.objects.filter(kind="acknowledged").values_list("text", flat=True))
    assert texts == ["Acknowledged by rita-responder"]


@pytest.mark.django_db
def test_a_viewer_may_not_acknowledge(the_viewer: User, declared: int) -> None:
    response = Api(the_viewer).post(f"/{declared}/acknowledge")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert Incident.objects.get(pk=declared).acknowledged_at is None


@pytest.mark.django_db
def test_a_public_update_is_on_the_status_page_at_once(
    api: Api, declared: int, checkout: Component
) -> None:
    response = api.post(
        f"/{declared}/updates",
        {
            "status": "identified",
            "message": "Card payments fail for some customers.",
            "components": {str(checkout.pk): "partial_outage"},
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["components"] == {str(checkout.pk): "partial_outage"}
    assert _component_status("Checkout") == "partial_outage"
    public = _public("incidents/unresolved")["incidents"]
    assert [u["body"] for u in public[0]["incident_updates"]] == [
        "Card payments fail for some customers."
    ]
    assert api.get(f"/{declared}").json()["status"] == "identified"


@pytest.mark.django_db
def test_resolving_through_the_status_endpoint_resolves_the_public_incident(
    api: Api, declared: int, checkout: Component
) -> None:
    api.post(
        f"/{declared}/updates",
        {
            "status": "investigating",
            "message": "Looking.",
            "components": {str(checkout.pk): "major_outage"},
        },
    )
    api.post(f"/{declared}/status", {"status": "resolved"})
    assert _component_status("Checkout") == "operational"
    assert _public("incidents/unresolved")["incidents"] == []
    latest = _public("incidents")["incidents"][0]["incident_updates"][0]
    assert latest["status"] == "resolved"
    assert "Checkout is operating normally" in latest["body"]


@pytest.mark.django_db
def test_an_unknown_component_status_is_refused_and_nothing_is_stored(
    api: Api, declared: int, checkout: Component
) -> None:
    response = api.post(
        f"/{declared}/updates",
        {"status": "identified", "message": "x", "components": {str(checkout.pk): "broken"}},
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
    assert "'broken' is not a component status" in response.json()["detail"]
    assert StatusUpdate.objects.count() == 0
    assert Incident.objects.get(pk=declared).status == "investigating"


@pytest.mark.django_db
def test_an_unknown_component_id_is_refused(api: Api, declared: int) -> None:
    response = api.post(
        f"/{declared}/updates",
        {"status": "identified", "message": "x", "components": {"9999": "major_outage"}},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "components: no component with id 9999"


@pytest.mark.django_db
def test_an_unknown_update_status_is_refused(api: Api, declared: int) -> None:
    response = api.post(f"/{declared}/updates", {"status": "fixed", "message": "x"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unknown status 'fixed'")
