"""The three writers of a component's status meet in one rule (catalog/status.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.catalog.models import Component
from hindsight.incidents.lifecycle import change_status
from hindsight.monitors.models import Monitor
from hindsight.monitors.services import sync_component
from hindsight.statuspage import services
from hindsight.statuspage.models import StatusPage


def _monitor(component: Component, state: str) -> Monitor:
    monitor = Monitor.objects.create(
        name="checkout", target="http://127.0.0.1:9/", component=component, state=state
    )
    sync_component(monitor=monitor)
    return monitor


def _shown(component: Component) -> str:
    component.refresh_from_db()
    return component.status


@pytest.mark.django_db
def test_a_monitor_recovery_keeps_what_the_responder_said(an_incident, checkout):
    monitor = _monitor(checkout, "down")
    services.post_update(
        incident=an_incident,
        status="monitoring",
        message="Fix deployed, still degraded.",
        components={checkout: "degraded_performance"},
    )
    Monitor.objects.filter(pk=monitor.pk).update(state="up")
    sync_component(monitor=monitor)
    assert _shown(checkout) == "degraded_performance"


@pytest.mark.django_db
def test_resolving_hands_the_component_back_to_its_monitors(an_incident, checkout):
    _monitor(checkout, "down")
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Still failing.",
        components={checkout: "partial_outage"},
    )
    change_status(incident=an_incident, status="resolved")
    assert _shown(checkout) == "major_outage"


@pytest.mark.django_db
def test_maintenance_in_progress_shows_over_the_monitors(a_page: StatusPage, checkout):
    _monitor(checkout, "down")
    now = timezone.now()
    services.schedule_maintenance(
        page=a_page,
        title="Database upgrade",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        components=[checkout],
    )
    assert _shown(checkout) == "under_maintenance"
    services.tick_maintenance(now=now + timedelta(hours=2))
    assert _shown(checkout) == "major_outage"
