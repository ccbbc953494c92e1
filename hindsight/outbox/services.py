"""The outbox: write a delivery with the change that causes it; workers send it.

``enqueue`` writes a ``Delivery`` in the caller's transaction, so a crash
between "incident opened" and "message sent" loses nothing, and a rollback
sends nothing. The ``deliveries`` job calls ``deliver_next``: lease one
destination whose deliveries are due, send them oldest first, record each
outcome, drop the lease. Every delivery follows one retry policy
(``RETRY``): exponential back-off with jitter, and after the last attempt it
becomes a dead letter that an admin can retry or discard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.outbox.models import Delivery, DeliveryState, Destination
from hindsight.outbox.senders import SENDERS, DeliveryError, Undeliverable
from hindsight.runner import leases, wakeups
from hindsight.runner.registry import Retry

log = logging.getLogger(__name__)

RETRY = Retry(first_seconds=30, cap_seconds=3600, max_attempts=settings.OUTBOX_MAX_ATTEMPTS)
JOB = "deliveries"
# A destination's lease, renewed before each delivery: one send (10 s timeout) and its record.
LEASE = timedelta(seconds=60)
BATCH = 50  # deliveries sent per lease; then the destination goes to the back of the line


def enqueue(
    *, sender: str, destination: str, label: str, event: str, payload: dict[str, Any]
) -> Delivery:
    """Write one delivery in the current transaction and wake the workers' delivery queue."""
    place = Destination.objects.filter(key=destination).first()
    if place is None:
        try:
            with transaction.atomic():  # a savepoint: losing the race keeps the caller's work
                place = Destination.objects.create(key=destination, label=label[:300])
        except IntegrityError:
            place = Destination.objects.get(key=destination)
    elif place.label != label[:300]:
        Destination.objects.filter(pk=place.pk).update(label=label[:300])
    delivery = Delivery.objects.create(
        destination=place, sender=sender, event=event, payload=payload
    )
    wakeups.notify(JOB)
    return delivery


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed


def deliver_next(
    *, worker: str, now: datetime | None = None, stopped: Callable[[], bool] = lambda: False
) -> int:
    """Lease one destination with due deliveries and send them, until `stopped()`; return
    how many were tried."""
    return _serve_one(worker=worker, now=now or timezone.now(), stopped=stopped).attempted


def deliver_due(*, worker: str = "outbox", now: datetime | None = None) -> tuple[int, int]:
    """Send everything due, destination by destination, in this thread; return (sent, failed)."""
    total = Outcome()
    while True:
        outcome = _serve_one(worker=worker, now=now or timezone.now())
        if not outcome.attempted:
            return total.sent, total.failed
        total.sent += outcome.sent
        total.failed += outcome.failed


def _serve_one(
    *, worker: str, now: datetime, stopped: Callable[[], bool] = lambda: False
) -> Outcome:
    if not Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).exists():
        return Outcome()  # the usual answer, found with the cheapest query
    due = Delivery.objects.filter(
        destination=OuterRef("pk"), state=DeliveryState.PENDING, next_attempt_at__lte=now
    )
    waiting = Destination.objects.filter(Exists(due)).order_by(
        F("served_at").asc(nulls_first=True), "pk"
    )
    ids = leases.claim(waiting, owner=worker, limit=1, lease=LEASE, now=now)
    outcome = Outcome()
    if not ids:
        return outcome
    Destination.objects.filter(pk=ids[0]).update(served_at=timezone.now())
    batch = Delivery.objects.filter(
        destination_id=ids[0], state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).select_related("destination")
    try:
        for delivery in batch.order_by("created_at", "id")[:BATCH]:
            if stopped():
                break  # the worker is stopping: the rest stay due for the next one
            # Renew the lease; a worker that lost it (stalled past it) stops here.
            held = Destination.objects.filter(pk=ids[0], lease_owner=worker).update(
                lease_until=now + LEASE
            )
            if not held:
                break
            sent, destination_down = _attempt(delivery, worker=worker, now=now)
            if sent:
                outcome.sent += 1
            else:
                outcome.failed += 1
            if destination_down:
                break  # the rest wait out the destination's back-off, in order
    finally:
        Destination.objects.filter(pk=ids[0], lease_owner=worker).update(
            lease_owner="", lease_until=None
        )
    return outcome


