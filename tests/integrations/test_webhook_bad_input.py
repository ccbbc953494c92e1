"""Bad deliveries get a 4xx JSON error and write nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.integrations.services import MAX_BODY_BYTES

GOOD = {"status": "firing", "fingerprint": "f1", "title": "Disk full"}


def _nothing_written() -> None:
    assert Incident.objects.count() == 0
    assert TimelineEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "code", "detail"),
    [
        (b"{not json", 400, "malformed_json", "The body is not valid JSON"),
        (b"[1, 2]", 400, "invalid", "must be a JSON object"),
        ({**GOOD, "colour": "red"}, 400, "unknown_field", "unknown field(s) colour"),
        ({**GOOD, "status": "exploded"}, 400, "unknown_status", "got 'exploded'"),
        (
            {**GOOD, "occurred_at": "yesterday"},
            400,
            "bad_timestamp",
            "'yesterday' is not an ISO 8601",
        ),
        ({**GOOD, "occurred_at": "2024-13-45T99:00:00Z"}, 400, "bad_timestamp", "not a valid time"),
        ({**GOOD, "severity": "SEV9"}, 400, "invalid", "severity: expected one of"),
        ({"status": "firing", "fingerprint": "f"}, 400, "invalid", "title: required"),
    ],
)
def test_generic_bad_input(hook, body, status, code, detail) -> None:  # type: ignore[no-untyped-def]
    response = hook("generic")(body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert detail in response.json()["detail"]
    _nothing_written()


def test_a_bad_alert_late_in_a_batch_writes_nothing(hook) -> None:  # type: ignore[no-untyped-def]
    batch = {"alerts": [GOOD, {**GOOD, "fingerprint": "f2"}, {**GOOD, "occurred_at": "nope"}]}
    response = hook("generic")(batch)
    assert response.status_code == 400
    assert "alerts[2].occurred_at" in response.json()["detail"]
    _nothing_written()


def test_an_oversized_body_is_refused(hook) -> None:  # type: ignore[no-untyped-def]
    big = json.dumps({**GOOD, "text": "x" * (MAX_BODY_BYTES + 10)}).encode()
    response = hook("generic")(big)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    _nothing_written()


def test_wrong_token_wrong_kind_and_unknown_kind(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")
    client = Client()
    wrong = client.post(
        "/integrations/hooks/alertmanager/hsi_wrong/", b"{}", content_type="application/json"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthorized")
    other_kind = client.post(
        f"/integrations/hooks/grafana/{deliver.token}/", b"{}", content_type="application/json"
    )
    assert other_kind.status_code == 401
    unknown = client.post(
        f"/integrations/hooks/opsgenie/{deliver.token}/",
        alerts("zulip__zulip__opsgenie-create.json"),
        content_type="application/json",
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_kind")
    assert client.get(f"/integrations/hooks/alertmanager/{deliver.token}/").status_code == 405
    _nothing_written()


def test_a_foreign_payload_on_a_source_is_refused(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    opsgenie = alerts("zulip__zulip__opsgenie-create.json")
    am = hook("alertmanager")(opsgenie)
    assert (am.status_code, am.json()["detail"]) == (400, "expected a non-empty 'alerts' list")
    pd = hook("pagerduty")(opsgenie)
    assert (pd.status_code, pd.json()["detail"]) == (400, "event: expected a JSON object")
    _nothing_written()


def test_a_disabled_integration_refuses(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    deliver.integration.enabled = False
    deliver.integration.save()
    assert deliver(GOOD).status_code == 401
    _nothing_written()
