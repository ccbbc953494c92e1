"""Rewriting the status-page snapshot: queued with the change, done by a worker.

``schedule_publish`` writes a ``PublishRequest`` in the current transaction
(one per transaction however many changes it makes) and wakes the workers;
the ``statuspage-publish`` job leases every waiting request, merges them into
one publish and deletes them. A rollback takes the request with it; a worker
killed mid-publish leaves the requests leased until the lease runs out, and
then another worker publishes them.

``withdraw`` is for changes that take something off the public pages: besides
the rewrite it removes the affected snapshot files as soon as the transaction
commits, in the process that made the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hindsight.runner import leases, wakeups
from hindsight.runner.registry import Retry
from hindsight.statuspage import snapshot
from hindsight.statuspage.models import PublishRequest

log = logging.getLogger(__name__)

JOB = "statuspage-publish"
RETRY = Retry(first_seconds=5, cap_seconds=300)
LEASE = timedelta(minutes=5)


def schedule_publish(*, incident_ids: set[int] | None = None) -> None:
    """Queue a snapshot rewrite with the current transaction; ``incident_ids`` are the
    incident pages to re-render (None = everything)."""
    wanted = None if incident_ids is None else sorted(incident_ids)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _create(wanted)
        return
    # One request per transaction: the marker lives in the transaction's on-commit
    # list, so a rollback (of it or of the savepoint that wrote it) discards it too.
    for entry in connection.run_on_commit:
        if isinstance(entry[1], Pending):
            entry[1].request = _merge(entry[1].request, wanted)
            return
    transaction.on_commit(Pending(_create(wanted)))


def withdraw(*, incident_ids: set[int]) -> None:
    """These incidents, or words about them, leave the public pages: queue a full
    rewrite with the current transaction and, the moment it commits, remove every
    snapshot file that may still show them (until the rewrite, the status page
    is rendered live from the database)."""
    schedule_publish()
    connection = transaction.get_connection()
    for entry in connection.run_on_commit if connection.in_atomic_block else ():
        if isinstance(entry[1], Withdrawal):
            entry[1].incident_ids |= incident_ids
            return
    transaction.on_commit(Withdrawal(set(incident_ids)))


@dataclass
class Withdrawal:
    """This transaction's withdrawn incidents, done when it commits."""

    incident_ids: set[int]

    def __call__(self) -> None:
        try:
            snapshot.withdraw(self.incident_ids)
        except Exception:  # the change is committed; the queued rewrite still comes
            log.exception("withdrawing incidents %s from the snapshot failed", self.incident_ids)


@dataclass
class Pending:
    """This transaction's publish request, kept in its on-commit list."""

    request: PublishRequest

    def __call__(self) -> None:
        """Nothing to do on commit: the row is the request."""


def _create(incident_ids: list[int] | None) -> PublishRequest:
    request = PublishRequest.objects.create(incident_ids=incident_ids)
    wakeups.notify(JOB)
    return request


def _merge(request: PublishRequest, incident_ids: list[int] | None) -> PublishRequest:
    """Widen the transaction's request, or write a new one if a worker has taken it."""
    if request.incident_ids is None or incident_ids is None:
        merged = None
    else:
        merged = sorted(set(request.incident_ids) | set(incident_ids))
    if PublishRequest.objects.filter(pk=request.pk, lease_owner="").update(incident_ids=merged):
        request.incident_ids = merged
        return request
    return _create(incident_ids)


def publish_requested(*, worker: str, now: datetime | None = None) -> int:
    """Lease every waiting request, publish them as one, delete them; return how many."""
    now = now or timezone.now()
    ids = leases.claim(
        PublishRequest.objects.order_by("created_at", "id"),
        owner=worker,
        limit=500,
        lease=LEASE,
        now=now,
    )
    if not ids:
        return 0
    requests = list(PublishRequest.objects.filter(pk__in=ids))
    wanted: set[int] | None = set()
    for request in requests:
        if request.incident_ids is None or wanted is None:
            wanted = None
        else:
            wanted |= set(request.incident_ids)
    try:
        snapshot.publish_all(incident_ids=wanted)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.exception("publishing the status page snapshot failed; retrying later")
        for request in requests:
            leases.fail(request, owner=worker, error=error, retry=RETRY, now=now)
        return len(requests)
    PublishRequest.objects.filter(pk__in=ids, lease_owner=worker).delete()
    return len(requests)
