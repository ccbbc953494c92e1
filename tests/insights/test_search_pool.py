"""On SQLite a common search ranks the newest matches of each kind only, and says so.

PostgreSQL ranks every match (finding the newest costs what ranking does there):
each test states what either engine gives, so both runs check something.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from hindsight.insights import search as library
from hindsight.insights.search import search

from .conftest import action, at, incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_of_two(monkeypatch: pytest.MonkeyPatch) -> bool:
    """A pool of two; True where the engine bounds common searches (SQLite)."""
    monkeypatch.setattr(library, "POOL", 2)
    return connection.vendor == "sqlite"


def test_a_common_search_ranks_only_the_newest_matches_of_a_kind(an_editor, pool_of_two):
    for day in (1, 2, 3, 4):  # day 4 is created last: the newest
        incident(f"Replica lag day {day}", started=at(day))
    titles = {hit.title for hit in search(text="replica", user=an_editor).hits}
    newest = {"Replica lag day 3", "Replica lag day 4"}
    assert titles == (newest if pool_of_two else {f"Replica lag day {d}" for d in (1, 2, 3, 4)})


def test_a_common_search_still_counts_every_match(an_editor, pool_of_two):
    for day in (1, 2, 3, 4):
        incident(f"Replica lag day {day}", started=at(day))
    results = search(text="replica", user=an_editor)
    assert (results.count, results.ranked) == (4, 2 if pool_of_two else None)


def test_each_kind_keeps_its_own_newest_matches(an_editor, pool_of_two):
    made = incident("Quiet", started=at(1))
    for number in (1, 2, 3):
        action(made, f"Replica check {number}")
    incident("Replica lag", started=at(2))  # the one incident that matches is ranked
    titles = {hit.title for hit in search(text="replica", user=an_editor).hits}
    every = {"Replica check 1", "Replica check 2", "Replica check 3", "Replica lag"}
    assert titles == (every - {"Replica check 1"} if pool_of_two else every)


def test_the_pool_leaves_out_restricted_incidents_for_a_viewer(the_viewer, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day))
    incident("Replica lag secret", started=at(4), restricted=True)  # the newest
    results = search(text="replica", user=the_viewer)
    seen = (
        {"Replica lag day 2", "Replica lag day 3"}
        if pool_of_two
        else {
            "Replica lag day 1",
            "Replica lag day 2",
            "Replica lag day 3",
        }
    )
    assert ({h.title for h in results.hits}, results.count, results.ranked) == (
        seen,
        3,
        2 if pool_of_two else None,
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
    assert (notice in page) is pool_of_two
    assert "Replica lag day 3" in page


def test_a_page_past_the_ranked_matches_is_empty_and_keeps_the_count(an_editor, pool_of_two):
    for day in (1, 2, 3):
        incident(f"Replica lag day {day}", started=at(day))
    results = search(text="replica", user=an_editor, limit=2, offset=2)
    assert (len(results.hits), results.count) == (0 if pool_of_two else 1, 3)
