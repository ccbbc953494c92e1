"""Tracker sync against loopback servers speaking GitHub's and Jira's endpoints.

Each test drives the outbox sender and the pull as the worker would, and asserts on
what the fake tracker received and what the item and its link say afterwards.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.actions import services
from hindsight.actions.models import ActionItem, Tracker, TrackerLink
from hindsight.actions.trackers import clients, sync
from hindsight.incidents.models import Incident
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due

from .conftest import item
from .fake_trackers import FakeTrackers, running

pytestmark = pytest.mark.django_db
TOKEN = "ghp_not-a-real-token-0123456789"


@pytest.fixture
def fake() -> Iterator[FakeTrackers]:
    with running() as state:
        yield state


@pytest.fixture
def github(fake: FakeTrackers) -> Tracker:
    return Tracker.objects.create(
        name="Shop", kind="github", base_url=fake.url, project="shop/checkout", token=TOKEN
    )


@pytest.fixture
def jira_cloud(fake: FakeTrackers) -> Tracker:
    return Tracker.objects.create(
        name="Ops",
        kind="jira_cloud",
        base_url=fake.url,
        project="OPS",
        user="bot@example.com",
        token="atl-token",
    )


@pytest.fixture
def jira_server(fake: FakeTrackers) -> Tracker:
    return Tracker.objects.create(
        name="DC", kind="jira_server", base_url=fake.url, project="DC", token="pat-token"
    )


@pytest.fixture
def alert(incident: Incident, a_responder: User) -> ActionItem:
    return item(
        incident, "Alert on 502s", owner=a_responder, priority="P2", due_date=date(2026, 4, 1)
    )


def _send(later: bool = False) -> tuple[int, int]:
    """Deliver what is due (later: as if two hours had passed, past any back-off)."""
    return deliver_due(now=timezone.now() + timedelta(hours=2) if later else None)


def _stop_after_the_tracker_answered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next send dies between the tracker's answer and recording it (a worker killed)."""
    recorded = sync._record

    def crash_once(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(sync, "_record", recorded)
        raise SystemError("worker killed after the tracker answered")

    monkeypatch.setattr(sync, "_record", crash_once)


def _tracked(alert: ActionItem, tracker: Tracker) -> TrackerLink:
    sync.track(item=alert, tracker=tracker, actor=None)
    _send()
    return TrackerLink.objects.get(item=alert)


def test_tracking_an_item_creates_one_github_issue(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    link = _tracked(alert, github)
    assert (link.state, link.external_key, link.external_url) == (
        "linked",
        "1",
        f"{fake.url}/github/issues/1",
    )
    assert (fake.github[1]["title"], fake.github[1]["assignee"]) == (
        "Alert on 502s",
        {"login": "rita-responder"},
    )


def test_the_token_goes_as_a_bearer_header(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, github)
    (create,) = fake.calls("POST", r"/issues$")
    assert create.headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_token_is_encrypted_at_rest(github: Tracker) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM actions_tracker WHERE id = %s", [github.pk])
        (stored,) = cursor.fetchone()
    assert (stored.startswith("fernet:"), TOKEN in stored) == (True, False)


def test_closing_here_closes_the_issue(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, github)
    services.close(item=alert, actor=None, evidence=services.Evidence(kind="note", text="tested"))
    _send()
    assert fake.github[1]["state"] == "closed"


def test_closed_upstream_is_done_here_with_the_issue_as_evidence(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, github)
    fake.github[1]["state"] = "closed"
    sync.pull()
    alert.refresh_from_db()
    assert (alert.status, alert.evidence_kind, alert.evidence_url) == (
        "done",
        "tracker",
        f"{fake.url}/github/issues/1",
    )


def test_a_change_on_both_sides_keeps_both_values_and_changes_nothing(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, an_editor: User
) -> None:
    _tracked(alert, github)
    fake.github[1]["assignee"] = {"login": "someone-else"}
    services.update(item=alert, actor=None, changes={"owner": an_editor})
    sync.pull()
    link = TrackerLink.objects.get()
    alert.refresh_from_db()
    assert (link.conflicts, alert.owner) == (
        {"assignee": {"here": "ed-editor", "there": "someone-else"}},
        an_editor,
    )


def test_a_push_waiting_behind_a_conflict_does_not_overwrite_upstream(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, an_editor: User
) -> None:
    _tracked(alert, github)
    fake.github[1]["assignee"] = {"login": "someone-else"}
    services.update(item=alert, actor=None, changes={"owner": an_editor})
    _send()
    assert fake.github[1]["assignee"] == {"login": "someone-else"}


def test_keeping_our_value_settles_the_conflict_and_pushes_it(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, an_editor: User
) -> None:
    _tracked(alert, github)
    fake.github[1]["assignee"] = {"login": "someone-else"}
    services.update(item=alert, actor=None, changes={"owner": an_editor})
    sync.pull()
    sync.resolve(link=TrackerLink.objects.get(), field="assignee", keep="here", actor=an_editor)
    _send()
    assert (fake.github[1]["assignee"], TrackerLink.objects.get().conflicts) == (
        {"login": "ed-editor"},
        {},
    )


def test_an_upstream_change_alone_is_taken(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, an_editor: User
) -> None:
    _tracked(alert, github)
    fake.github[1]["assignee"] = {"login": "ed-editor"}
    sync.pull()
    alert.refresh_from_db()
    assert alert.owner == an_editor


def test_a_deleted_issue_is_noticed_and_not_created_again(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, github)
    del fake.github[1]
    services.update(item=alert, actor=None, changes={"title": "Alert on 502s and 503s"})
    _send()
    link = TrackerLink.objects.get()
    assert (link.state, len(fake.calls("POST", r"/issues$"))) == ("gone", 1)
    assert link.last_error == "Issue 1 no longer exists in GitHub (404): deleted or moved."


def test_the_pull_notices_a_deleted_issue(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, github)
    del fake.github[1]
    sync.pull()
    assert TrackerLink.objects.get().state == "gone"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "GitHub refused the token (401): enter a valid token."),
        (
            403,
            "GitHub says the token may not do this (403): give it write access to shop/checkout.",
        ),
        (404, "GitHub has no shop/checkout the token can see (404)."),
        (500, "GitHub failed (500)."),
    ],
)
def test_a_refusal_is_reported_on_the_item_and_the_tracker_and_retried(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, status: int, message: str
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(status, body={})
    _send()
    link, tracker = TrackerLink.objects.get(), Tracker.objects.get()
    delivery = Delivery.objects.get(sender="tracker")
    assert (link.last_error, tracker.last_error, delivery.state) == (message, message, "pending")


def test_a_refused_item_is_retried_and_created_once(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(500)
    _send()
    _send(later=True)
    assert (len(fake.github), TrackerLink.objects.get().state) == (1, "linked")


def test_a_422_says_what_the_tracker_refused(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(
        422,
        body={
            "message": "Validation Failed",
            "errors": [{"code": "invalid", "field": "assignees"}],
        },
    )
    _send()
    assert (
        TrackerLink.objects.get().last_error
        == "GitHub refused the item (422). Validation Failed; invalid"
    )


def test_a_429_waits_as_long_as_retry_after_says(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(429, headers={"Retry-After": "7200"})
    before = timezone.now()
    _send()
    delivery = Delivery.objects.get(sender="tracker")
    assert delivery.next_attempt_at >= before + timedelta(seconds=7200)
    assert delivery.last_error == "GitHub asks to slow down (429): retrying after 7200 s."


def test_a_tracker_that_stalls_is_a_timeout_not_a_hang(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clients, "TIMEOUT", 0.3)
    sync.track(item=alert, tracker=github, actor=None)
    fake.stall_next(1.0)
    _send()
    assert TrackerLink.objects.get().last_error == "GitHub did not answer within 0.3 s"


def test_a_restart_after_the_issue_was_made_finds_it_instead_of_making_another(
    fake: FakeTrackers, github: Tracker, alert: ActionItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    _stop_after_the_tracker_answered_once(monkeypatch)
    _send()
    _send(later=True)
    assert (len(fake.github), TrackerLink.objects.get().external_key) == (1, "1")


def test_jira_cloud_gets_a_v3_issue_with_basic_auth_and_the_marker(
    fake: FakeTrackers, jira_cloud: Tracker, alert: ActionItem
) -> None:
    link = _tracked(alert, jira_cloud)
    (create,) = fake.calls("POST", r"/rest/api/3/issue$")
    expected = "Basic " + base64.b64encode(b"bot@example.com:atl-token").decode()
    assert (create.headers["Authorization"], create.body["fields"]["labels"]) == (
        expected,
        [f"hindsight-{link.marker}"],
    )
    assert (link.external_key, link.external_url) == ("OPS-1", f"{fake.url}/browse/OPS-1")


def test_jira_cloud_descriptions_are_documents(
    fake: FakeTrackers, jira_cloud: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, jira_cloud)
    (create,) = fake.calls("POST", r"/rest/api/3/issue$")
    assert create.body["fields"]["description"]["type"] == "doc"


def test_jira_server_gets_a_v2_issue_with_the_assignee_by_name(
    fake: FakeTrackers, jira_server: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, jira_server)
    (create,) = fake.calls("POST", r"/rest/api/2/issue$")
    assert (
        create.headers["Authorization"],
        create.body["fields"]["assignee"],
        create.body["fields"]["duedate"],
    ) == (
        "Bearer pat-token",
        {"name": "rita-responder"},
        "2026-04-01",
    )


def test_jira_done_upstream_is_done_here(
    fake: FakeTrackers, jira_server: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, jira_server)
    fake.jira["DC-1"]["fields"]["status"] = {"name": "Done", "statusCategory": {"key": "done"}}
    sync.pull()
    alert.refresh_from_db()
    assert (alert.status, alert.evidence_url) == ("done", f"{fake.url}/browse/DC-1")


def test_closing_here_moves_the_jira_issue_through_a_done_transition(
    fake: FakeTrackers, jira_cloud: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, jira_cloud)
    services.close(item=alert, actor=None, evidence=services.Evidence(kind="note", text="tested"))
    _send()
    (step,) = fake.calls("POST", r"/transitions$")
    assert (step.body, fake.jira["OPS-1"]["fields"]["status"]["name"]) == (
        {"transition": {"id": "31"}},
        "Done",
    )


def test_a_jira_due_date_moved_upstream_is_taken(
    fake: FakeTrackers, jira_server: Tracker, alert: ActionItem
) -> None:
    _tracked(alert, jira_server)
    fake.jira["DC-1"]["fields"]["duedate"] = "2026-04-20"
    sync.pull()
    alert.refresh_from_db()
    assert alert.due_date == date(2026, 4, 20)


def test_a_jira_restart_mid_create_finds_the_issue_by_its_label(
    fake: FakeTrackers, jira_cloud: Tracker, alert: ActionItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync.track(item=alert, tracker=jira_cloud, actor=None)
    _stop_after_the_tracker_answered_once(monkeypatch)
    _send()
    _send(later=True)
    assert (len(fake.jira), TrackerLink.objects.get().external_key) == (1, "OPS-1")


def test_each_push_is_its_own_delivery_with_a_stable_id(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(500)
    _send()
    first = Delivery.objects.get(sender="tracker")
    _send(later=True)
    assert Delivery.objects.get(sender="tracker").pk == first.pk


def test_a_retried_push_carries_the_same_idempotency_key(
    fake: FakeTrackers, github: Tracker, alert: ActionItem
) -> None:
    sync.track(item=alert, tracker=github, actor=None)
    fake.fail_next(500)
    _send()
    _send(later=True)
    delivery = Delivery.objects.get(sender="tracker")
    keys = {r.headers.get("Idempotency-Key") for r in fake.requests}
    assert keys == {str(delivery.pk)}
