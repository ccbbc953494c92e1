"""iCalendar (RFC 5545) events and calendars, built with the `icalendar` library.

One module writes every `.ics` Hindsight serves or sends: the subscribable
feed of a status page's scheduled maintenance and the review-meeting invites
of a post-mortem. Callers pass plain values (times must be timezone-aware;
they are written in UTC), so this stays pure: no clock, no database.

    event = build_event(
        uid="maintenance-7@status.example.com",
        summary="Database upgrade",
        starts_at=datetime(2026, 12, 3, 22, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 23, 0, tzinfo=UTC),
        stamp=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    ics: bytes = build_calendar(name="Example status: maintenance", events=[event])

An invite (`method="REQUEST"`) needs an organizer and attendees on its events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Hindsight//Hindsight//EN"

EventStatus = Literal["TENTATIVE", "CONFIRMED", "CANCELLED"]
Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def _utc(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(dt.UTC)


def _address(email: str, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def build_event(
    *,
    uid: str,
    summary: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    stamp: dt.datetime,
    description: str = "",
    url: str = "",
    location: str = "",
    status: EventStatus = "CONFIRMED",
    sequence: int = 0,
    organizer: tuple[str, str] | None = None,
    attendees: Sequence[tuple[str, str]] = (),
    categories: Sequence[str] = (),
) -> Event:
    """Build one VEVENT; `organizer` and `attendees` are (email, display name) pairs.

    `uid` must stay the same for the same thing across versions of the
    calendar (calendar apps update the event they already have); raise
    `sequence` whenever the event changes after it was sent as an invite.
    """
    if not uid.strip():
        raise ValueError("uid must not be empty")
    start, end = _utc(starts_at, "starts_at"), _utc(ends_at, "ends_at")
    if end < start:
        raise ValueError(f"ends_at ({end.isoformat()}) is before starts_at ({start.isoformat()})")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp, "stamp"))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("status", status)
    event.add("sequence", sequence)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if location:
        event.add("location", location)
    if categories:
        event.add("categories", list(categories))
    if organizer is not None:
        event.add("organizer", _address(*organizer))
    for email, name in attendees:
        attendee = _address(email, name)
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        attendee.params["RSVP"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event


def build_calendar(
    *,
    name: str,
    events: Iterable[Event],
    method: Method = "PUBLISH",
    refresh: dt.timedelta = dt.timedelta(hours=1),
) -> bytes:
    """Return the calendar as `.ics` bytes (text/calendar; charset=utf-8).

    `refresh` tells subscribing apps how often to fetch a feed again.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", refresh)
    for event in events:
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
