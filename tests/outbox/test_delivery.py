"""One outbox: leased per destination, retried with back-off, dead letters, exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.outbox import services
from hindsight.outbox.models import Delivery, Destination
from hindsight.runner import leases
from tests.outbox.conftest import queue


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_a_backlog_exactly_once(tally):
    backlog = queue(300, destinations=30)
    done: dict[str, tuple[int, int]] = {}

    def work(name: str) -> None:
        try:
            done[name] = services.deliver_due(worker=name)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counter(tally.sent) == Counter(str(d.pk) for d in backlog)  # each once, none lost
    assert sum(sent for sent, _ in done.values()) == 300
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_a_refused_delivery_does_not_hold_up_1000_others(tally):
    [poisoned] = queue(1)  # the oldest, and on the same destination as the rest
    tally.refuse.add(str(poisoned.pk))
    others = queue(1000, destinations=3)
    # One clock for the whole pass: however long 1,000 sends take, the refused
    # one's back-off has not run out within it, so it is tried exactly once.
    assert services.deliver_due(worker="w", now=timezone.now()) == (1000, 1)
    assert set(tally.sent) == {str(d.pk) for d in others}
    poisoned.refresh_from_db()
    assert (poisoned.state, poisoned.attempts) == ("pending", 1)  # pushed aside, to retry later


@pytest.mark.django_db
def test_a_refused_delivery_is_retried_with_its_error_and_backs_off_alone(tally):
    [refused] = queue(1, prefix="picky")
    tally.refuse.add("picky:0")
    now = timezone.now()
    assert services.deliver_due(worker="w", now=now) == (0, 1)
    refused.refresh_from_db()
    assert (refused.attempts, refused.last_error) == (1, "HTTP 400 from the test receiver")
    assert timedelta(seconds=22) <= refused.next_attempt_at - now <= timedelta(seconds=38)
    # A refusal is about one message: the destination itself does not back off.
    assert Destination.objects.get(key="picky:0").attempts == 0


@pytest.mark.django_db
def test_the_last_failed_attempt_makes_a_dead_letter(tally):
    tally.refuse.add("picky:0")
    [refused] = queue(1, prefix="picky")
    moment = timezone.now()
    for _ in range(services.RETRY.max_attempts + 3):
        services.deliver_due(worker="w", now=moment)
        moment += timedelta(hours=2)
    refused.refresh_from_db()
    assert (refused.state, refused.attempts) == ("dead", services.RETRY.max_attempts)
    assert refused.finished_at is not None


@pytest.mark.django_db
def test_a_killed_workers_destination_is_taken_over_when_its_lease_ends(tally):
    [delivery] = queue(1)
    now = timezone.now()
    # A worker leased the destination and died before sending anything.
    waiting = Destination.objects.filter(pk=delivery.destination_id)
    assert leases.claim(waiting, owner="killed", limit=1, lease=services.LEASE, now=now)
    assert services.deliver_due(worker="alive", now=now) == (0, 0)
    assert services.deliver_due(
        worker="alive", now=now + services.LEASE + timedelta(seconds=1)
    ) == (
        1,
        0,
    )
    assert tally.sent == [str(delivery.pk)]


@pytest.mark.django_db
def test_a_delivery_written_in_a_rolled_back_transaction_is_never_sent(tally):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        queue(1)
        raise RuntimeError("the change failed")
    assert services.deliver_due(worker="w") == (0, 0)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_delivery_with_an_unknown_sender_waits_with_a_clear_error():
    services.enqueue(sender="nobody", destination="x:1", label="x", event="e", payload={})
    assert services.deliver_due(worker="w") == (0, 1)
    assert Delivery.objects.get().last_error == "No sender 'nobody' is registered"


@pytest.mark.django_db
def test_a_stopping_worker_sends_no_more_and_leaves_the_rest_due(tally):
    backlog = queue(5)

    def stopped() -> bool:
        return len(tally.sent) >= 2  # SIGTERM arrives after the second send

    services.deliver_next(worker="w", stopped=stopped)
    assert tally.sent == [str(d.pk) for d in backlog[:2]]
    states = Counter(Delivery.objects.values_list("state", flat=True))
    assert states == {"delivered": 2, "pending": 3}
    assert not Destination.objects.exclude(lease_owner="").exists(), "lease dropped"
