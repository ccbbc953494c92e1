"""The tracker pages: adding an integration, sending an item, settling a conflict."""

from __future__ import annotations

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.actions.models import LinkState, Tracker, TrackerLink
from hindsight.incidents.models import Incident
from hindsight.outbox.models import Delivery

from .conftest import item

pytestmark = pytest.mark.django_db
FORM = {
    "name": "Shop",
    "kind": "github",
    "base_url": "",
    "project": "shop/checkout",
    "token": "ghp_secret-token-value",
}


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_adds_a_tracker_whose_token_is_never_shown(an_editor: User) -> None:
    page = _as(an_editor).post("/actions/trackers/", FORM, follow=True).content.decode()
    tracker = Tracker.objects.get()
    assert (tracker.base_url, tracker.token) == ("https://api.github.com", "ghp_secret-token-value")
    assert "ghp_secret-token-value" not in page


def test_a_tracker_without_a_token_is_refused_with_the_reason(an_editor: User) -> None:
    page = (
        _as(an_editor)
        .post("/actions/trackers/", FORM | {"token": ""}, follow=True)
        .content.decode()
    )
    assert ("Nothing saved: give the token." in page, Tracker.objects.count()) == (True, 0)


def test_a_responder_may_not_add_a_tracker(a_responder: User) -> None:
    assert _as(a_responder).post("/actions/trackers/", FORM).status_code == 403


def test_sending_an_item_queues_its_issue(incident: Incident, a_responder: User) -> None:
    tracker = Tracker.objects.create(
        name="Shop", kind="github", base_url="https://api.github.com", project="s/c", token="t"
    )
    alert = item(incident, "Alert")
    _as(a_responder).post(f"/actions/{alert.pk}/track/", {"tracker": tracker.pk})
    assert (TrackerLink.objects.get().item, Delivery.objects.get().sender) == (alert, "tracker")


def test_the_item_page_offers_both_values_of_a_conflict(
    incident: Incident, a_responder: User
) -> None:
    tracker = Tracker.objects.create(
        name="Shop", kind="github", base_url="https://api.github.com", project="s/c", token="t"
    )
    alert = item(incident, "Alert")
    TrackerLink.objects.create(
        item=alert,
        tracker=tracker,
        state=LinkState.LINKED,
        external_key="3",
        conflicts={"assignee": {"here": "rita-responder", "there": "sam"}},
    )
    page = _as(a_responder).get(f"/actions/{alert.pk}/").content.decode()
    assert "here <code>rita-responder</code>, in the tracker <code>sam</code>" in page


def test_taking_the_trackers_value_settles_the_conflict(
    incident: Incident, a_responder: User, an_editor: User
) -> None:
    tracker = Tracker.objects.create(
        name="Shop", kind="github", base_url="https://api.github.com", project="s/c", token="t"
    )
    alert = item(incident, "Alert", owner=a_responder)
    TrackerLink.objects.create(
        item=alert,
        tracker=tracker,
        state=LinkState.LINKED,
        external_key="3",
        conflicts={"assignee": {"here": "rita-responder", "there": "ed-editor"}},
    )
    _as(a_responder).post(f"/actions/{alert.pk}/settle/", {"field": "assignee", "keep": "there"})
    alert.refresh_from_db()
    assert (alert.owner, TrackerLink.objects.get().conflicts) == (an_editor, {})
