"""Best first, the same order on SQLite and PostgreSQL for the same data."""

from __future__ import annotations

import pytest

from hindsight.insights.search import search

from .conftest import at, incident, postmortem

pytestmark = pytest.mark.django_db

FILLER = "The team met, talked and wrote things down for the record. " * 3


def ranked(text: str, user: object, **filters: object) -> list[str]:
    return [hit.title for hit in search(text=text, user=user).hits]


def test_it_ranks_a_title_match_above_a_body_match(an_editor):
    postmortem(incident("A", started=at(2)), title="Body only", body=f"Replica lag. {FILLER}")
    postmortem(incident("B", started=at(1)), title="Replica lag", body=FILLER)
    assert ranked("replica", an_editor) == ["Replica lag", "Body only"]


def test_it_ranks_more_mentions_above_fewer(an_editor):
    postmortem(incident("A", started=at(2)), title="Once", body=f"Replica. {FILLER}")
    postmortem(
        incident("B", started=at(1)), title="Thrice", body=f"Replica replica replica. {FILLER}"
    )
    assert ranked("replica", an_editor) == ["Thrice", "Once"]


def test_it_ranks_a_postmortem_above_an_incident_with_the_same_text(an_editor):
    made = incident("Other", summary="Replica lag again", started=at(1))
    postmortem(made, title="Other", body="Replica lag again")
    assert [hit.kind for hit in search(text="replica", user=an_editor).hits] == [
        "postmortem",
        "incident",
    ]


def test_it_puts_the_most_recently_written_first_when_the_text_ties(an_editor):
    for day in (3, 9, 5):
        postmortem(incident(f"Day {day}", started=at(day)), title=f"Day {day}", body="Replica lag")
    assert ranked("replica", an_editor) == ["Day 5", "Day 9", "Day 3"]


def test_it_counts_every_match_beyond_the_page(an_editor):
    for day in range(1, 8):
        incident(f"Replica lag {day}", started=at(day))
    results = search(text="replica", user=an_editor, limit=3, offset=3)
    assert (len(results.hits), results.count) == (3, 7)


def test_it_counts_the_matches_when_the_page_is_past_the_end(an_editor):
    incident("Replica lag")
    assert search(text="replica", user=an_editor, offset=20).count == 1
