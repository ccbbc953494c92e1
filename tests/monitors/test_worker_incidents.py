"""A real worker against a real loopback server: flips open, attach to and resolve incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.catalog.models import Component, ComponentStatus, Service
from hindsight.incidents.models import EventKind, Incident, IncidentStatus
from hindsight.monitors import services
from hindsight.monitors.models import CheckResult, Flip, Monitor
from tests.monitors.support import make_monitor, run_round

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_opens_an_incident_after_confirmed_failures_and_resolves_after_the_quiet_period(
    target, settings
):
    settings.MONITOR_RESOLVE_AFTER_SECONDS = 60
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    component = Component.objects.create(name="Checkout API", service=checkout)
    monitor = make_monitor(
        "checkout health", target.url("/health"), service=checkout, component=component
    )

    run_round()
    monitor.refresh_from_db()
    assert monitor.state == "up"
    assert Incident.objects.count() == 0

    target.status = 503
    run_round()
    assert Monitor.objects.get().state == "up", "one failure is not confirmed yet"
    run_round()
    monitor.refresh_from_db()
    assert monitor.state == "down"
    incident = Incident.objects.get()
    assert incident.title == "checkout health: is down"
    assert incident.severity == "SEV3"  # the monitor's default
    assert list(incident.services.all()) == [checkout]
    down = incident.events.get(kind=EventKind.MONITOR_DOWN)
    assert "HTTP 503" in down.text and "DOWN" in down.text
    assert Component.objects.get().status == ComponentStatus.MAJOR_OUTAGE

    target.status = 200
    run_round()
    monitor.refresh_from_db()
    assert monitor.state == "up"
    assert Component.objects.get().status == ComponentStatus.OPERATIONAL
    assert incident.events.filter(kind=EventKind.MONITOR_UP).count() == 1
    services.resolve_quiet_incidents()
    assert Incident.objects.get().status != IncidentStatus.RESOLVED, "still inside the quiet period"

    later = timezone.now() + timedelta(seconds=61)
    assert services.resolve_quiet_incidents(now=later) == [incident.pk]
    assert Incident.objects.get().status == IncidentStatus.RESOLVED
    states = list(
        Flip.objects.filter(region="").order_by("id").values_list("old_state", "new_state")
    )
    assert states == [("pending", "up"), ("up", "down"), ("down", "up")]
    assert CheckResult.objects.filter(status="down").count() == 2


def test_a_second_monitor_of_the_service_attaches_to_the_open_incident(target):
    search = Service.objects.create(name="Search", slug="search")
    make_monitor("search api", target.url("/api"), service=search, confirmations_down=1)
    make_monitor("search web", target.url("/web"), service=search, confirmations_down=1)
    target.status = 500
    run_round()
    incident = Incident.objects.get()
    assert incident.events.filter(kind=EventKind.MONITOR_DOWN).count() == 2
    assert set(incident.fingerprints.values_list("fingerprint", flat=True)) == {
        f"monitor:{m.pk}" for m in Monitor.objects.all()
    }


def test_a_paused_monitor_is_not_checked(target):
    monitor = make_monitor("paused", target.url("/p"))
    services.pause_monitor(monitor=monitor)
    run_round()
    assert target.hits == {}
    assert Monitor.objects.get().state == "paused"
    services.resume_monitor(monitor=Monitor.objects.get())
    run_round()
    assert target.hits == {"/p": 1}
    assert Monitor.objects.get().state == "up"


def test_a_monitor_with_a_bad_config_is_pushed_forward_not_retried_in_a_loop(target):
    good = make_monitor("good", target.url("/good"))
    bad = make_monitor("bad", target.url("/bad"))
    Monitor.objects.filter(pk=bad.pk).update(config={"nonsense": 1})
    stats = run_round()
    assert stats.checks == 2
    assert Monitor.objects.get(pk=good.pk).state == "up"
    result = CheckResult.objects.get(monitor=bad)
    assert result.status == "down" and "Unknown config key" in result.error
    assert bad.region_states.get().next_due_at > timezone.now()
    assert target.hits == {"/good": 1}


def test_a_batch_that_fails_to_record_is_pushed_forward_and_released(target, monkeypatch):
    from hindsight.monitors import claims

    make_monitor("breaks recording", target.url("/r"))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(claims, "record_batch", broken)
    stats = run_round()
    assert stats.errors == 1 and stats.checks == 0
    slot = Monitor.objects.get().region_states.get()
    assert slot.lease_owner == "" and slot.lease_until is None
    assert slot.next_due_at > timezone.now(), "not retried in a tight loop"
