"""GET /api/search: the contract clients rely on, and clear errors for bad searches."""

from __future__ import annotations

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token

from .conftest import incident, postmortem

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _, secret = create_token(username=user.username, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_it_answers_in_the_documented_shape(the_viewer):
    made = incident("Checkout outage", summary="The gateway <b>refused</b> connections")
    body = api(the_viewer).get("/api/search", {"q": "gateway"}).json()
    assert body == {
        "results": [
            {
                "kind": "incident",
                "id": made.pk,
                "title": "Checkout outage",
                "url": f"/incidents/{made.pk}/",
                "snippet": "The <mark>gateway</mark> &lt;b&gt;refused&lt;/b&gt; connections",
            }
        ],
        "count": 1,
    }


def test_it_applies_the_filters_from_the_query_string(the_viewer):
    made = incident("Checkout outage", severity="SEV1")
    postmortem(made, title="Outage review", body="The outage lasted an hour.")
    incident("Search outage", severity="SEV4")
    body = (
        api(the_viewer)
        .get("/api/search", {"q": "outage", "severity": "SEV1", "kind": "postmortem"})
        .json()
    )
    assert [(r["kind"], r["title"]) for r in body["results"]] == [("postmortem", "Outage review")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": ""}, "Type something to search for."),
        ({"q": "x" * 5000}, "The search is 5000 characters long; at most 256 are allowed."),
        ({"q": '(") ^*'}, "The search has no letters or digits to look for."),
        ({"q": "outage", "from": "yesterday"}, "from: 'yesterday' is not a date; use YYYY-MM-DD."),
        ({"q": "outage", "kind": "wiki"}, "Unknown kind 'wiki'; use one of"),
    ],
)
def test_it_answers_a_bad_search_with_a_clear_400(the_viewer, query, message):
    response = api(the_viewer).get("/api/search", query)
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
    assert response.json()["detail"].startswith(message)


@pytest.mark.parametrize("typed", ['"', "*", "a:b", "(", "NOT", "-", "OR OR", "\x00x", "🙂"])
def test_it_never_fails_on_engine_syntax(the_viewer, typed):
    incident("Checkout outage")
    assert api(the_viewer).get("/api/search", {"q": typed}).status_code in (200, 400)


def test_it_wants_a_token():
    response = Client().get("/api/search", {"q": "outage"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
