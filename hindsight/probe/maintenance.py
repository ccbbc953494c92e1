"""Maintenance windows as plain data: one-off spans and weekly recurring slots in a time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_RECURRING = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class OneOffWindow:
    """A single planned span, `start` inclusive to `end` exclusive (aware datetimes)."""

    start: datetime
    end: datetime
    title: str = ""

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("a maintenance window must end after it starts")

    def contains(self, now: datetime) -> bool:
        return self.start <= now < self.end


@dataclass(frozen=True, slots=True)
class RecurringWindow:
    """Every week on `weekdays` (0 = Monday) at local `start` for `duration`, in `timezone`.

    The start is wall-clock time in the zone, so "Sunday 02:00 Europe/Paris" stays
    02:00 across daylight-saving changes; the duration is elapsed time.
    """

    weekdays: frozenset[int]
    start: time
    duration: timedelta
    timezone: str = "UTC"
    title: str = ""

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays must be a non-empty set of 0 (Monday) to 6 (Sunday)")
        if not timedelta(0) < self.duration <= MAX_RECURRING:
            raise ValueError("a recurring window lasts more than 0 and at most 7 days")
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError for an unknown zone

    def contains(self, now: datetime) -> bool:
        _require_aware(now, "now")
        zone = ZoneInfo(self.timezone)
        today = now.astimezone(zone).date()
        # an occurrence that started up to `duration` ago may still be running
        for back in range(self.duration.days + 2):
            day = today - timedelta(days=back)
            if day.weekday() not in self.weekdays:
                continue
            begins = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
            if begins <= now < begins + self.duration:
                return True
        return False


ProbeWindow = OneOffWindow | RecurringWindow


def active_window(windows: Iterable[ProbeWindow], now: datetime) -> ProbeWindow | None:
    """The first window that covers `now`, if any."""
    for window in windows:
        if window.contains(now):
            return window
    return None


def in_maintenance(windows: Iterable[ProbeWindow], now: datetime) -> bool:
    """Whether any window covers `now`."""
    return active_window(windows, now) is not None


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
