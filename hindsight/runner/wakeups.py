"""Waking workers at once on PostgreSQL: NOTIFY when work is queued, LISTEN in the worker.

A NOTIFY sent inside a transaction is delivered when it commits, and not at
all when it rolls back, so a worker never wakes for work it cannot see yet.
Workers poll each queue every second anyway (SQLite has no NOTIFY), so a lost
notification only costs that second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

log = logging.getLogger(__name__)

CHANNEL = "hindsight_jobs"


def available() -> bool:
    """True when the database can wake workers (PostgreSQL)."""
    return connection.vendor == "postgresql"


def notify(job: str) -> None:
    """Wake the workers' ``job`` queue once the current transaction commits."""
    if connection.vendor != "postgresql":
        return
    if connection.in_atomic_block:
        # Once per transaction and job: a thousand deliveries need one wake-up.
        if any(entry[1] == Notified(job) for entry in connection.run_on_commit):
            return
        transaction.on_commit(Notified(job))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, job])


@dataclass(frozen=True)
class Notified:
    """Marks, in a transaction's on-commit list, that it already notifies ``job``."""

    job: str

    def __call__(self) -> None:
        """Nothing to do on commit: PostgreSQL delivers the notification itself."""


def listen(on_wake: Callable[[str], object], stop: threading.Event) -> None:
    """Call ``on_wake(job)`` for each notification until ``stop`` is set (its own thread)."""
    while not stop.is_set():
        try:
            connection.ensure_connection()
            raw = connection.connection
            raw.autocommit = True
            raw.execute(f"LISTEN {CHANNEL}")
            while not stop.is_set():
                for note in raw.notifies(timeout=1.0):
                    on_wake(note.payload)
        except Exception as exc:  # Django's or psycopg's errors when the server goes away
            log.warning("listening for job wake-ups failed (%s); polling meanwhile", exc)
            connection.close()
            stop.wait(5.0)
    connection.close()
