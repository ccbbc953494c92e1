"""Quorum across regions, maintenance windows that suppress alerts, TLS warnings as SEV4."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.catalog.models import Component, ComponentStatus, Service
from hindsight.incidents.models import Incident
from hindsight.monitors import services
from hindsight.monitors.models import Flip, MaintenanceWindow, Monitor, MonitorRegionState
from tests.monitors.support import make_monitor, run_round

pytestmark = pytest.mark.django_db(transaction=True)


def test_down_needs_a_quorum_of_regions(target):
    monitor = make_monitor(
        "api", target.url("/api"), regions=["eu", "us"], quorum=2, confirmations_down=1
    )
    run_round("eu")
    run_round("us")
    assert Monitor.objects.get().state == "up"
    target.status = 502
    run_round("eu")
    monitor.refresh_from_db()
    assert monitor.state == "degraded", "one region of two is not an outage"
    assert Incident.objects.count() == 0
    run_round("us")
    monitor.refresh_from_db()
    assert monitor.state == "down"
    incident = Incident.objects.get()
    text = incident.events.get(kind="monitor_down").text
    assert "eu, us" in text and "HTTP 502" in text
    regional = Flip.objects.exclude(region="").values_list("region", "new_state")
    assert set(regional) >= {("eu", "down"), ("us", "down")}


def test_a_worker_checks_only_its_region_and_region_less_monitors(target):
    make_monitor("eu only", target.url("/eu"), regions=["eu"])
    make_monitor("anywhere", target.url("/any"))
    run_round("us")
    assert target.hits == {"/any": 1}
    assert MonitorRegionState.objects.get(region="eu").last_checked_at is None


def test_a_maintenance_window_shows_maintenance_and_suppresses_the_alert(target):
    shop = Service.objects.create(name="Shop", slug="shop")
    component = Component.objects.create(name="Shop", service=shop)
    monitor = make_monitor(
        "shop", target.url("/"), service=shop, component=component, confirmations_down=1
    )
    run_round()
    now = timezone.now()
    MaintenanceWindow.objects.create(
        monitor=monitor,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        reason="Database upgrade",
    )
    target.status = 503
    run_round()
    monitor.refresh_from_db()
    assert monitor.state == "maintenance"
    assert Incident.objects.count() == 0
    assert Component.objects.get().status == ComponentStatus.MAINTENANCE
    assert Flip.objects.filter(region="").first().reason == "Maintenance started: Database upgrade"


def test_a_window_on_the_service_covers_its_monitors(target):
    shop = Service.objects.create(name="Shop", slug="shop")
    make_monitor("shop", target.url("/"), service=shop, confirmations_down=1)
    now = timezone.now()
    MaintenanceWindow.objects.create(
        service=shop, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    target.status = 500
    run_round()
    assert Monitor.objects.get().state == "maintenance"
    assert Incident.objects.count() == 0


def test_a_tls_certificate_near_expiry_opens_a_sev4_incident_not_an_outage():
    shop = Service.objects.create(name="Shop", slug="shop")
    component = Component.objects.create(name="Shop", service=shop)
    monitor = make_monitor(
        "shop tls", "shop.example.test:443", kind="tls", service=shop, component=component
    )
    Flip.objects.create(
        monitor=monitor,
        old_state="up",
        new_state="degraded",
        reason="TLS certificate expires in 9 days: at or below the warning threshold of 14 days",
        evidence={"alert": True, "error_class": "tls_expiring", "days_left": 9},
    )
    services.process_flips(worker="test")
    incident = Incident.objects.get()
    assert incident.severity == "SEV4"
    assert incident.title == "shop tls: certificate expires in 9 days"
    assert incident.fingerprints.get().fingerprint == f"monitor:{monitor.pk}:tls"
    assert Component.objects.get().status == ComponentStatus.OPERATIONAL
