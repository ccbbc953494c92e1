"""Filters read facet words from the index; the words follow every change to the facts behind them."""

from __future__ import annotations

import pytest
from django.db import connection

from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.insights import schema
from hindsight.insights.facet_words import facet_word
from hindsight.insights.models import SearchDocument
from hindsight.insights.search import Filters, search

from .conftest import action, at, body, incident, postmortem, service

pytestmark = pytest.mark.django_db


def found(user: object, text: str = "outage", **filters: object) -> list[str]:
    hits = search(text=text, user=user, filters=Filters(**filters), limit=100).hits  # type: ignore[arg-type]
    return sorted(f"{hit.kind}:{hit.title}" for hit in hits)


def test_a_severity_raised_later_reaches_the_incidents_action_items(an_editor):
    made = incident("Quiet", severity="SEV4")
    action(made, "Fix the outage")
    Incident.objects.filter(pk=made.pk).update(severity="SEV1")  # no signal: the trigger follows
    assert found(an_editor, severities=("SEV1",)) == ["action_item:Fix the outage"]


def test_a_service_linked_later_reaches_the_incidents_documents(an_editor):
    made = incident("Checkout outage")
    action(made, "Outage follow-up")
    made.services.add(service("checkout"))
    assert found(an_editor, services=("checkout",)) == [
        "action_item:Outage follow-up",
        "incident:Checkout outage",
    ]


def test_a_service_unlinked_leaves_the_filter(an_editor):
    made = incident("Checkout outage", services=("checkout",))
    made.services.clear()
    assert found(an_editor, services=("checkout",)) == []


def test_an_events_status_is_its_incidents_and_follows_it(an_editor):
    made = incident("Quiet", status="investigating")
    TimelineEvent.objects.create(incident=made, occurred_at=at(1), text="Outage spreading")
    made.status = "resolved"
    made.save()
    assert (
        found(an_editor, statuses=("resolved",), kinds=("event",)),
        found(an_editor, statuses=("investigating",), kinds=("event",)),
    ) == ([f"event:Timeline of #{made.pk} Quiet"], [])


def test_an_author_added_later_finds_the_postmortem_and_a_removed_one_not(an_editor, the_viewer):
    written = postmortem(incident("Quiet"), title="Outage review")
    written.authors.add(the_viewer)
    before = found(an_editor, author=the_viewer.username)
    written.authors.remove(the_viewer)
    assert (before, found(an_editor, author=the_viewer.username)) == (
        ["postmortem:Outage review"],
        [],
    )


def test_a_factor_found_in_an_edited_postmortem_reaches_its_incidents_documents(an_editor):
    made = incident("Quiet")
    action(made, "Outage drill")
    written = postmortem(made, body=body("A deploy went wrong."))
    written.body = body("The certificate expired because renewal was manual.")
    written.save()
    assert found(an_editor, factors=("certificate-expiry",)) == ["action_item:Outage drill"]


def test_two_filters_both_apply(an_editor):
    incident("Checkout outage", severity="SEV1", services=("checkout",))
    incident("Search outage", severity="SEV1", services=("search",))
    incident("Checkout outage again", severity="SEV3", services=("checkout",))
    assert found(an_editor, severities=("SEV1",), services=("checkout",)) == [
        "incident:Checkout outage"
    ]


def test_the_users_words_never_match_a_facet_word(an_editor):
    incident("Checkout outage", severity="SEV1")
    assert found(an_editor, text=facet_word("severity", "SEV1")) == []


def test_a_rebuilt_index_writes_the_same_facet_words(an_editor):
    made = incident("Checkout outage", severity="SEV2", services=("checkout",))
    postmortem(made, body=body("The certificate expired.")).authors.add(an_editor)
    action(made, "Renew", owner=an_editor)
    kept = sorted(SearchDocument.objects.values_list("kind", "facets"))
    schema.rebuild(connection)
    assert sorted(SearchDocument.objects.values_list("kind", "facets")) == kept


@pytest.mark.parametrize(
    ("facet", "value", "word"),
    [
        ("severity", "SEV1", "zzsevsev1"),
        ("status", "in_review", "zzstinreview"),
        ("factor", "certificate-expiry", "zzfaccertificateexpiry"),
        ("service", 12, "zzsvc12"),
    ],
)
def test_a_facet_word_is_letters_and_digits(facet, value, word):
    assert facet_word(facet, value) == word


def test_a_value_that_cannot_be_a_word_is_refused():
    with pytest.raises(ValueError, match="can't be a facet word"):
        facet_word("factor", "cert expiry")
