"""The demo data a first start creates."""

from __future__ import annotations

import pytest

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.monitors.models import CheckRollup, Monitor
from hindsight.postmortems.models import PostMortem
from hindsight.web.demo import seed

pytestmark = pytest.mark.django_db


def test_the_demo_has_incidents_and_ninety_days_of_uptime():
    seed(web_url="http://127.0.0.1:8000/")
    # Besides a year of closed incidents for the library (demo_library).
    assert sorted(Incident.objects.exclude(status="closed").values_list("status", flat=True)) == [
        "investigating",
        "resolved",
    ]
    checkout = Component.objects.get(name="Checkout")
    days = CheckRollup.objects.filter(monitor__component=checkout, period="day")
    assert days.count() == 90
    resolved = Incident.objects.get(status="resolved")
    outage_day = days.get(bucket_start__date=resolved.started_at.date())
    assert outage_day.checks - outage_day.up_checks >= 31  # the 31-minute outage
    # History monitors are paused: the demo never sends traffic anywhere.
    assert set(
        Monitor.objects.filter(name__endswith="(demo history)").values_list("paused", flat=True)
    ) == {True}
    live = Monitor.objects.get(paused=False)
    assert live.target == "http://127.0.0.1:8000/healthz"


def test_the_demo_has_a_postmortem_in_review_with_action_items_and_a_comment():
    seed(web_url="http://127.0.0.1:8000/")
    postmortem = PostMortem.objects.get(incident__title__startswith="Checkout failing")
    owners = sorted(postmortem.action_items.values_list("owner__username", flat=True))
    assert (postmortem.status, owners, postmortem.comments.count()) == (
        "in_review",
        ["maria", "sam"],
        1,
    )
