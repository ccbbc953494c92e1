"""Maintenance windows (one-off and weekly in a time zone) and multi-region quorum."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.probe.maintenance import OneOffWindow, RecurringWindow, in_maintenance
from hindsight.probe.model import ErrorClass, ProbeResult, Status
from hindsight.probe.transitions import (
    Policy,
    ProbeState,
    quorum_result,
    quorum_state,
    transition,
)

SUNDAY = 6
# Sunday 02:00-04:00 Paris time, every week
NIGHTLY_PARIS = RecurringWindow(
    weekdays=frozenset({SUNDAY}),
    start=time(2, 0),
    duration=timedelta(hours=2),
    timezone="Europe/Paris",
    title="Weekly database upgrade",
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_a_one_off_window_covers_start_but_not_end() -> None:
    window = OneOffWindow(utc(2026, 12, 1, 22), utc(2026, 12, 1, 23))
    assert not in_maintenance([window], utc(2026, 12, 1, 21, 59))
    assert in_maintenance([window], utc(2026, 12, 1, 22))
    assert not in_maintenance([window], utc(2026, 12, 1, 23))


def test_a_weekly_window_follows_local_time_in_winter_and_summer() -> None:
    # winter: Paris is UTC+1, so 02:30 local is 01:30 UTC
    assert in_maintenance([NIGHTLY_PARIS], utc(2026, 1, 4, 1, 30))
    assert not in_maintenance([NIGHTLY_PARIS], utc(2026, 1, 4, 3, 0))
    # summer: Paris is UTC+2, so 02:30 local is 00:30 UTC
    assert in_maintenance([NIGHTLY_PARIS], utc(2026, 7, 5, 0, 30))
    assert not in_maintenance([NIGHTLY_PARIS], utc(2026, 7, 5, 2, 0))
    # the same clock time on a Saturday is not covered
    assert not in_maintenance([NIGHTLY_PARIS], utc(2026, 7, 4, 0, 30))


def test_a_weekly_window_can_run_past_midnight() -> None:
    late_saturday = RecurringWindow(frozenset({5}), time(23, 0), timedelta(hours=3))
    assert in_maintenance([late_saturday], utc(2026, 11, 29, 1, 59))  # Sunday 01:59
    assert not in_maintenance([late_saturday], utc(2026, 11, 29, 2, 0))


def test_a_window_starting_in_a_dst_gap_still_works() -> None:
    # 2026-03-29 02:00 does not exist in Paris (clocks jump to 03:00)
    assert in_maintenance([NIGHTLY_PARIS], utc(2026, 3, 29, 1, 30))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekdays": frozenset()}, "weekdays must be"),
        ({"weekdays": frozenset({7})}, "weekdays must be"),
        ({"duration": timedelta(0)}, "lasts more than 0"),
        ({"duration": timedelta(days=8)}, "at most 7 days"),
    ],
)
def test_a_recurring_window_rejects_nonsense(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "weekdays": frozenset({0}),
        "start": time(1),
        "duration": timedelta(hours=1),
    }
    with pytest.raises(ValueError, match=message):
        RecurringWindow(**(base | kwargs))  # type: ignore[arg-type]


def test_a_one_off_window_needs_aware_ordered_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        OneOffWindow(datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError, match="end after it starts"):
        OneOffWindow(utc(2026, 1, 2), utc(2026, 1, 1))


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(st.datetimes(timezones=st.just(UTC)))
def test_a_weekly_window_covers_exactly_its_two_hours_of_sunday(now: datetime) -> None:
    local = now.astimezone(ZoneInfo("Europe/Paris"))
    expected = local.weekday() == SUNDAY and 2 <= local.hour < 4
    # DST days shift elapsed time by an hour; keep the property to ordinary days
    if local.utcoffset() == (local - timedelta(hours=3)).utcoffset():
        assert NIGHTLY_PARIS.contains(now) is expected


# --- maintenance in transitions --------------------------------------------

DOWN = ProbeResult(
    status=Status.DOWN,
    checked_at=utc(2026, 12, 1),
    error_class=ErrorClass.TIMEOUT,
    reason="No response from api.example.test:443 within 10 s",
)
UP = ProbeResult(status=Status.UP, checked_at=utc(2026, 12, 1), reason="HTTP 200 OK")


def test_maintenance_hides_an_outage_and_reveals_it_afterwards() -> None:
    window = OneOffWindow(utc(2026, 12, 1, 22), utc(2026, 12, 1, 23), title="Upgrade")
    policy = Policy(confirm_down=1, maintenance=(window,))
    state, _ = transition(ProbeState(), UP, policy, utc(2026, 12, 1, 21))
    state, flip = transition(state, DOWN, policy, utc(2026, 12, 1, 22, 5))
    assert flip is not None
    assert (flip.old, flip.new, flip.alert) == (Status.UP, Status.MAINTENANCE, False)
    assert flip.reason == "Maintenance started: Upgrade"
    state, flip = transition(state, DOWN, policy, utc(2026, 12, 1, 22, 30))
    assert flip is None and state.health is Status.DOWN
    state, flip = transition(state, DOWN, policy, utc(2026, 12, 1, 23, 1))
    assert flip is not None
    assert (flip.old, flip.new, flip.alert) == (Status.MAINTENANCE, Status.DOWN, True)
    assert (
        flip.reason == "Maintenance ended; down: No response from api.example.test:443 within 10 s"
    )


def test_leaving_maintenance_healthy_does_not_alert() -> None:
    window = OneOffWindow(utc(2026, 12, 1, 22), utc(2026, 12, 1, 23))
    policy = Policy(maintenance=(window,))
    state, _ = transition(ProbeState(), UP, policy, utc(2026, 12, 1, 21))
    state, _ = transition(state, UP, policy, utc(2026, 12, 1, 22, 1))
    state, flip = transition(state, UP, policy, utc(2026, 12, 1, 23, 1))
    assert flip is not None
    assert (flip.old, flip.new, flip.alert) == (Status.MAINTENANCE, Status.UP, False)


# --- quorum -----------------------------------------------------------------


def test_down_needs_a_quorum_of_regions() -> None:
    regions = {"eu": Status.DOWN, "us": Status.UP, "ap": Status.UP}
    assert quorum_state(regions, quorum=2) is Status.DEGRADED
    assert quorum_state(regions | {"us": Status.DOWN}, quorum=2) is Status.DOWN
    assert quorum_state(regions, quorum=1) is Status.DOWN
    assert quorum_state({"eu": Status.UP, "us": Status.UP}, quorum=2) is Status.UP
    assert quorum_state({"eu": Status.PENDING, "us": Status.PAUSED}, quorum=1) is Status.PENDING


def test_quorum_result_says_from_where_it_failed() -> None:
    now = utc(2026, 12, 1)
    result = quorum_result({"eu": DOWN, "us": DOWN, "ap": UP}, quorum=2, now=now)
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.TIMEOUT
    assert result.reason == (
        "Down from 2 of 3 region(s) (eu, us; quorum 2): "
        "No response from api.example.test:443 within 10 s"
    )
    assert result.evidence["regions"] == {"ap": "up", "eu": "down", "us": "down"}
    healthy = quorum_result({"eu": UP, "us": UP}, quorum=2, now=now)
    assert (healthy.status, healthy.reason) == (Status.UP, "Up from all 2 region(s)")


def test_quorum_must_be_positive() -> None:
    with pytest.raises(ValueError, match="quorum must be at least 1"):
        quorum_state({}, quorum=0)
