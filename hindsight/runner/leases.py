"""Leasing rows: how any number of workers share work through the database alone.

A worker leases due, free rows with a conditional ``UPDATE … WHERE`` (free =
no lease, or an expired one), under ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so concurrent workers pick different rows without waiting; on
SQLite every write transaction starts with ``BEGIN IMMEDIATE``, so claims
simply queue. The worker then records each row's outcome only while it still
holds the lease, so a worker that lost its lease (it stalled, another took
over) cannot overwrite the newer result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from hindsight.runner.models import LeasedRow
from hindsight.runner.registry import Retry

Row = TypeVar("Row", bound=LeasedRow)


def free(now: datetime) -> Q:
    """Rows no worker holds: never leased, or the lease has run out."""
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim(
    rows: QuerySet[Row], *, owner: str, limit: int, lease: timedelta, now: datetime
) -> list[int]:
    """Lease up to ``limit`` due, free rows of ``rows`` (in its order) to ``owner``; return their ids.

    ``rows`` says which rows are candidates and in what order; this adds
    "due and free". A quick read first, outside any transaction, keeps idle
    polls from taking SQLite's write lock.
    """
    due = rows.filter(free(now), next_attempt_at__lte=now)
    if not due.exists():
        return []
    with transaction.atomic():
        query = due.values_list("pk", flat=True)[:limit]
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True, of=("self",))
        ids = list(query)
        if not ids:
            return []
        # Conditional: a row leased by someone since we read it is not ours.
        rows.model._default_manager.filter(free(now), pk__in=ids).update(
            lease_owner=owner, lease_until=now + lease
        )
    held = set(
        rows.model._default_manager.filter(pk__in=ids, lease_owner=owner).values_list(
            "pk", flat=True
        )
    )
    return [pk for pk in ids if pk in held]


def finish(model: type[LeasedRow], pk: Any, *, owner: str, **fields: Any) -> bool:
    """Record a row's outcome and drop the lease, if ``owner`` still holds it."""
    updated = model._default_manager.filter(pk=pk, lease_owner=owner).update(
        lease_owner="", lease_until=None, **fields
    )
    return bool(updated)


def fail(
    row: LeasedRow, *, owner: str, error: str, retry: Retry, now: datetime, **fields: Any
) -> bool:
    """Record a failed attempt: the error, the back-off, the lease dropped.

    Returns True when this was the last attempt the retry policy allows
    (the caller marks the row as given up).
    """
    attempts = row.attempts + 1
    finish(
        type(row),
        row.pk,
        owner=owner,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=now + retry.delay(attempts),
        **fields,
    )
    return retry.exhausted(attempts)
