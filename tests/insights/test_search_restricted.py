"""A restricted incident and everything in it stays hidden from those who can't open it."""

from __future__ import annotations

import pytest

from hindsight.incidents.services import append_event
from hindsight.insights.search import search

from .conftest import action, incident, postmortem

pytestmark = pytest.mark.django_db


@pytest.fixture
def breach():
    made = incident("Credential leak", summary="Leaked credentials in a log", restricted=True)
    postmortem(made, title="Credential leak PM", body="Leaked credentials were rotated.")
    action(made, "Scrub leaked credentials from logs")
    append_event(incident=made, text="Leaked credentials found in the log archive")
    return made


def test_it_shows_a_viewer_nothing_of_a_restricted_incident(breach, the_viewer):
    assert search(text="leaked", user=the_viewer).count == 0


def test_it_shows_a_responder_nothing_of_a_restricted_incident(breach, a_responder):
    assert search(text="credentials", user=a_responder).hits == []


def test_it_shows_an_editor_every_kind_in_a_restricted_incident(breach, an_editor):
    kinds = sorted(hit.kind for hit in search(text="leaked", user=an_editor).hits)
    assert kinds == ["action_item", "event", "incident", "postmortem"]


def test_it_hides_an_incident_the_moment_it_becomes_restricted(the_viewer):
    made = incident("Credential leak")
    made.restricted = True
    made.save(update_fields=["restricted"])
    assert search(text="credential", user=the_viewer).count == 0


def test_it_shows_an_incident_again_once_it_is_no_longer_restricted(breach, the_viewer):
    breach.restricted = False
    breach.save(update_fields=["restricted"])
    assert search(text="leaked", user=the_viewer).count == 4
