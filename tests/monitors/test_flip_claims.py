"""Flips are leased like checks: each processed once, failures pushed aside, in order per monitor."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident, IncidentStatus
from hindsight.monitors import services
from hindsight.monitors.models import Flip, Monitor, MonitorIncident
from hindsight.runner import leases


def _monitors(count: int) -> list[Monitor]:
    component = Component.objects.create(name="Checkout API")
    Monitor.objects.bulk_create(
        Monitor(name=f"m{n}", target=f"http://127.0.0.1:9/{n}", component=component)
        for n in range(count)
    )
    return list(Monitor.objects.order_by("pk"))


def _flips(monitors: list[Monitor], new_state: str = "down") -> list[Flip]:
    """One waiting flip per monitor: it moves the monitor's component."""
    now = timezone.now()
    Flip.objects.bulk_create(
        Flip(
            monitor=m,
            created_at=now + timedelta(microseconds=n),
            old_state="up",
            new_state=new_state,
            evidence={"alert": False},
            next_attempt_at=now,
        )
        for n, m in enumerate(monitors)
    )
    return list(Flip.objects.order_by("pk"))


@dataclass
class Processing:
    """How often each flip was processed; flips in ``poisoned`` raise instead."""

    counts: Counter[int] = field(default_factory=Counter)
    poisoned: set[int] = field(default_factory=set)


@pytest.fixture
def processed(monkeypatch: pytest.MonkeyPatch) -> Processing:
    record = Processing()
    lock = threading.Lock()
    real = services._process

    def counting(flip: Flip) -> None:
        if flip.pk in record.poisoned:
            raise ValueError(f"flip {flip.pk} breaks processing")
        real(flip)
        with lock:
            record.counts[flip.pk] += 1

    monkeypatch.setattr(services, "_process", counting)
    return record


def _drain(worker: str, now: datetime | None = None) -> int:
    total = 0
    while done := services.process_flips(worker=worker, now=now):
        total += done
    return total


@pytest.mark.django_db(transaction=True)
def test_two_workers_process_a_backlog_of_flips_exactly_once(processed):
    flips = _flips(_monitors(400))
    shares: dict[str, int] = {}

    def work(name: str) -> None:
        try:
            shares[name] = _drain(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert processed.counts == Counter({f.pk: 1 for f in flips})
    assert sum(shares.values()) == 400
    assert not Flip.objects.filter(processed_at__isnull=True).exists()
    assert not Flip.objects.exclude(lease_owner="").exists()


@pytest.mark.django_db
def test_a_poisoned_flip_does_not_hold_up_1000_newer_ones(processed):
    flips = _flips(_monitors(1001))
    poisoned = flips[0]  # the oldest
    processed.poisoned.add(poisoned.pk)
    now = timezone.now()
    _drain("w", now)
    assert len(processed.counts) == 1000
    poisoned.refresh_from_db()
    assert (poisoned.processed_at, poisoned.attempts) == (None, 1)
    assert poisoned.last_error == f"ValueError: flip {poisoned.pk} breaks processing"
    assert poisoned.next_attempt_at > now  # pushed aside with back-off
    assert poisoned.lease_owner == ""


@pytest.mark.django_db
def test_a_flip_that_keeps_failing_is_given_up_with_its_error(processed):
    [flip] = _flips(_monitors(1))
    processed.poisoned.add(flip.pk)
    moment = timezone.now()
    for _ in range(services.FLIP_RETRY.max_attempts + 3):
        services.process_flips(worker="w", now=moment)
        moment += timedelta(hours=2)
    flip.refresh_from_db()
    assert flip.attempts == services.FLIP_RETRY.max_attempts
    assert flip.failed_at is not None
    assert "breaks processing" in flip.last_error


@pytest.mark.django_db
def test_a_killed_workers_flips_are_processed_after_their_lease(processed):
    [flip] = _flips(_monitors(1))
    now = timezone.now()
    waiting = Flip.objects.filter(processed_at__isnull=True)
    assert leases.claim(waiting, owner="killed", limit=10, lease=services.FLIP_LEASE, now=now)
    assert services.process_flips(worker="alive", now=now) == 0
    later = now + services.FLIP_LEASE + timedelta(seconds=1)
    assert services.process_flips(worker="alive", now=later) == 1
    assert processed.counts == Counter({flip.pk: 1})


@pytest.mark.django_db
def test_a_monitors_newer_flip_waits_while_its_older_one_is_in_flight(processed):
    [monitor] = _monitors(1)
    older, newer = _flips([monitor, monitor])
    now = timezone.now()
    leases.claim(
        Flip.objects.filter(pk=older.pk), owner="w1", limit=1, lease=timedelta(minutes=2), now=now
    )
    assert services.process_flips(worker="w2", now=now) == 0  # not ahead of the older one
    Flip.objects.filter(pk=older.pk).update(lease_owner="", lease_until=None)
    assert services.process_flips(worker="w2", now=now) == 2
    assert list(processed.counts) == [older.pk, newer.pk]


@pytest.mark.django_db(transaction=True)
def test_a_flip_that_needs_nothing_is_processed_when_it_is_written(target):
    from tests.monitors.support import make_all_due, make_monitor, run_round

    make_monitor("quiet", target.url("/"))  # no component: pending → up alerts nobody
    make_all_due()
    run_round()
    flip = Flip.objects.get(region="")
    assert (flip.old_state, flip.new_state) == ("pending", "up")
    assert flip.processed_at is not None and flip.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_a_monitor_is_linked_to_the_incident_it_opened_by_a_column(target, settings):
    from tests.monitors.support import make_monitor, run_round

    settings.MONITOR_RESOLVE_AFTER_SECONDS = 60
    monitor = make_monitor("api", target.url("/"))
    target.status = 500
    run_round()
    run_round()
    [link] = MonitorIncident.objects.all()
    assert (link.monitor, link.incident, link.tls) == (monitor, Incident.objects.get(), False)
    target.status = 200
    run_round()
    later = timezone.now() + timedelta(seconds=61)
    assert services.resolve_quiet_incidents(now=later) == [link.incident_id]
    assert Incident.objects.get().status == IncidentStatus.RESOLVED
