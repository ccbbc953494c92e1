"""Hostile input at every edge: a 4xx or a cleaned value, never a 500 or a poisoned row.

Run on SQLite and on PostgreSQL (HINDSIGHT_TEST_DATABASE_URL): PostgreSQL is the
database that refuses NUL characters and BC dates.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from hindsight.accounts.models import Role, User
from hindsight.accounts.services import create_token
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.monitors.models import Monitor

GOOD = {"status": "firing", "fingerprint": "f1", "title": "Disk full"}
DEEP = ("[" * 100_000 + "]" * 100_000).encode()


def api_client(user: User) -> Client:
    _, secret = create_token(username=user.username, name="hostile")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def editor_api(an_editor: User) -> Client:
    return api_client(an_editor)


def the_site_still_works(user: User) -> None:
    """After hostile input, the list, the API and the admin still read every row."""
    browser = Client()
    browser.force_login(user)
    assert browser.get("/incidents/").status_code == 200
    assert api_client(user).get("/api/incidents/").status_code == 200
    user.role = Role.ADMIN  # the role grants the admin
    user.save()
    browser.force_login(user)
    assert browser.get("/admin/incidents/incident/").status_code == 200
    assert browser.get("/admin/incidents/timelineevent/").status_code == 200
    assert site.is_registered(Incident)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        pytest.param({**GOOD, "occurred_at": "2300-01-01T00:00:00Z"}, "bad_timestamp", id="2300"),
        pytest.param(
            {**GOOD, "occurred_at": "9999-12-31T23:59:59-01:00"}, "bad_timestamp", id="overflow"
        ),
        pytest.param({**GOOD, "fingerprint": "f" * 300}, "invalid", id="long-fingerprint"),
        pytest.param(DEEP, "too_deep", id="deep-nesting"),
    ],
)
def test_a_hostile_alert_is_a_400_and_writes_nothing(hook, an_editor, payload, code):
    response = hook("generic")(payload)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Incident.objects.count() == 0 and TimelineEvent.objects.count() == 0
    the_site_still_works(an_editor)


def test_go_zero_time_with_an_offset_means_not_set(hook, an_editor):
    response = hook("generic")({**GOOD, "occurred_at": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 202
    assert Incident.objects.get().started_at.year >= 2024
    the_site_still_works(an_editor)


def test_nul_and_lone_surrogates_in_an_alert_are_cleaned_and_stored(hook, an_editor):
    body = json.dumps({**GOOD, "title": "Disk\u0000 full \ud800 on db-1", "text": "a\u0000b"})
    response = hook("generic")(body.encode())
    assert response.status_code == 202
    assert Incident.objects.get().title == "Disk full \ufffd on db-1"
    assert [e.raw["text"] for e in TimelineEvent.objects.exclude(raw=None)] == ["ab"]
    the_site_still_works(an_editor)


def test_a_far_future_alert_is_refused(hook):
    response = hook("generic")({**GOOD, "occurred_at": "2199-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "more than a day in the future" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {"title": "Checkout down", "started_at": "0001-01-01T00:00:00+01:00"}, id="bc"
        ),
        pytest.param(
            {"title": "Checkout down", "started_at": "2024-05-01T12:00:00+20:00"}, id="offset"
        ),
        pytest.param({"title": "x" * 201}, id="long-title"),
        pytest.param({"title": ["not", "text"]}, id="wrong-type"),
    ],
)
def test_hostile_api_input_never_makes_a_500(editor_api, an_editor, body):
    response = editor_api.post("/api/incidents/", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert Incident.objects.count() == 0
    the_site_still_works(an_editor)


def test_nul_and_lone_surrogates_in_api_text_are_cleaned(editor_api, an_editor):
    body = json.dumps({"title": "Checkout \u0000down \ud83d"})
    response = editor_api.post("/api/incidents/", body, content_type="application/json")
    assert response.status_code == 201
    assert Incident.objects.get().title == "Checkout down \ufffd"
    the_site_still_works(an_editor)


def test_deep_json_to_the_api_is_a_400(editor_api):
    response = editor_api.post("/api/incidents/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert Incident.objects.count() == 0


def test_a_nul_in_a_monitor_form_config_is_cleaned_and_stored(an_editor):
    browser = Client()
    browser.force_login(an_editor)
    saved = browser.post(
        "/monitors/new/",
        {
            "name": "api",
            "kind": "keyword",
            "target": "http://127.0.0.1:9/",
            "interval_seconds": 60,
            "timeout_seconds": 5,
            "confirmations_down": 2,
            "confirmations_up": 1,
            "quorum": 1,
            "config_text": '{"keyword": "o\\u0000k\\ud800"}',
        },
    )
    assert saved.status_code == 302
    assert Monitor.objects.get().config == {"keyword": "ok\ufffd"}
    assert browser.get("/monitors/").status_code == 200
