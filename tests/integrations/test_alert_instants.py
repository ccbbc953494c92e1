"""Alert idempotency compares times as instants: one alert in another precision is one event."""

from __future__ import annotations

import json

import pytest

from hindsight.incidents.models import EventKind, Incident, TimelineEvent

AM = "prometheus-msteams__prometheus-msteams__prom_post_request.json"


def _at(body: bytes, starts_at: str) -> bytes:
    payload = json.loads(body)
    for alert in payload["alerts"]:
        alert["startsAt"] = starts_at
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    "again", ["2026-11-30T10:00:00.000Z", "2026-11-30T10:00:00+00:00", "2026-11-30T11:00:00+01:00"]
)
def test_alertmanager_startsat_in_another_spelling_is_the_same_alert(hook, alerts, again) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")

    first = deliver(_at(alerts(AM), "2026-11-30T10:00:00Z"))
    repeat = deliver(_at(alerts(AM), again))

    assert (first.status_code, repeat.status_code) == (202, 202)
    assert Incident.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=EventKind.ALERT_FIRING).count() == 1


def test_alertmanager_a_later_startsat_is_a_new_firing(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")

    deliver(_at(alerts(AM), "2026-11-30T10:00:00Z"))
    deliver(_at(alerts(AM), "2026-11-30T10:00:00.001Z"))

    assert TimelineEvent.objects.filter(kind=EventKind.ALERT_FIRING).count() == 2


def test_generic_occurred_at_in_another_precision_is_the_same_alert(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    alert = {"status": "firing", "fingerprint": "disk-full", "title": "Disk full"}

    deliver({**alert, "occurred_at": "2026-11-30T10:00:00Z"})
    deliver({**alert, "occurred_at": "2026-11-30T10:00:00.000000+00:00"})

    assert TimelineEvent.objects.filter(kind=EventKind.ALERT_FIRING).count() == 1
