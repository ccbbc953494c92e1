"""Timeline service functions beyond the single append: bulk append, edits, gaps.

Views, the API, the chat importer and the webhooks call these; like
``services.append_event`` they are the only writers of timeline rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    TimelineEvent,
    TimelineEventRevision,
    Visibility,
)


class NewEvent:
    """One event for ``append_events``; the same fields as ``append_event`` takes."""

    __slots__ = (
        "actor_name",
        "idempotency_key",
        "is_key",
        "kind",
        "occurred_at",
        "raw",
        "source",
        "text",
        "thread_key",
        "visibility",
    )

    def __init__(
        self,
        *,
        text: str,
        occurred_at: datetime,
        kind: str = EventKind.NOTE,
        source: str = EventSource.MANUAL,
        actor_name: str = "",
        visibility: str = Visibility.INTERNAL,
        is_key: bool = False,
        idempotency_key: str | None = None,
        thread_key: str = "",
        raw: Any = None,
    ) -> None:
        self.text = text
        self.occurred_at = occurred_at
        self.kind = kind
        self.source = source
        self.actor_name = actor_name
        self.visibility = visibility
        self.is_key = is_key
        self.idempotency_key = idempotency_key or None
        self.thread_key = thread_key
        self.raw = raw


def append_events(
    *, incident: Incident, events: Sequence[NewEvent], actor: User | None = None
) -> int:
    """Append many events in one statement per batch; return how many were new.

    The bulk sibling of ``append_event`` for imports and the batch API: keys
    already stored (or repeated within the batch) are skipped, and the unique
    constraint makes a concurrent duplicate a no-op instead of an error.
    """
    with transaction.atomic():
        return _append_events(incident=incident, events=events, actor=actor)


_INSERT_COLUMNS = (
    "incident_id",
    "occurred_at",
    "recorded_at",
    "kind",
    "source",
    "actor_id",
    "actor_name",
    "text",
    "visibility",
    "is_key",
    "hidden",
    "idempotency_key",
    "thread_key",
    "raw",
)


# PostgreSQL types of _INSERT_COLUMNS, for the jsonb_to_recordset() insert.
_PG_TYPES = (
    "bigint",
    "timestamptz",
    "timestamptz",
    "text",
    "text",
    "bigint",
    "text",
    "text",
    "text",
    "boolean",
    "boolean",
    "text",
    "text",
    "jsonb",
)


class _ExactJSONEncoder(DjangoJSONEncoder):
    # Django's encoder cuts times to milliseconds; event order needs them exact.
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _raw(value: Any) -> Any:
    # PostgreSQL takes the value inside the JSON document; SQLite takes text.
    if value is None or connection.vendor == "postgresql":
        return value
    return json.dumps(value, cls=DjangoJSONEncoder)


def _sqlite_rows_per_statement() -> int:
    """How many event rows fit one statement under SQLite's limit on bound values."""
    import sqlite3

    raw = connection.connection
    limit = 999  # SQLite before 3.32
    if isinstance(raw, sqlite3.Connection):
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, limit // len(_INSERT_COLUMNS))


def _insert(rows: list[tuple[Any, ...]]) -> int:
    """Insert rows, skipping idempotency conflicts; return how many were inserted."""
    quote = connection.ops.quote_name
    table = quote(TimelineEvent._meta.db_table)
    columns = ", ".join(quote(c) for c in _INSERT_COLUMNS)
    # No conflict target: any unique index (the partial idempotency one) makes
    # a concurrent duplicate a no-op; SQLite ≥ 3.24 and PostgreSQL accept it.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one JSON document parsed by the server: a per-row
            # executemany costs a round trip per row, and big VALUES lists or
            # arrays cost more to build on the client than to insert.
            record = ", ".join(
                f"{quote(c)} {t}" for c, t in zip(_INSERT_COLUMNS, _PG_TYPES, strict=True)
            )
            document = json.dumps(
                [dict(zip(_INSERT_COLUMNS, row, strict=True)) for row in rows],
                cls=_ExactJSONEncoder,
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} "
                f"FROM jsonb_to_recordset(%s::jsonb) AS r({record}) ON CONFLICT DO NOTHING",
                [document],
            )
        else:
            # Multi-row statements rather than executemany: triggers on the
            # table (the search index's FTS5) pay a cost per statement, not per row.
            row = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
            per_statement = _sqlite_rows_per_statement()
            inserted = 0
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "
                    "ON CONFLICT DO NOTHING",
                    [value for values in chunk for value in values],
                )
                inserted += cursor.rowcount if cursor.rowcount >= 0 else len(chunk)
            return inserted
        # The driver counts the rows actually inserted (conflicts skipped).
        return cursor.rowcount if cursor.rowcount >= 0 else len(rows)


