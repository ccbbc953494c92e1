"""Monitor state as pure functions: confirmations, flapping, maintenance, pause, quorum.

`transition(state, result, policy, now)` is the one place that decides whether a
check result changes what users see; it returns the new state and, when the
status users see changed, a `ProbeFlip` (the row that feeds incidents, the status page
and notifications). Nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hindsight.probe.maintenance import ProbeWindow, active_window
from hindsight.probe.model import ErrorClass, ProbeResult, Status

HEALTH = (Status.UP, Status.DEGRADED, Status.DOWN)
_SEVERITY = {Status.UP: 0, Status.DEGRADED: 1, Status.DOWN: 2}


@dataclass(frozen=True, slots=True)
class Policy:
    """How eagerly a monitor changes state; one per monitor."""

    confirm_down: int = 3  # consecutive worse results before DOWN or DEGRADED
    confirm_up: int = 2  # consecutive better results before recovering
    flap_threshold: int = 4  # this many flips within flap_window means flapping
    flap_window: timedelta = timedelta(hours=1)
    maintenance: tuple[ProbeWindow, ...] = ()

    def __post_init__(self) -> None:
        if self.confirm_down < 1 or self.confirm_up < 1:
            raise ValueError("confirmations must be at least 1")
        if self.flap_threshold < 2:
            raise ValueError("flap_threshold must be at least 2")


@dataclass(frozen=True, slots=True)
class ProbeState:
    """Everything `transition` needs to remember between results."""

    status: Status = Status.PENDING  # what users see
    health: Status = Status.PENDING  # confirmed health, tracked under maintenance too
    candidate: Status | None = None  # the health recent results point to, if different
    streak: int = 0  # consecutive results agreeing with candidate
    since: datetime | None = None  # when status last changed
    recent_flips: tuple[datetime, ...] = ()  # health changes inside the flap window
    flapping: bool = False
    alerted: Status = Status.UP  # the last status users were alerted about


@dataclass(frozen=True, slots=True)
class ProbeFlip:
    """A change users should know about; `alert` is False when it must not notify."""

    old: Status
    new: Status
    at: datetime
    reason: str
    alert: bool
    flapping: bool = False
    error_class: ErrorClass | None = None


def transition(
    state: ProbeState, result: ProbeResult, policy: Policy, now: datetime
) -> tuple[ProbeState, ProbeFlip | None]:
    """Fold one result into the state.

    Steps: ignore results while paused; confirm the result's health over N (down)
    or M (up) consecutive results; record health changes for flap detection; show
    MAINTENANCE while a window is active; emit a flip when the status users see
    changes, alerting only outside maintenance and flapping and only when it
    differs from what users were last told.
    """
    if state.status is Status.PAUSED or result.status not in HEALTH:
        return state, None
    health, candidate, streak = _confirm(state, result.status, policy)
    recent = tuple(t for t in state.recent_flips if t > now - policy.flap_window)
    if health is not state.health and state.health is not Status.PENDING:
        recent += (now,)
    flapping = len(recent) >= policy.flap_threshold or (state.flapping and bool(recent))
    window = active_window(policy.maintenance, now)
    shown = Status.MAINTENANCE if window is not None else health
    new_state = replace(
        state,
        health=health,
        candidate=candidate,
        streak=streak,
        recent_flips=recent,
        flapping=flapping,
    )
    if shown is state.status:
        if state.flapping and not flapping:
            return _settled(new_state, result, now)
        return new_state, None
    reason = _reason(state.status, shown, result, window)
    return _flip(new_state, shown, now, reason, result, suppress=flapping or window is not None)


def pause(state: ProbeState, now: datetime) -> tuple[ProbeState, ProbeFlip | None]:
    """Stop judging results; a paused monitor never alerts."""
    if state.status is Status.PAUSED:
        return state, None
    flip = ProbeFlip(state.status, Status.PAUSED, now, "Monitor paused", alert=False)
    return replace(state, status=Status.PAUSED, since=now), flip


def resume(state: ProbeState, now: datetime) -> tuple[ProbeState, ProbeFlip | None]:
    """Start over from PENDING, remembering what users were last alerted about."""
    if state.status is not Status.PAUSED:
        return state, None
    fresh = ProbeState(status=Status.PENDING, since=now, alerted=state.alerted)
    return fresh, ProbeFlip(Status.PAUSED, Status.PENDING, now, "Monitor resumed", alert=False)


def quorum_state(region_states: Mapping[str, Status], quorum: int) -> Status:
    """Combine regions: DOWN only when at least `quorum` regions say down.

    Fewer downs than the quorum read as DEGRADED (a partial outage), as does any
    degraded region; regions without a health (pending, paused) do not vote.
    """
    if quorum < 1:
        raise ValueError("quorum must be at least 1")
    votes = [s for s in region_states.values() if s in HEALTH]
    if not votes:
        return Status.PENDING
    downs = votes.count(Status.DOWN)
    if downs >= quorum:
        return Status.DOWN
    if downs or Status.DEGRADED in votes:
        return Status.DEGRADED
    return Status.UP


def quorum_result(results: Mapping[str, ProbeResult], quorum: int, now: datetime) -> ProbeResult:
    """One result for the monitor from each region's latest result, saying where it failed."""
    status = quorum_state({region: r.status for region, r in results.items()}, quorum)
    failing = sorted(region for region, r in results.items() if r.status is not Status.UP)
    if not results:
        return ProbeResult(status=status, checked_at=now, reason="No region has reported yet")
    if not failing:
        reason = f"Up from all {len(results)} region(s)"
        return ProbeResult(status=status, checked_at=now, reason=reason)
    first = results[failing[0]]
    worst = "down" if status is Status.DOWN else "failing"
    reason = (
        f"{worst.capitalize()} from {len(failing)} of {len(results)} region(s) "
        f"({', '.join(failing)}; quorum {quorum}): {first.reason}"
    )
    return ProbeResult(
        status=status,
        checked_at=now,
        latency_ms=first.latency_ms,
        status_code=first.status_code,
        error_class=first.error_class,
        reason=reason,
        evidence={"regions": {region: str(results[region].status) for region in sorted(results)}},
        monitor_id=first.monitor_id,
    )


