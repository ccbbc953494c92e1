"""Monitor noise under control: grouping, severity per monitor, titles, honest times,
pausing and deleting (hindsight/monitors/outages.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.catalog.models import Component, Service
from hindsight.core.metrics import incident_metrics
from hindsight.incidents.lifecycle import acknowledge
from hindsight.incidents.models import EventKind, Incident
from hindsight.monitors import services
from hindsight.monitors.models import CheckResult, Flip, Monitor

pytestmark = pytest.mark.django_db

# An hour ago on the minute (the times of flips and checks are in the past).
T0 = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)


def _monitor(name: str, **fields: object) -> Monitor:
    return Monitor.objects.create(name=name, target=f"http://127.0.0.1:9/{name}", **fields)


def _down(monitor: Monitor, at: datetime, **evidence: object) -> None:
    Monitor.objects.filter(pk=monitor.pk).update(state="down", state_since=at)
    Flip.objects.create(
        monitor=monitor,
        created_at=at,
        next_attempt_at=at,
        old_state="up",
        new_state="down",
        reason="HTTP 503",
        evidence={"alert": True, "status_code": 503, **evidence},
    )
    services.process_flips(worker="test", now=at)


def _up(monitor: Monitor, at: datetime) -> None:
    Monitor.objects.filter(pk=monitor.pk).update(state="up", state_since=at)
    Flip.objects.create(
        monitor=monitor,
        created_at=at,
        next_attempt_at=at,
        old_state="down",
        new_state="up",
        evidence={"alert": True},
    )
    services.process_flips(worker="test", now=at)


def test_three_monitors_of_one_service_open_one_incident() -> None:
    shop = Service.objects.create(name="Shop", slug="shop")
    monitors = [_monitor(n, service=shop) for n in ("http", "keyword", "api")]
    for n, monitor in enumerate(monitors):
        _down(monitor, T0 + timedelta(seconds=30 * n))
    assert Incident.objects.count() == 1
    assert Incident.objects.get().events.filter(kind=EventKind.MONITOR_DOWN).count() == 3


def test_monitors_of_one_component_share_an_incident_without_a_service() -> None:
    checkout = Component.objects.create(name="Checkout")
    _down(_monitor("a", component=checkout), T0)
    _down(_monitor("b", component=checkout), T0 + timedelta(minutes=1))
    assert Incident.objects.count() == 1


def test_an_outage_after_the_grouping_window_opens_its_own_incident(settings) -> None:
    settings.MONITOR_GROUP_WINDOW_SECONDS = 600
    shop = Service.objects.create(name="Shop", slug="shop")
    _down(_monitor("a", service=shop), T0)
    _down(_monitor("b", service=shop), T0 + timedelta(minutes=11))
    assert Incident.objects.count() == 2


def test_the_severity_is_the_monitors_and_sev3_by_default() -> None:
    _down(_monitor("plain"), T0)
    _down(_monitor("payments", config={"severity": "SEV1"}), T0)
    assert dict(Incident.objects.values_list("title", "severity")) == {
        "plain: is down": "SEV3",
        "payments: is down": "SEV1",
    }


def test_a_certificate_trust_finding_is_titled_as_what_it_is() -> None:
    _down(_monitor("shop tls", kind="tls"), T0, error_class="tls_self_signed")
    assert Incident.objects.get().title == "shop tls: TLS certificate is not trusted (self-signed)"


def test_an_auto_resolved_incident_has_honest_metrics(settings) -> None:
    """Checks every 60 s from T0, down confirmed on the second failure, up at T0+5 min,
    quiet period 300 s.

    started = first failed check T0+1; detected = confirmation T0+2;
    resolved = recovery T0+5 (not T0+10, when the quiet period ended);
    nobody acknowledged. So: detect 60 s, acknowledge none, resolve 240 s,
    customer-facing 240 s.
    """
    settings.MONITOR_RESOLVE_AFTER_SECONDS = 300
    monitor = _monitor("checkout")
    for minute, status in ((0, "up"), (1, "down"), (2, "down")):
        CheckResult.objects.create(
            monitor=monitor, checked_at=T0 + timedelta(minutes=minute), status=status
        )
    _down(monitor, T0 + timedelta(minutes=2))
    _up(monitor, T0 + timedelta(minutes=5))
    assert services.resolve_quiet_incidents(now=T0 + timedelta(minutes=10, seconds=1))
    incident = Incident.objects.get()
    values = incident_metrics(
        started=incident.started_at,
        detected=incident.detected_at,
        acknowledged=incident.acknowledged_at,
        mitigated=incident.mitigated_at,
        resolved=incident.resolved_at,
        now=T0 + timedelta(hours=1),
    ).as_seconds()
    assert values == {
        "time_to_detect": 60,
        "time_to_acknowledge": None,
        "time_to_mitigate": 240,
        "time_to_resolve": 240,
        "customer_facing": 240,
    }


def test_pausing_a_monitor_resolves_the_incident_nobody_took_on() -> None:
    monitor = _monitor("checkout")
    _down(monitor, T0)
    services.pause_monitor(monitor=monitor, now=T0 + timedelta(minutes=3))
    incident = Incident.objects.get()
    assert incident.status == "resolved"
    assert incident.events.filter(text__contains="'checkout' was paused").count() == 1


def test_pausing_detaches_but_leaves_an_acknowledged_incident_to_its_responders(
    a_responder,
) -> None:
    monitor = _monitor("checkout")
    _down(monitor, T0)
    acknowledge(incident=Incident.objects.get(), actor=a_responder, at=T0 + timedelta(minutes=1))
    services.pause_monitor(monitor=monitor, now=T0 + timedelta(minutes=3))
    incident = Incident.objects.get()
    assert incident.status == "investigating"
    assert incident.fingerprints.filter(active=True).count() == 0


def test_deleting_a_monitor_detaches_it_with_a_timeline_event() -> None:
    monitor = _monitor("checkout")
    _down(monitor, T0)
    monitor.delete()
    incident = Incident.objects.get()
    assert incident.status == "resolved"
    assert incident.events.filter(text__contains="'checkout' was deleted").count() == 1


def test_the_monitor_and_its_incident_link_to_each_other(the_viewer) -> None:
    monitor = _monitor("checkout")
    _down(monitor, T0)
    incident = Incident.objects.get()
    client = Client()
    client.force_login(the_viewer)
    monitor_page = client.get(f"/monitors/{monitor.pk}/").content.decode()
    incident_page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/incidents/{incident.pk}/">#{incident.pk} checkout: is down</a>' in monitor_page
    assert f'href="/monitors/{monitor.pk}/">checkout</a>' in incident_page


def test_uptime_counts_the_latest_checks_not_rolled_up_yet() -> None:
    from hindsight.monitors.storage import uptime

    monitor = _monitor("checkout")
    now = timezone.now()
    for n, status in enumerate(("up", "up", "down", "down")):
        CheckResult.objects.create(
            monitor=monitor, checked_at=now - timedelta(minutes=4 - n), status=status
        )
    assert uptime(monitor_ids=[monitor.pk], now=now)[monitor.pk]["24h"] == 50.0