def _append_events(*, incident: Incident, events: Sequence[NewEvent], actor: User | None) -> int:
    now = timezone.now()
    keys: set[str] = {e.idempotency_key for e in events if e.idempotency_key}
    existing: set[str] = set()
    if keys:
        # Look up by key alone: with the incident in the WHERE clause SQLite
        # may pick the (incident, occurred_at) index and scan the whole
        # timeline, which made large imports slow down as they grew.
        existing = {
            str(key)
            for incident_id, key in TimelineEvent.objects.filter(
                idempotency_key__in=keys
            ).values_list("incident_id", "idempotency_key")
            if incident_id == incident.pk
        }
    # Plain SQL instead of bulk_create: the ORM spent most of its time
    # compiling SQL per value (and split SQLite inserts into ~70-row
    # statements), which capped the batch API well below its goal.
    adapt_time = connection.ops.adapt_datetimefield_value
    recorded = adapt_time(now)
    actor_id = actor.pk if actor else None
    default_name = actor.display_name if actor else ""
    rows: list[tuple[Any, ...]] = []
    for event in events:
        text = event.text.strip()
        if not text:
            raise ValueError("A timeline event needs text")
        if event.idempotency_key:
            if event.idempotency_key in existing:
                continue
            existing.add(event.idempotency_key)
        rows.append(
            (
                incident.pk,
                adapt_time(event.occurred_at),
                recorded,
                event.kind,
                event.source,
                actor_id,
                event.actor_name or default_name,
                text,
                event.visibility,
                event.is_key,
                False,
                event.idempotency_key,
                event.thread_key,
                _raw(event.raw),
            )
        )
    if not rows:
        return 0
    return _insert(rows)


class EditError(ValueError):
    """An edit was refused; the message says why."""


class EditConflict(EditError):
    """The event changed after the editor opened it; nothing was saved."""


def event_version(event: TimelineEvent) -> str:
    """A short digest of an event's editable fields, to tell a stale edit form apart."""
    state = f"{event.text}\x1f{event.occurred_at.isoformat()}\x1f{event.is_key}\x1f{event.hidden}"
    return hashlib.sha256(state.encode("utf-8", "replace")).hexdigest()[:16]


def revise_event(
    *,
    event: TimelineEvent,
    by: User,
    text: str | None = None,
    occurred_at: datetime | None = None,
    is_key: bool | None = None,
    hidden: bool | None = None,
    expected_version: str | None = None,
) -> TimelineEvent:
    """Edit, mark or hide an event (editors); the earlier version is kept as a revision.

    Fields left None keep their current value. With `expected_version` (from
    `event_version` when the form was opened) an event changed since then is
    not touched: EditConflict.
    """
    if not by.has_role("editor"):
        raise EditError("Editing the timeline needs the editor role.")
    if text is not None and not text.strip():
        raise EditError("An event cannot be emptied; hide it instead.")
    if occurred_at is not None and occurred_at > timezone.now():
        raise EditError("An event cannot be dated in the future.")
    with transaction.atomic():
        event = TimelineEvent.objects.select_for_update().get(pk=event.pk)
        if expected_version is not None and expected_version != event_version(event):
            raise EditConflict(
                "Someone changed this event after you opened it; nothing was saved. "
                "The form now shows the current version: make your change again."
            )
        changes = {
            "text": text.strip() if text is not None else event.text,
            "occurred_at": occurred_at or event.occurred_at,
            "is_key": event.is_key if is_key is None else is_key,
            "hidden": event.hidden if hidden is None else hidden,
        }
        if all(getattr(event, name) == value for name, value in changes.items()):
            return event
        TimelineEventRevision.objects.create(
            event=event,
            text=event.text,
            occurred_at=event.occurred_at,
            is_key=event.is_key,
            hidden=event.hidden,
            changed_by=by,
        )
        audit.record(
            action="timeline_event.edited",
            target=event,
            actor=by,
            changes=audit.changed_fields(
                {name: str(getattr(event, name)) for name in changes},
                {name: str(value) for name, value in changes.items()},
            ),
        )
        for name, value in changes.items():
            setattr(event, name, value)
        event.save(update_fields=list(changes))
    return event


@dataclass(frozen=True)
class Gap:
    """A stretch of the timeline in which nothing was recorded."""

    after: TimelineEvent
    before: TimelineEvent

    @property
    def length(self) -> timedelta:
        return self.before.occurred_at - self.after.occurred_at


def find_gaps(events: Sequence[TimelineEvent], *, at_least: timedelta) -> list[Gap]:
    """Return the quiet stretches of at least ``at_least`` between consecutive events."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.pk or 0))
    return [
        Gap(after=a, before=b)
        for a, b in zip(ordered, ordered[1:], strict=False)
        if b.occurred_at - a.occurred_at >= at_least
    ]
