"""One duration format everywhere: what a reader sees for each length of time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hindsight.core.durations import format_duration


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (timedelta(seconds=42), "42 s"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(minutes=5, seconds=3), "5 min 03 s"),
        (timedelta(hours=1, minutes=5), "1 h 05 min"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h"),
        (3900.4, "1 h 05 min"),
    ],
)
def test_a_duration_reads_short_and_exact(value: timedelta | float, shown: str) -> None:
    assert format_duration(value) == shown


def test_an_unknown_duration_is_a_dash_or_the_callers_word() -> None:
    assert (format_duration(None), format_duration(None, unknown="unknown")) == ("—", "unknown")


def test_a_negative_duration_keeps_its_sign() -> None:
    assert format_duration(timedelta(minutes=-3)) == "-3 min"
