"""Metrics of a manually run incident, computed by hand and read through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.incidents.lifecycle import acknowledge, change_status
from hindsight.incidents.services import declare_incident


@pytest.mark.django_db
def test_a_manual_incident_has_the_metrics_worked_out_by_hand(a_responder: User) -> None:
    """Started T0, detected T0+4 min, acknowledged T0+10, monitoring T0+31, resolved T0+65:
    detect 4 min = 240 s; acknowledge 10 − 4 = 6 min = 360 s; mitigate 31 min = 1860 s;
    resolve 65 min = 3900 s; customer-facing (to mitigation) 1860 s."""
    t0 = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    incident = declare_incident(
        title="Checkout 502s", started_at=t0, detected_at=t0 + timedelta(minutes=4)
    )
    acknowledge(incident=incident, actor=a_responder, at=t0 + timedelta(minutes=10))
    change_status(incident=incident, status="monitoring", at=t0 + timedelta(minutes=31))
    change_status(incident=incident, status="resolved", at=t0 + timedelta(minutes=65))
    _, secret = create_token(username=a_responder.username, name="test")
    body = Client(headers={"Authorization": f"Bearer {secret}"}).get(
        f"/api/incidents/{incident.pk}"
    )
    assert body.json()["metrics"] == {
        "time_to_detect": 240,
        "time_to_acknowledge": 360,
        "time_to_mitigate": 1860,
        "time_to_resolve": 3900,
        "customer_facing": 1860,
        "ongoing": False,
    }