def _attempt(delivery: Delivery, *, worker: str, now: datetime) -> tuple[bool, bool]:
    """Send one delivery and record the outcome; return (sent, destination is down)."""
    sender = SENDERS.get(delivery.sender)
    try:
        if sender is None:
            raise DeliveryError(
                f"No sender {delivery.sender!r} is registered", destination_down=False
            )
        sender.send(delivery)
    except Undeliverable as exc:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DISCARDED, last_error=str(exc)[:500], finished_at=timezone.now()
        )
        log.info("delivery %s dropped: %s", delivery.pk, exc)
        return False, False
    except DeliveryError as exc:
        error, down, wait = str(exc), exc.destination_down, exc.retry_after
    except Exception as exc:  # a bug in one sender or payload: this delivery only
        log.exception("delivery %s raised", delivery.pk)
        error, down, wait = f"{type(exc).__name__}: {exc}", False, None
    else:
        finished = timezone.now()
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DELIVERED,
            attempts=F("attempts") + 1,
            last_attempt_at=finished,
            finished_at=finished,
            last_error="",
        )
        Destination.objects.filter(pk=delivery.destination_id).exclude(attempts=0).update(
            attempts=0, last_error=""
        )
        return True, False
    _record_failure(
        delivery, error=error, destination_down=down, worker=worker, now=now, retry_after=wait
    )
    return False, down


def _record_failure(
    delivery: Delivery,
    *,
    error: str,
    destination_down: bool,
    worker: str,
    now: datetime,
    retry_after: float | None = None,
) -> None:
    attempts = delivery.attempts + 1
    dead = RETRY.exhausted(attempts)
    asked = timedelta(seconds=retry_after or 0)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        last_error=error[:500],
        last_attempt_at=timezone.now(),
        next_attempt_at=now + max(RETRY.delay(attempts), asked),
        state=DeliveryState.DEAD if dead else DeliveryState.PENDING,
        finished_at=timezone.now() if dead else None,
    )
    destination = delivery.destination
    if destination_down:
        failures = destination.attempts + 1
        Destination.objects.filter(pk=destination.pk).update(
            attempts=failures,
            last_error=error[:500],
            next_attempt_at=now + max(RETRY.delay(failures), asked),
        )
    log.warning(
        "delivery %s (%s) to %s failed, attempt %s%s: %s",
        delivery.pk,
        delivery.event,
        destination.label,
        attempts,
        ", given up" if dead else "",
        error[:200],
    )
    sender = SENDERS.get(delivery.sender)
    if dead and sender is not None and sender.on_dead is not None:
        sender.on_dead(delivery)


def retry(*, delivery: Delivery) -> Delivery:
    """Send a dead (or waiting) delivery again now, with a fresh count of attempts."""
    if delivery.state not in (DeliveryState.DEAD, DeliveryState.PENDING):
        raise ValueError(f"A {delivery.get_state_display().lower()} delivery cannot be retried")
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, finished_at=None
        )
        # Whoever asks for a retry believes the destination is back: stop its back-off.
        Destination.objects.filter(pk=delivery.destination_id).update(next_attempt_at=now)
        audit.record(action="delivery.retried", target=delivery, summary=delivery.last_error)
        wakeups.notify(JOB)
    log.info("delivery %s queued again by hand", delivery.pk)
    delivery.refresh_from_db()
    return delivery


def discard(*, delivery: Delivery) -> Delivery:
    """Give up on a dead or waiting delivery for good."""
    if delivery.state not in (DeliveryState.DEAD, DeliveryState.PENDING):
        raise ValueError(f"A {delivery.get_state_display().lower()} delivery cannot be discarded")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DISCARDED, finished_at=timezone.now()
        )
        audit.record(action="delivery.discarded", target=delivery, summary=delivery.last_error)
    log.info("delivery %s discarded by hand", delivery.pk)
    delivery.refresh_from_db()
    return delivery


def drop_pending(*, destination: str, reason: str) -> int:
    """Discard every waiting delivery to a destination that is gone; return how many."""
    return Delivery.objects.filter(
        destination__key=destination, state=DeliveryState.PENDING
    ).update(state=DeliveryState.DISCARDED, last_error=reason[:500], finished_at=timezone.now())
