"""The incident list writes durations the way the incident page and the draft do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.incidents import lifecycle
from hindsight.incidents.models import Incident
from hindsight.incidents.services import declare_incident

pytestmark = pytest.mark.django_db


def test_a_resolved_incident_lists_its_length_in_the_one_format(the_viewer: User) -> None:
    incident = declare_incident(title="Checkout errors", severity="SEV2")
    lifecycle.change_status(incident=incident, status="resolved")
    Incident.objects.filter(pk=incident.pk).update(
        resolved_at=incident.started_at + timedelta(hours=1, minutes=5)
    )
    client = Client()
    client.force_login(the_viewer)
    assert "<td>1 h 05 min</td>" in client.get("/incidents/").content.decode()
