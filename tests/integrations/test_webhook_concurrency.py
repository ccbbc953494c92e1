"""The same alert delivered concurrently (e.g. by an HA Alertmanager pair) is stored once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from hindsight.incidents.models import EventKind, Incident, TimelineEvent
from hindsight.integrations.services import create_integration

AM = "prometheus-msteams__prometheus-msteams__prom_post_request.json"


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_deliveries_open_one_incident_with_one_event(alerts) -> None:  # type: ignore[no-untyped-def]
    _, token = create_integration(name="am", kind="alertmanager")
    body = alerts(AM)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                f"/integrations/hooks/alertmanager/{token}/", body, content_type="application/json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [202] * 4
    assert Incident.objects.count() == 1
    assert TimelineEvent.objects.filter(kind=EventKind.ALERT_FIRING).count() == 1
