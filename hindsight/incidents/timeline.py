"""Timeline service functions beyond the single append: bulk append, edits, gaps.

Views, the API, the chat importer and the webhooks call these; like
``services.append_event`` they are the only writers of timeline rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

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


def _append_events(*, incident: Incident, events: Sequence[NewEvent], actor: User | None) -> int:
    now = timezone.now()
    keys = {e.idempotency_key for e in events if e.idempotency_key}
    existing: set[str] = set()
    if keys:
        existing = set(
            TimelineEvent.objects.filter(incident=incident, idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
    rows: list[TimelineEvent] = []
    for event in events:
        text = event.text.strip()
        if not text:
            raise ValueError("A timeline event needs text")
        if event.idempotency_key:
            if event.idempotency_key in existing:
                continue
            existing.add(event.idempotency_key)
        rows.append(
            TimelineEvent(
                incident=incident,
                text=text,
                kind=event.kind,
                source=event.source,
                actor=actor,
                actor_name=event.actor_name or (actor.display_name if actor else ""),
                occurred_at=event.occurred_at,
                recorded_at=now,
                visibility=event.visibility,
                is_key=event.is_key,
                idempotency_key=event.idempotency_key,
                thread_key=event.thread_key,
                raw=event.raw,
            )
        )
    TimelineEvent.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


class EditError(ValueError):
    """An edit was refused; the message says why."""


def revise_event(
    *,
    event: TimelineEvent,
    by: User,
    text: str | None = None,
    occurred_at: datetime | None = None,
    is_key: bool | None = None,
    hidden: bool | None = None,
) -> TimelineEvent:
    """Edit, mark or hide an event (editors); the earlier version is kept as a revision."""
    if not by.has_role("editor"):
        raise EditError("Editing the timeline needs the editor role.")
    if text is not None and not text.strip():
        raise EditError("An event cannot be emptied; hide it instead.")
    if occurred_at is not None and occurred_at > timezone.now():
        raise EditError("An event cannot be dated in the future.")
    with transaction.atomic():
        event = TimelineEvent.objects.select_for_update().get(pk=event.pk)
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
