"""A common search ranks the newest matches of each kind only, and says so (both engines)."""

from __future__ import annotations

import pytest
from django.test import Client

from hindsight.actions.models import ActionItem
from hindsight.incidents.models import TimelineEvent
from hindsight.insights import search as library
from hindsight.insights.schema import KIND_CODES
from hindsight.insights.search import search

from .conftest import action, at, incident, postmortem

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library, "POOL", 2)


def test_a_common_search_ranks_only_the_newest_matches_of_a_kind(an_editor, pool_of_two):
    for day in (1, 2, 3, 4):  # day 4 is created last: the newest
        incident(f"Replica lag day {day}", started=at(day))
    titles = {hit.title for hit in search(text="replica", user=an_editor).hits}
    newest = {"Replica lag day 3", "Replica lag day 4"}
    assert titles == newest


def test_a_common_search_still_counts_every_match(an_editor, pool_of_two):
    for day in (1, 2, 3, 4):
        incident(f"Replica lag day {day}", started=at(day))
    results = search(text="replica", user=an_editor)
    assert (results.count, results.ranked) == (4, 2)


def test_each_kind_keeps_its_own_newest_matches(an_editor, pool_of_two):
    made = incident("Quiet", started=at(1))
    for number in (1, 2, 3):
        action(made, f"Replica check {number}")
    incident("Replica lag", started=at(2))  # the one incident that matches is ranked
    titles = {hit.title for hit in search(text="replica", user=an_editor).hits}
    every = {"Replica check 1", "Replica check 2", "Replica check 3", "Replica lag"}
    assert titles == every - {"Replica check 1"}


def test_the_pool_leaves_out_restricted_incidents_for_a_viewer(the_viewer, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day))
    incident("Replica lag secret", started=at(4), restricted=True)  # the newest
    results = search(text="replica", user=the_viewer)
    assert ({h.title for h in results.hits}, results.count, results.ranked) == (
        {"Replica lag day 2", "Replica lag day 3"},
        3,
        2,
    )


def test_a_specific_search_ranks_every_match(an_editor, pool_of_two):
    incident("Replica lag", started=at(1))
    incident("Replica drift", started=at(2))
    assert search(text="replica", user=an_editor).ranked is None


def test_the_page_says_the_search_was_ranked_among_the_newest(an_editor, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day))
    client = Client()
    client.force_login(an_editor)
    page = client.get("/search/", {"q": "replica"}).content.decode()
    notice = "showing the best of the newest 2 matches of each kind (2 of 3 ranked)"
    assert notice in page
    assert "Replica lag day 3" in page


def test_a_page_past_the_ranked_matches_is_empty_and_keeps_the_count(an_editor, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day))
    results = search(text="replica", user=an_editor, limit=2, offset=2)
    assert (len(results.hits), results.count) == (0, 3)


def test_the_pool_is_taken_within_a_date_range(an_editor, pool_of_two):
    for day in (1, 2, 3, 4):
        incident(f"Replica lag day {day}", started=at(day))
    incident("Replica lag later", started=at(20))  # the newest, outside the range
    results = search(
        text="replica",
        user=an_editor,
        filters=library.Filters(since=at(1).date(), until=at(4).date()),
    )
    assert ({h.title for h in results.hits}, results.count, results.ranked) == (
        {"Replica lag day 3", "Replica lag day 4"},
        4,
        2,
    )


def test_the_pool_is_taken_among_the_filtered_matches(an_editor, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day), severity="SEV1")
    incident("Replica lag minor", started=at(4), severity="SEV4")  # the newest, filtered out
    results = search(text="replica", user=an_editor, filters=library.Filters(severities=("SEV1",)))
    assert ({h.title for h in results.hits}, results.count) == (
        {"Replica lag day 2", "Replica lag day 3"},
        3,
    )


def test_a_word_common_in_every_kind_counts_the_matches_past_the_newest(
    an_editor, pool_of_two, monkeypatch: pytest.MonkeyPatch
):
    """Once every kind has more than the pool, the older matches are only counted."""
    monkeypatch.setattr(library, "CHUNK", 1)  # the walk stops well before the oldest
    for day in (1, 2, 3, 4):
        made = incident(f"Replica lag day {day}", started=at(day))
        postmortem(made, title=f"Replica review {day}")
        action(made, f"Replica alarm {day}")
        TimelineEvent.objects.create(incident=made, occurred_at=at(day), text=f"Replica {day}")
    results = search(text="replica", user=an_editor, limit=100)
    titles = {hit.title for hit in results.hits}
    assert (results.count, results.ranked, len(titles)) == (16, 8, 8)
    assert "Replica lag day 4" in titles and "Replica lag day 2" not in titles


def test_past_the_walk_a_kind_s_bound_is_found_among_its_own_matches(
    an_editor, pool_of_two, monkeypatch: pytest.MonkeyPatch
):
    """The walk stops after WALK ids; the rest is counted per kind and each bound still found."""
    monkeypatch.setattr(library, "CHUNK", 1)
    monkeypatch.setattr(library, "WALK", 2)  # it reads the newest action item and incident only
    for day in (1, 2, 3, 4):
        made = incident(f"Replica lag day {day}", started=at(day))
        action(made, f"Replica alarm {day}")
    results = search(text="replica", user=an_editor, limit=100)
    titles = {hit.title for hit in results.hits}
    assert (results.count, results.ranked) == (8, 4)
    assert titles == {
        "Replica lag day 3",
        "Replica lag day 4",
        "Replica alarm 3",
        "Replica alarm 4",
    }


def test_a_status_filter_looks_only_for_the_kinds_that_status_belongs_to():
    codes = library._possible_kinds(library.Filters(statuses=("done", "draft")))
    assert codes == {KIND_CODES["action_item"], KIND_CODES["postmortem"]}


def test_an_event_has_its_incident_s_statuses():
    codes = library._possible_kinds(library.Filters(statuses=("monitoring",)))
    assert codes == {KIND_CODES["incident"], KIND_CODES["event"]}


def test_a_status_stored_outside_its_kind_s_choices_is_still_found(an_editor):
    """Data written around the forms (an action item "resolved") is found, not an error."""
    made = incident("Replica lag", started=at(1), status="resolved")
    item = action(made, "Replica alarm")
    ActionItem.objects.filter(pk=item.pk).update(status="resolved")
    results = search(
        text="replica", user=an_editor, filters=library.Filters(statuses=("resolved",))
    )
    assert ({hit.title for hit in results.hits}, results.count) == (
        {"Replica lag", "Replica alarm"},
        2,
    )