def _confirm(
    state: ProbeState, observed: Status, policy: Policy
) -> tuple[Status, Status | None, int]:
    if observed is state.health:
        return state.health, None, 0
    streak = state.streak + 1 if observed is state.candidate else 1
    if state.health is Status.PENDING:
        needed = 1 if observed is Status.UP else policy.confirm_down
    elif _SEVERITY[observed] < _SEVERITY[state.health]:
        needed = policy.confirm_up
    else:
        needed = policy.confirm_down
    if streak >= needed:
        return observed, None, 0
    return state.health, observed, streak


def _flip(
    state: ProbeState,
    shown: Status,
    now: datetime,
    reason: str,
    result: ProbeResult,
    *,
    suppress: bool,
) -> tuple[ProbeState, ProbeFlip]:
    alert = not suppress and shown in HEALTH and shown is not state.alerted
    flip = ProbeFlip(
        old=state.status,
        new=shown,
        at=now,
        reason=reason,
        alert=alert,
        flapping=state.flapping,
        error_class=result.error_class if shown is not Status.UP else None,
    )
    alerted = shown if alert else state.alerted
    return replace(state, status=shown, since=now, alerted=alerted), flip


def _settled(
    state: ProbeState, result: ProbeResult, now: datetime
) -> tuple[ProbeState, ProbeFlip | None]:
    """Flapping just stopped: tell users where things landed if that is news to them."""
    if state.status not in HEALTH or state.status is state.alerted:
        return state, None
    flip = ProbeFlip(
        old=state.alerted,
        new=state.status,
        at=now,
        reason=f"Stopped flapping; now {state.status}: {result.reason}",
        alert=True,
        error_class=result.error_class if state.status is not Status.UP else None,
    )
    return replace(state, alerted=state.status), flip


def _reason(old: Status, new: Status, result: ProbeResult, window: ProbeWindow | None) -> str:
    if window is not None:
        return f"Maintenance started: {window.title}" if window.title else "Maintenance started"
    if old is Status.MAINTENANCE:
        return f"Maintenance ended; {new}: {result.reason}"
    return result.reason
