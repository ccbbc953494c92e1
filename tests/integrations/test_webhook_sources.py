"""Each source's real payloads open, attach and resolve incidents; re-sends add nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hindsight.catalog.models import Service
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.models import EventKind, Incident, TimelineEvent

AM = "prometheus-msteams__prometheus-msteams__prom_post_request.json"
AM_TESTDATA = "prometheus__alertmanager__notify-exec-testdata-success.json"
GRAFANA = "grafana__grafana__webhook-notifier-example.json"
PD_TRIGGERED = "zulip__zulip__pagerduty-triggered_v3.json"
PD_RESOLVED = "zulip__zulip__pagerduty-resolved_v3.json"
PD_PRIORITY = "PagerDuty__developer-docs__v3-incident.priority_updated.json"
PD_SERVICE = "PagerDuty__developer-docs__v3-service.updated.json"


def _resolved(body: bytes) -> bytes:
    payload = json.loads(body)
    payload["status"] = "resolved"
    for alert in payload["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2018-03-07T07:03:21.873077559-05:00"
    return json.dumps(payload).encode()


def test_alertmanager_firing_opens_and_resolved_adds_an_event(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")
    response = deliver(alerts(AM))
    assert response.status_code == 202
    incident = Incident.objects.get()
    assert response.json()["opened"] == [incident.pk]
    assert (incident.title, incident.severity) == ("Server High Memory usage", "SEV3")
    # Nanosecond Alertmanager times are kept to the microsecond, in UTC.
    assert incident.started_at == datetime(2018, 3, 7, 11, 33, 21, 873077, tzinfo=UTC)
    firing = incident.events.get(kind=EventKind.ALERT_FIRING)
    assert firing.source == "alertmanager"
    assert firing.text.startswith(
        "high_memory_load firing: Server High Memory usage — 10.80.40.11 reported high memory"
    )
    assert firing.raw["labels"]["instance"] == "instance-with-hyphen_and_underscore"
    resolved = deliver(_resolved(alerts(AM)))
    assert resolved.json()["resolved"] == [incident.pk]
    event = incident.events.get(kind=EventKind.ALERT_RESOLVED)
    assert event.occurred_at == datetime(2018, 3, 7, 12, 3, 21, 873077, tzinfo=UTC)


def test_alertmanager_testdata_with_zero_times_uses_the_receive_time(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")
    assert deliver(alerts(AM_TESTDATA)).status_code == 202
    incident = Incident.objects.get()
    assert incident.started_at.year >= 2026
    assert incident.fingerprints.get().fingerprint == "alertmanager:4ea129fd903f0e45"


def test_the_same_payload_twice_adds_nothing(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("alertmanager")
    deliver(alerts(AM))
    count = TimelineEvent.objects.count()
    again = deliver(alerts(AM))
    assert again.status_code == 202
    assert again.json() == {
        "opened": [],
        "attached": [],
        "resolved": [],
        "updated": [],
        "duplicates": 1,
        "ignored": 0,
        "held": 0,
    }
    assert TimelineEvent.objects.count() == count
    assert Incident.objects.count() == 1


def test_grafana_two_alerts_open_one_incident_for_the_service(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    infra = Service.objects.create(name="Infra", slug="infra")
    deliver = hook("grafana", service=infra)
    body = deliver(alerts(GRAFANA)).json()
    incident = Incident.objects.get()
    assert body["opened"] == [incident.pk]
    assert body["attached"] == [incident.pk]
    assert incident.title == "This alert was triggered for zone us-1"
    assert sorted(incident.fingerprints.values_list("fingerprint", flat=True)) == [
        "grafana:bc97ff14869b13e3",
        "grafana:c6eadffa33fcdf37",
    ]
    assert incident.events.filter(kind=EventKind.ALERT_FIRING, source="grafana").count() == 2
    assert list(incident.services.values_list("slug", flat=True)) == ["infra"]


def test_pagerduty_triggered_then_resolved_and_updates(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("pagerduty")
    deliver(alerts(PD_TRIGGERED))
    incident = Incident.objects.get()
    assert (incident.title, incident.severity) == ("Test Incident 3", "SEV2")
    assert incident.started_at == datetime(2021, 6, 4, 13, 35, 29, 781000, tzinfo=UTC)
    text = incident.events.get(kind=EventKind.ALERT_FIRING).text
    assert text == "PagerDuty #9 triggered: Test Incident 3 (service pig208) — by PIG 208"
    # The resolved sample is about another PagerDuty incident: nothing is open
    # for it, so it is held until that incident's trigger arrives.
    assert deliver(alerts(PD_RESOLVED)).json()["held"] == 1
    resolved = json.loads(alerts(PD_RESOLVED))
    resolved["event"]["data"]["id"] = "PFQZPSY"
    resolved["event"]["id"] += "-for-PFQZPSY"  # another event, not a redelivery
    assert deliver(resolved).json()["resolved"] == [incident.pk]
    assert incident.events.filter(kind=EventKind.ALERT_RESOLVED, source="pagerduty").count() == 1
    assert deliver(alerts(PD_SERVICE)).json()["ignored"] == 0
    assert deliver(alerts(PD_PRIORITY)).json()["ignored"] == 1


def test_pagerduty_priority_maps_to_severity(hook, alerts) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("pagerduty")
    payload = json.loads(alerts(PD_PRIORITY))
    payload["event"]["event_type"] = "incident.triggered"
    payload["event"]["id"] = "triggered-earlier"
    deliver(payload)
    incident = Incident.objects.get()
    assert (incident.title, incident.severity) == ("A little bump in the road", "SEV1")
    deliver(json.loads(alerts(PD_PRIORITY)))
    assert (
        incident.events.filter(kind=EventKind.NOTE)
        .get()
        .text.startswith("PagerDuty #2 priority updated: A little bump in the road")
    )


def test_generic_json_fires_and_resolves_with_service_and_id(hook) -> None:  # type: ignore[no-untyped-def]
    Service.objects.create(name="Billing", slug="billing")
    deliver = hook("generic")
    fire = {
        "status": "firing",
        "fingerprint": "billing-queue",
        "title": "Billing queue backed up",
        "severity": "SEV2",
        "service": "billing",
        "occurred_at": "2024-05-01T12:00:00+02:00",
        "id": "evt-1",
    }
    assert deliver(fire).status_code == 202
    incident = Incident.objects.get()
    assert incident.started_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert list(incident.services.values_list("slug", flat=True)) == ["billing"]
    assert deliver(fire).json()["duplicates"] == 1
    batch = {"alerts": [{"status": "resolved", "fingerprint": "billing-queue", "text": "drained"}]}
    assert deliver(batch).json()["resolved"] == [incident.pk]
    change_status(incident=incident, status="resolved")
    assert deliver({**fire, "id": "evt-2"}).json()["opened"] != [incident.pk]
    assert Incident.objects.count() == 2
