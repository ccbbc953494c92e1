"""Which chat messages belong to an incident: its own window, unless asked otherwise.

The default runs from the incident's start minus a margin to its resolution
plus the margin (to now while it is open). A start or end outside that window
is refused unless the responder ticks "include messages outside the
incident's window", so an import cannot pull a week of unrelated chatter
into the timeline (and into the post-mortem's participants) by accident.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from hindsight.incidents.models import Incident

MARGIN = timedelta(minutes=30)


class WindowError(ValueError):
    """The requested window reaches outside the incident's; the message says how to allow it."""


def incident_window(
    incident: Incident, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The incident's own window: start − margin to resolution + margin (or now)."""
    end = incident.resolved_at + MARGIN if incident.resolved_at else (now or timezone.now())
    return incident.started_at - MARGIN, end


def _moment(value: date | datetime | None, edge: time) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, edge)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def import_window(
    *,
    incident: Incident,
    start: date | datetime | None,
    end: date | datetime | None,
    outside: bool,
    now: datetime | None = None,
) -> tuple[datetime | None, datetime | None]:
    """The window to import: the incident's, or the one asked for if allowed
    (with ``outside``, an empty date means no bound on that side)."""
    if outside:
        return _moment(start, time.min), _moment(end, time.max)
    own_start, own_end = incident_window(incident, now=now)
    since = _moment(start, time.min) or own_start
    until = _moment(end, time.max) or own_end
    if since < own_start or until > own_end:
        fmt = "%Y-%m-%d %H:%M UTC"
        raise WindowError(
            f"The chosen days reach outside the incident's window "
            f"({own_start.astimezone(UTC):{fmt}} to {own_end.astimezone(UTC):{fmt}}); "
            "leave the dates empty to import just the incident, or tick "
            "'Include messages outside the incident's window'."
        )
    return since, until
