"""State transitions as pure functions: confirmations, recovery, flapping, pause."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.probe.model import ErrorClass, ProbeResult, Status
from hindsight.probe.transitions import Policy, ProbeFlip, ProbeState, pause, resume, transition

T0 = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def result(status: Status, reason: str = "") -> ProbeResult:
    if status is Status.DOWN:
        return ProbeResult(
            status=status,
            checked_at=T0,
            error_class=ErrorClass.CONNECTION_REFUSED,
            reason=reason or "Connection refused by api.example.test:443",
        )
    return ProbeResult(status=status, checked_at=T0, reason=reason or "HTTP 200 OK")


UP, DOWN, DEGRADED = Status.UP, Status.DOWN, Status.DEGRADED


def feed(
    statuses: Iterable[Status],
    policy: Policy,
    state: ProbeState | None = None,
    start: datetime = T0,
    step: timedelta = MINUTE,
) -> tuple[ProbeState, list[ProbeFlip]]:
    state = state or ProbeState()
    flips: list[ProbeFlip] = []
    for i, status in enumerate(statuses):
        state, flip = transition(state, result(status), policy, start + i * step)
        if flip is not None:
            flips.append(flip)
    return state, flips


def test_it_shows_up_after_the_first_good_result_without_alerting() -> None:
    state, flips = feed([UP], Policy())
    assert state.status is UP
    assert [(f.old, f.new, f.alert) for f in flips] == [(Status.PENDING, UP, False)]


def test_it_needs_n_failures_in_a_row_before_down() -> None:
    policy = Policy(confirm_down=3)
    state, flips = feed([UP, DOWN, DOWN], policy)
    assert state.status is UP
    assert state.candidate is DOWN and state.streak == 2
    state, flips = feed([DOWN], policy, state)
    assert [(f.old, f.new, f.alert) for f in flips] == [(UP, DOWN, True)]
    assert flips[0].reason == "Connection refused by api.example.test:443"
    assert flips[0].error_class is ErrorClass.CONNECTION_REFUSED


def test_one_good_result_resets_the_count_toward_down() -> None:
    _, flips = feed([UP, DOWN, DOWN, UP, DOWN, DOWN], Policy(confirm_down=3))
    assert [f.new for f in flips] == [UP]


def test_it_needs_m_good_results_before_up_again_and_alerts_the_recovery() -> None:
    policy = Policy(confirm_down=1, confirm_up=2)
    state, flips = feed([UP, DOWN, UP], policy)
    assert state.status is DOWN
    state, more = feed([UP], policy, state)
    assert [(f.old, f.new, f.alert, f.error_class) for f in more] == [(DOWN, UP, True, None)]


def test_a_monitor_that_starts_down_alerts_after_confirmation() -> None:
    _, flips = feed([DOWN, DOWN], Policy(confirm_down=2))
    assert [(f.old, f.new, f.alert) for f in flips] == [(Status.PENDING, DOWN, True)]


def test_degraded_is_worse_than_up_and_better_than_down() -> None:
    policy = Policy(confirm_down=2, confirm_up=3)
    state, flips = feed([UP, DEGRADED, DEGRADED], policy)
    assert [(f.old, f.new) for f in flips] == [(Status.PENDING, UP), (UP, DEGRADED)]
    state, flips = feed([DOWN, DOWN, DEGRADED, DEGRADED], policy, state)
    assert [(f.old, f.new) for f in flips] == [(DEGRADED, DOWN)]
    _, flips = feed([DEGRADED], policy, state)
    assert [(f.old, f.new) for f in flips] == [(DOWN, DEGRADED)]


def test_flapping_suppresses_alerts_once_the_threshold_is_reached() -> None:
    policy = Policy(confirm_down=1, confirm_up=1, flap_threshold=4, flap_window=timedelta(hours=1))
    state, flips = feed([UP, DOWN, UP, DOWN, UP, DOWN], policy)
    assert [(f.new, f.alert, f.flapping) for f in flips] == [
        (UP, False, False),
        (DOWN, True, False),
        (UP, True, False),
        (DOWN, True, False),
        (UP, False, True),
        (DOWN, False, True),
    ]
    assert state.flapping
    assert state.alerted is DOWN


def test_when_flapping_stops_users_hear_where_it_landed() -> None:
    policy = Policy(confirm_down=1, confirm_up=1, flap_threshold=3, flap_window=timedelta(hours=1))
    state, flips = feed([UP, DOWN, UP, DOWN], policy)
    assert flips[-1].alert is False  # the third flip starts flapping: not alerted
    assert state.flapping and state.status is DOWN and state.alerted is UP
    # an hour of steady DOWN empties the window: flapping ends with one alert
    state, flips = feed([DOWN] * 61, policy, state, start=T0 + 4 * MINUTE)
    assert not state.flapping
    assert [(f.old, f.new, f.alert) for f in flips] == [(UP, DOWN, True)]
    assert (
        flips[0].reason == "Stopped flapping; now down: Connection refused by api.example.test:443"
    )
    assert flips[0].error_class is ErrorClass.CONNECTION_REFUSED


def test_flapping_stops_silently_when_it_lands_where_users_were_told() -> None:
    policy = Policy(confirm_down=1, confirm_up=1, flap_threshold=3, flap_window=timedelta(hours=1))
    state, _ = feed([UP, DOWN, UP, DOWN, UP], policy)
    assert state.flapping and state.status is UP and state.alerted is UP
    state, flips = feed([UP] * 61, policy, state, start=T0 + 5 * MINUTE)
    assert not state.flapping
    assert flips == []


def test_a_paused_monitor_ignores_results_and_never_alerts() -> None:
    state, _ = feed([UP], Policy())
    state, flip = pause(state, T0)
    assert flip == ProbeFlip(UP, Status.PAUSED, T0, "Monitor paused", alert=False)
    state, flips = feed([DOWN] * 5, Policy(confirm_down=1), state)
    assert state.status is Status.PAUSED and flips == []
    assert pause(state, T0) == (state, None)


def test_resuming_starts_over_and_alerts_only_news() -> None:
    policy = Policy(confirm_down=1, confirm_up=1)
    state, _ = feed([UP, DOWN], policy)
    state, _ = pause(state, T0)
    state, flip = resume(state, T0)
    assert flip is not None and (flip.old, flip.new) == (Status.PAUSED, Status.PENDING)
    assert state.status is Status.PENDING
    _, flips = feed([UP], policy, state)
    assert [(f.old, f.new, f.alert) for f in flips] == [(Status.PENDING, UP, True)]
    assert resume(ProbeState(), T0) == (ProbeState(), None)


results = st.lists(st.sampled_from([UP, DEGRADED, DOWN]), max_size=40)
policies = st.builds(
    Policy,
    confirm_down=st.integers(1, 5),
    confirm_up=st.integers(1, 5),
    flap_threshold=st.integers(2, 6),
)


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(results, policies)
def test_every_flip_is_a_real_change_and_follows_the_previous_status(
    statuses: list[Status], policy: Policy
) -> None:
    state = ProbeState()
    for i, status in enumerate(statuses):
        before = state.status
        state, flip = transition(state, result(status), policy, T0 + i * MINUTE)
        if flip is None:
            continue
        if flip.reason.startswith("Stopped flapping"):
            assert state.status is before
            continue
        assert (flip.old, flip.new) == (before, state.status)
        assert flip.old is not flip.new


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(results, policies)
def test_down_only_after_confirm_down_failing_results_in_a_row(
    statuses: list[Status], policy: Policy
) -> None:
    state = ProbeState()
    for i, status in enumerate(statuses):
        state, flip = transition(state, result(status), policy, T0 + i * MINUTE)
        if flip is not None and flip.new is DOWN and flip.old is not DOWN:
            tail = statuses[max(0, i - policy.confirm_down + 1) : i + 1]
            assert len(tail) == policy.confirm_down
            assert all(s is DOWN for s in tail)


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(results, policies)
def test_an_alert_always_tells_users_something_new(statuses: list[Status], policy: Policy) -> None:
    state = ProbeState()
    told = Status.UP
    for i, status in enumerate(statuses):
        state, flip = transition(state, result(status), policy, T0 + i * MINUTE)
        if flip is not None and flip.alert:
            assert flip.new is not told
            told = flip.new
    assert state.alerted is told
