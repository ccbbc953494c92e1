"""Incident metrics as pure functions over the key moments (no Django).

Definitions (the same everywhere: incident page, API, post-mortem draft and
executive summary, insights):
- time to detect: started → detected
- time to acknowledge: detected → acknowledged
- time to mitigate: started → mitigated
- time to resolve: started → resolved
- customer-facing duration: started → mitigated (or resolved; still running
  while neither is set), i.e. how long customers felt it.
A span whose end is missing, or which runs backwards because of a bad
correction, is None rather than a misleading number.

Below those, the same module summarises them across incidents (medians,
p90s, repeats, action-item completion, post-mortem timeliness) for the
insights dashboard: one module, one definition of every figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta


def span(start: datetime | None, end: datetime | None) -> timedelta | None:
    """Return end − start, or None when either is missing or the span is negative."""
    if start is None or end is None or end < start:
        return None
    return end - start


@dataclass(frozen=True)
class IncidentMetrics:
    time_to_detect: timedelta | None
    time_to_acknowledge: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    customer_facing: timedelta | None
    ongoing: bool

    def as_seconds(self) -> dict[str, int | None]:
        """Return each metric in whole seconds (None when unknown)."""
        values = {
            "time_to_detect": self.time_to_detect,
            "time_to_acknowledge": self.time_to_acknowledge,
            "time_to_mitigate": self.time_to_mitigate,
            "time_to_resolve": self.time_to_resolve,
            "customer_facing": self.customer_facing,
        }
        return {k: int(v.total_seconds()) if v is not None else None for k, v in values.items()}


def incident_metrics(
    *,
    started: datetime | None,
    detected: datetime | None,
    acknowledged: datetime | None,
    mitigated: datetime | None,
    resolved: datetime | None,
    now: datetime | None = None,
) -> IncidentMetrics:
    """Compute the incident's metrics from its key moments.

    Without ``now`` (a document written after the fact) an incident neither
    mitigated nor resolved has no customer-facing duration rather than one "so far".
    """
    impact_end = mitigated or resolved
    return IncidentMetrics(
        time_to_detect=span(started, detected),
        time_to_acknowledge=span(detected, acknowledged),
        time_to_mitigate=span(started, mitigated),
        time_to_resolve=span(started, resolved),
        customer_facing=span(started, impact_end or now),
        ongoing=impact_end is None,
    )


# ── Across incidents: the insights dashboard, its CSVs and the monthly report ──
#
# Durations are summarised by count, mean, median and 90th percentile; a
# percentile interpolates linearly between the two closest ranks (as
# PostgreSQL's percentile_cont and NumPy's default do). An incident whose span
# is unknown (None above: no acknowledgement, not yet resolved, a backwards
# correction) is left out of that metric, never counted as zero.

DURATIONS = ("time_to_detect", "time_to_acknowledge", "time_to_resolve")


def percentile(values: Sequence[float], share: float) -> float | None:
    """Return the ``share`` (0–1) percentile of values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """Count, mean, median and p90 of a set of values (seconds, or scores)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(
            count=len(values),
            mean=sum(values) / len(values) if values else None,
            median=percentile(values, 0.5),
            p90=percentile(values, 0.9),
        )


@dataclass(frozen=True)
class IncidentFacts:
    """What the cross-incident metrics need to know of one incident."""

    id: int
    started: datetime
    severity: str
    services: tuple[str, ...]
    factors: tuple[str, ...]
    metrics: IncidentMetrics


def month_of(moment: datetime | date) -> str:
    """Return the calendar month (UTC) as "YYYY-MM"."""
    return f"{moment.year:04d}-{moment.month:02d}"


def seconds_of(facts: IncidentFacts, duration: str) -> float | None:
    """Return one of the incident's DURATIONS in seconds, None when unknown."""
    value: timedelta | None = getattr(facts.metrics, duration)
    return value.total_seconds() if value is not None else None


