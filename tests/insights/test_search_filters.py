"""Each filter narrows the hits to what it names."""

from __future__ import annotations

import pytest

from hindsight.insights.search import Filters, SearchError, search

from .conftest import action, at, body, incident, postmortem

pytestmark = pytest.mark.django_db


def titles(user: object, **filters: object) -> list[str]:
    hits = search(text="outage", user=user, filters=Filters(**filters), limit=100).hits  # type: ignore[arg-type]
    return sorted(f"{hit.kind}:{hit.title}" for hit in hits)


@pytest.fixture
def library(an_editor):
    checkout = incident(
        "Checkout outage", severity="SEV1", services=("checkout",), started=at(2), status="resolved"
    )
    postmortem(
        checkout,
        title="Checkout outage PM",
        body=body("The certificate expired because renewal was manual.", summary="An outage."),
        status="published",
    ).authors.add(an_editor)
    action(checkout, "Automate outage runbook", status="done")
    search_incident = incident(
        "Search outage", severity="SEV3", services=("search",), started=at(20), status="monitoring"
    )
    action(search_incident, "Add outage alert", status="open", owner=an_editor)
    return an_editor


def test_it_filters_by_service(library):
    assert titles(library, services=("search",), kinds=("incident",)) == ["incident:Search outage"]


def test_it_filters_by_severity(library):
    assert titles(library, severities=("SEV1",), kinds=("incident", "action_item")) == [
        "action_item:Automate outage runbook",
        "incident:Checkout outage",
    ]


def test_it_filters_by_the_incidents_start_date(library):
    assert titles(library, since=at(10).date(), until=at(25).date()) == [
        "action_item:Add outage alert",
        "incident:Search outage",
    ]


def test_it_filters_by_contributing_factor(library):
    assert titles(library, factors=("certificate-expiry",), kinds=("postmortem",)) == [
        "postmortem:Checkout outage PM"
    ]


def test_it_filters_by_the_status_of_each_hit(library):
    assert titles(library, statuses=("published", "open")) == [
        "action_item:Add outage alert",
        "postmortem:Checkout outage PM",
    ]


def test_it_filters_by_author_owner_or_declarer(library):
    assert titles(library, author=library.username) == [
        "action_item:Add outage alert",
        "postmortem:Checkout outage PM",
    ]


def test_it_refuses_an_unknown_severity_by_name(library):
    with pytest.raises(SearchError, match="Unknown severity 'SEV9'; use one of SEV1, SEV2"):
        search(text="outage", user=library, filters=Filters(severities=("SEV9",)))


def test_it_refuses_a_service_that_does_not_exist(library):
    with pytest.raises(SearchError, match="There is no service 'billing'"):
        search(text="outage", user=library, filters=Filters(services=("billing",)))


def test_it_refuses_a_date_range_that_ends_before_it_starts(library):
    with pytest.raises(SearchError, match="ends before it starts"):
        search(text="outage", user=library, filters=Filters(since=at(9).date(), until=at(2).date()))
