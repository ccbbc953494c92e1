import datetime as dt

import pytest

from hindsight.core.timeparse import find_datetime, parse_date_line, parse_leading


@pytest.mark.parametrize(
    ("text", "day", "clock", "rest"),
    [
        (
            "2019-01-23T16:08:30Z hook crashed",
            dt.date(2019, 1, 23),
            dt.time(16, 8, 30),
            "hook crashed",
        ),
        ("2023-02-14 10:29 | Alert fired", dt.date(2023, 2, 14), dt.time(10, 29), "Alert fired"),
        ("10:29 UTC: Alert fired", None, dt.time(10, 29), "Alert fired"),
        ("14:02", None, dt.time(14, 2), ""),
        ("2:54 PM PST: config merged", None, dt.time(14, 54), "config merged"),
        ("07:30am - First report", None, dt.time(7, 30), "First report"),
        ("Feb 20 2018 14:17", dt.date(2018, 2, 20), dt.time(14, 17), ""),
        ("19. April, 11:00", dt.date(2018, 4, 19), dt.time(11, 0), ""),
        ("Feb 21, 13:00 traffic dropped", dt.date(2018, 2, 21), dt.time(13, 0), "traffic dropped"),
    ],
)
def test_it_reads_the_time_formats_teams_write(text, day, clock, rest):
    stamp = parse_leading(text, year=2018)
    assert stamp is not None
    assert (stamp.day, stamp.clock, stamp.rest) == (day, clock, rest)


def test_it_keeps_the_timezone_and_range_end():
    stamp = parse_leading("09:00 - 11:00 CET ongoing investigation")
    assert stamp is not None
    assert (stamp.clock, stamp.end_clock, stamp.tz) == (dt.time(9), dt.time(11), "CET")


@pytest.mark.parametrize("text", ["2019-12-03 --:--", "2024-03-13 14:??", "2024-03-13 HH:mm"])
def test_it_reads_a_date_with_an_unknown_time(text):
    stamp = parse_leading(text)
    assert stamp is not None
    assert stamp.day is not None
    assert stamp.clock is None


@pytest.mark.parametrize("text", ["Node entered NotReady", "12 nodes were added", "1. Make sure"])
def test_it_does_not_mistake_prose_for_a_time(text):
    assert parse_leading(text) is None


def test_it_finds_a_timestamp_at_the_end_of_an_entry():
    stamp = find_datetime("First detected 2020-09-21 18:27")
    assert stamp is not None
    assert (stamp.day, stamp.clock, stamp.rest) == (
        dt.date(2020, 9, 21),
        dt.time(18, 27),
        "First detected",
    )


def test_a_date_line_sets_the_day():
    assert parse_date_line("2019-01-22") == dt.date(2019, 1, 22)
    assert parse_date_line("**Feb 21**", 2018) == dt.date(2018, 2, 21)
    assert parse_date_line("Deploy started") is None
