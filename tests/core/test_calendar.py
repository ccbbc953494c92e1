"""The one iCalendar builder: maintenance feeds and review invites."""

import datetime as dt

import pytest
from icalendar import Calendar

from hindsight.core.calendar import build_calendar, build_event

UTC = dt.UTC
STAMP = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _event(**changes: object):
    values: dict[str, object] = {
        "uid": "maintenance-7@status.example.com",
        "summary": "Database upgrade",
        "starts_at": dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "ends_at": dt.datetime(2026, 12, 4, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "stamp": STAMP,
    }
    values.update(changes)
    return build_event(**values)  # type: ignore[arg-type]


def test_it_writes_a_calendar_the_icalendar_parser_reads_back_in_utc() -> None:
    ics = build_calendar(name="Example status: maintenance", events=[_event()])

    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["X-WR-CALNAME"]) == "Example status: maintenance"
    assert str(event["UID"]) == "maintenance-7@status.example.com"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert b"DTSTART:20261203T220000Z" in ics


def test_it_writes_an_invite_with_organizer_and_attendees() -> None:
    event = _event(
        organizer=("lead@example.com", "Incident lead"),
        attendees=[("ana@example.com", "Ana"), ("bo@example.com", "")],
    )
    calendar = Calendar.from_ical(build_calendar(name="Review", events=[event], method="REQUEST"))

    (parsed,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(parsed["ORGANIZER"]) == "mailto:lead@example.com"
    assert [str(a) for a in parsed["ATTENDEE"]] == [
        "mailto:ana@example.com",
        "mailto:bo@example.com",
    ]


def test_it_refuses_a_naive_time_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="starts_at must be timezone-aware"):
        _event(starts_at=dt.datetime(2026, 12, 3, 22, 0))


def test_it_refuses_an_event_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="is before starts_at"):
        _event(ends_at=dt.datetime(2026, 12, 3, 0, 0, tzinfo=UTC))