def summarise_durations(
    incidents: Iterable[IncidentFacts], keys: Callable[[IncidentFacts], Iterable[str]]
) -> dict[str, dict[str, Summary]]:
    """Group incidents by key (month, severity, service…) and summarise each duration."""
    grouped: dict[str, dict[str, list[float]]] = {}
    for facts in incidents:
        for key in keys(facts):
            values = grouped.setdefault(key, {d: [] for d in DURATIONS})
            for duration in DURATIONS:
                seconds = seconds_of(facts, duration)
                if seconds is not None:
                    values[duration].append(seconds)
    return {
        key: {d: Summary.of(values[d]) for d in DURATIONS}
        for key, values in sorted(grouped.items())
    }


@dataclass(frozen=True)
class Repeat:
    """An incident that started within the window after an earlier one it shares something with."""

    incident: int
    earlier: int
    started: datetime
    reason: str  # "service checkout" or "factor certificate-expiry"


def repeats(incidents: Sequence[IncidentFacts], within: timedelta) -> list[Repeat]:
    """Return each incident preceded, within ``within``, by one sharing a service or factor.

    The earlier incident named is the most recent such one; an incident counts
    once however many things it shares.
    """
    last_seen: dict[str, IncidentFacts] = {}
    found: list[Repeat] = []
    for facts in sorted(incidents, key=lambda f: (f.started, f.id)):
        keys = [f"service {s}" for s in facts.services] + [f"factor {f}" for f in facts.factors]
        earlier = [
            (last_seen[k], k)
            for k in keys
            if k in last_seen and facts.started - last_seen[k].started <= within
        ]
        if earlier:
            previous, reason = max(earlier, key=lambda pair: (pair[0].started, pair[0].id))
            found.append(Repeat(facts.id, previous.id, facts.started, reason))
        for key in keys:
            last_seen[key] = facts
    return found


@dataclass(frozen=True)
class ActionFacts:
    """An action item as the follow-through metrics see it."""

    created: datetime
    due: date | None
    closed: datetime | None  # when it was done or given up
    done: bool
    wont_do: bool
    evidence: bool  # a link or a verification note shows how the fix was checked


def completion_rate(actions: Sequence[ActionFacts]) -> float | None:
    """Share of action items done, of those not given up ("won't do"); None when none."""
    counted = [a for a in actions if not a.wont_do]
    return sum(a.done for a in counted) / len(counted) if counted else None


def overdue_at(actions: Iterable[ActionFacts], moment: datetime) -> int:
    """Count items past their due date at ``moment`` and not closed by then."""
    return sum(
        1
        for a in actions
        if not a.wont_do
        and a.created <= moment
        and a.due is not None
        and a.due < moment.date()
        and (a.closed is None or a.closed > moment)
    )


WRITTEN_WITHIN = timedelta(hours=48)


def written_on_time(
    *, resolved: datetime | None, written: datetime | None, now: datetime
) -> bool | None:
    """Whether a post-mortem was written within 48 h of resolution; None while undecided.

    Undecided: the incident is not resolved, or it is not written yet and its
    48 hours are not over. Not written when they are over counts as late.
    """
    if resolved is None:
        return None
    deadline = resolved + WRITTEN_WITHIN
    if written is None:
        return False if now > deadline else None
    return written <= deadline


def share(flags: Iterable[bool | None]) -> tuple[int, int, float | None]:
    """Return (decided, true, share of true among decided) of yes/no/undecided flags."""
    decided = [f for f in flags if f is not None]
    hits = sum(decided)
    return len(decided), hits, hits / len(decided) if decided else None


def thoroughness(*, score: int | None, on_time: bool | None, actions: int, evidenced: int) -> float:
    """Points for a thorough post-mortem (recognition): its review score (0–100), 20 more if
    written within 48 h, and up to 30 more for the share of its action items done with evidence."""
    points = float(score or 0)
    if on_time:
        points += 20
    if actions:
        points += 30 * evidenced / actions
    return round(points, 1)
