"""The post-mortem review meeting: who to ask, when it may be, and its iCalendar invite.

Pure: the caller passes the people, the window and the times. The invite's UID
is derived from the post-mortem, so a re-sent invite (a new time, more
people) updates the one event in each calendar instead of adding another;
SEQUENCE counts the versions. Written by core.calendar (the `icalendar` library).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hindsight.core import calendar

# The practice: more than about eight people make a review a presentation.
MAX_ATTENDEES = 8
DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class Attendee:
    """Someone to invite: their name, e-mail ("" when unknown) and why they are suggested."""

    name: str
    email: str = ""
    why: str = ""
    key: str = ""  # how the caller finds them again (a username); "" for a team


def suggest(actors: Sequence[Attendee], owners: Sequence[Attendee]) -> list[Attendee]:
    """The timeline's actors first, then the services' owners, each person once."""
    seen: set[str] = set()
    found = []
    for person in [*actors, *owners]:
        key = (person.key or person.email or person.name).lower()
        if key and key not in seen:
            seen.add(key)
            found.append(person)
    return found


def size_warning(count: int) -> str:
    """A warning when the meeting is larger than the practice advises, else ""."""
    if count <= MAX_ATTENDEES:
        return ""
    return (
        f"{count} people is more than the {MAX_ATTENDEES} a review works well with: invite "
        "those who acted and own the services, and share the write-up with the rest."
    )


def slot_problem(
    start: dt.datetime, end: dt.datetime, window_start: dt.datetime, window_end: dt.datetime
) -> str:
    """Why a meeting can't be at this time ("" when it can): inside the due window only."""
    if end <= start:
        return "The meeting must end after it starts."
    if start < window_start or end > window_end:
        return (
            f"Pick a time inside the due window, {window_start:%Y-%m-%d %H:%M} to "
            f"{window_end:%Y-%m-%d %H:%M} UTC: the review meets before the post-mortem is due. "
            "Nothing was sent."
        )
    return ""


def first_slot(
    window_start: dt.datetime, window_end: dt.datetime, minutes: int = DEFAULT_MINUTES
) -> tuple[dt.datetime, dt.datetime]:
    """A proposal: the next full hour after the window opens, on a weekday between 09 and 17
    UTC when the window has one, else the window's start."""
    length = dt.timedelta(minutes=minutes)
    candidate = window_start.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while candidate + length <= window_end:
        if candidate.weekday() < 5 and candidate.hour >= 9 and candidate.hour + minutes / 60 <= 17:
            return candidate, candidate + length
        candidate += dt.timedelta(hours=1)
    return window_start, min(window_start + length, window_end)


def uid(postmortem_id: int, domain: str) -> str:
    """The invite's UID: the same for every version of this post-mortem's review invite."""
    return f"postmortem-{postmortem_id}-review@{domain}"


def invite(
    *,
    event_uid: str,
    sequence: int,
    summary: str,
    description: str,
    start: dt.datetime,
    end: dt.datetime,
    organizer: Attendee,
    attendees: Sequence[Attendee],
    url: str = "",
    stamp: dt.datetime,
) -> bytes:
    """The iCalendar (RFC 5545) request for the meeting, as bytes (core.calendar writes it)."""
    event = calendar.build_event(
        uid=event_uid,
        summary=summary,
        starts_at=start,
        ends_at=end,
        stamp=stamp,
        description=description,
        url=url,
        sequence=sequence,
        organizer=(organizer.email, organizer.name) if organizer.email else None,
        attendees=[(p.email, p.name) for p in attendees if p.email],
        categories=["Post-mortem review"],
    )
    return calendar.build_calendar(name=summary, events=[event], method="REQUEST")
