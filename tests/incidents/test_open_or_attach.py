"""Firings open or attach to incidents exactly; recoveries land on the open one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from hindsight.catalog.models import Service
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    IncidentFingerprint,
    TimelineEvent,
)
from hindsight.incidents.services import declare_incident, open_or_attach, record_recovery


def _fire(fingerprint: str, service: Service | None = None, key: str | None = None, **kw):  # type: ignore[no-untyped-def]
    return open_or_attach(
        service=service,
        fingerprint=fingerprint,
        title=kw.pop("title", f"{fingerprint} is down"),
        severity=kw.pop("severity", "SEV2"),
        source=kw.pop("source", EventSource.MONITOR),
        text=kw.pop("text", f"{fingerprint} went down"),
        idempotency_key=key,
        kind=kw.pop("kind", EventKind.MONITOR_DOWN),
        **kw,
    )


@pytest.mark.django_db
def test_it_opens_an_incident_for_a_new_fingerprint() -> None:
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    incident, created = _fire("monitor:7", checkout, occurred_at=at)
    assert created
    assert (incident.title, incident.severity, incident.started_at) == (
        "monitor:7 is down",
        "SEV2",
        at,
    )
    assert [s.slug for s in incident.services.all()] == ["checkout"]
    kinds = list(incident.events.values_list("kind", "source"))
    assert kinds == [("declared", "system"), ("monitor_down", "monitor")]


@pytest.mark.django_db
def test_it_attaches_to_the_open_incident_for_the_same_fingerprint_or_service() -> None:
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    first, _ = _fire("monitor:7", checkout)
    again, created_again = _fire("monitor:7", checkout, text="still down")
    other, created_other = _fire("alert:cpu", checkout, text="cpu high")
    assert (again.pk, created_again) == (first.pk, False)
    assert (other.pk, created_other) == (first.pk, False)
    assert Incident.objects.count() == 1
    assert sorted(first.fingerprints.values_list("fingerprint", flat=True)) == [
        "alert:cpu",
        "monitor:7",
    ]


@pytest.mark.django_db
def test_a_firing_after_resolution_opens_a_new_incident() -> None:
    first, _ = _fire("monitor:7")
    change_status(incident=first, status="resolved")
    second, created = _fire("monitor:7")
    assert created
    assert second.pk != first.pk


@pytest.mark.django_db
def test_the_same_delivery_twice_adds_nothing_even_after_resolution() -> None:
    first, _ = _fire("monitor:7", key="flip-1")
    change_status(incident=first, status="resolved")
    again, created = _fire("monitor:7", key="flip-1")
    assert (again.pk, created) == (first.pk, False)
    assert Incident.objects.count() == 1
    assert TimelineEvent.objects.filter(idempotency_key="flip-1").count() == 1


@pytest.mark.django_db
def test_recovery_lands_on_the_open_incident_only() -> None:
    incident, _ = _fire("monitor:7")
    recovered = record_recovery(
        fingerprint="monitor:7", source=EventSource.MONITOR, text="back up", idempotency_key="up-1"
    )
    record_recovery(
        fingerprint="monitor:7", source=EventSource.MONITOR, text="back up", idempotency_key="up-1"
    )
    assert recovered is not None and recovered.pk == incident.pk
    ups = incident.events.filter(kind=EventKind.MONITOR_UP)
    assert list(ups.values_list("text", flat=True)) == ["back up"]
    assert record_recovery(fingerprint="never-seen", source="monitor", text="up") is None
    change_status(incident=incident, status="resolved")
    assert record_recovery(fingerprint="monitor:7", source="monitor", text="up again") is None


@pytest.mark.django_db
def test_a_manually_declared_incident_gets_the_firing_of_its_service() -> None:
    search = Service.objects.create(name="Search", slug="search")
    declared = declare_incident(title="Search slow", services=[search])
    incident, created = _fire("alert:latency", search)
    assert (incident.pk, created) == (declared.pk, False)


@pytest.mark.django_db
def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        _fire("  ")
    with pytest.raises(ValueError, match="severity"):
        _fire("x", severity="SEV9")
    assert Incident.objects.count() == 0


def _in_threads(count: int, work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_firings_of_one_fingerprint_open_exactly_one_incident() -> None:
    errors = _in_threads(8, lambda n: _fire("monitor:race", key=f"flip-{n}"))
    assert errors == []
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.events.filter(kind=EventKind.MONITOR_DOWN).count() == 8
    assert IncidentFingerprint.objects.filter(active=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_firings_of_one_service_open_exactly_one_incident() -> None:
    api = Service.objects.create(name="API", slug="api")
    errors = _in_threads(6, lambda n: _fire(f"alert:{n}", api, key=f"k-{n}"))
    assert errors == []
    assert Incident.objects.count() == 1
    assert IncidentFingerprint.objects.filter(active=True).count() == 6
