"""The trackers' webhooks: a signed issue event merges into its item; anything else changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem, LinkState, Tracker, TrackerLink
from hindsight.incidents.models import Incident

from .conftest import item

pytestmark = pytest.mark.django_db
SECRET = "whsec-shop"


@pytest.fixture
def linked(incident: Incident, a_responder: User) -> TrackerLink:
    tracker = Tracker.objects.create(
        name="Shop",
        kind="github",
        base_url="https://api.github.com",
        project="shop/checkout",
        token="t",
        webhook_secret=SECRET,
    )
    alert = item(incident, "Alert on 502s", owner=a_responder, priority="P1")
    return TrackerLink.objects.create(
        item=alert,
        tracker=tracker,
        state=LinkState.LINKED,
        external_key="7",
        external_url="https://github.com/shop/checkout/issues/7",
        synced={"status": "open", "assignee": "rita-responder"},
    )


def _post(link: TrackerLink, payload: dict[str, Any], secret: str = SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return Client().post(
        f"/actions/trackers/{link.tracker_id}/webhook/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": "issues"},
    )


def _issue(state: str = "closed", login: str = "rita-responder") -> dict[str, Any]:
    return {
        "action": state,
        "issue": {
            "number": 7,
            "state": state,
            "assignee": {"login": login},
            "html_url": "https://github.com/shop/checkout/issues/7",
        },
    }


def test_an_issue_closed_upstream_closes_the_item_with_it_as_evidence(linked: TrackerLink) -> None:
    reply = _post(linked, _issue())
    item = ActionItem.objects.get()
    assert (reply.json()["taken"], item.status, item.evidence_url) == (
        ["status"],
        "done",
        "https://github.com/shop/checkout/issues/7",
    )


def test_a_wrong_signature_is_refused_and_changes_nothing(linked: TrackerLink) -> None:
    reply = _post(linked, _issue(), secret="guessed")
    assert (reply.status_code, reply.json()["code"], ActionItem.objects.get().status) == (
        403,
        "bad_signature",
        "open",
    )


def test_a_body_that_is_no_issue_event_is_a_clear_400(linked: TrackerLink) -> None:
    reply = _post(linked, {"zen": "Design for failure."})
    assert (reply.status_code, reply.json()["detail"]) == (
        400,
        "Not an issue event: expected a JSON body with an 'issue'.",
    )


def test_a_deleted_issue_marks_the_link_gone(linked: TrackerLink) -> None:
    payload = _issue(state="open") | {"action": "deleted"}
    _post(linked, payload)
    assert TrackerLink.objects.get().state == "gone"


def test_an_issue_of_no_item_is_ignored(linked: TrackerLink) -> None:
    payload = _issue()
    payload["issue"]["number"] = 99
    assert _post(linked, payload).json()["code"] == "ignored"
