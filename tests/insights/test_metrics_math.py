"""The metrics math on its own: percentiles, timeliness, completion, repeats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hindsight.core.metrics import (
    ActionFacts,
    IncidentFacts,
    Summary,
    completion_rate,
    incident_metrics,
    overdue_at,
    percentile,
    repeats,
    share,
    thoroughness,
    written_on_time,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([], 0.5, None), ([7], 0.9, 7), ([1, 3], 0.5, 2), ([10, 20, 30, 40], 0.9, 37)],
)
def test_it_interpolates_percentiles_between_ranks(values, p, expected):
    assert percentile(values, p) == (None if expected is None else pytest.approx(expected))


def test_it_summarises_with_median_p90_and_mean():
    assert Summary.of([2, 5, 10, 20]) == Summary(count=4, mean=9.25, median=7.5, p90=17.0)


def test_it_leaves_an_unacknowledged_incident_out_of_time_to_acknowledge():
    m = incident_metrics(
        started=T0, detected=T0, acknowledged=None, mitigated=None, resolved=T0, now=T0
    )
    assert m.time_to_acknowledge is None


@pytest.mark.parametrize(
    ("written_after", "now_after", "expected"),
    [(47, 100, True), (49, 100, False), (None, 49, False), (None, 47, None)],
)
def test_it_decides_timeliness_only_once_the_48_hours_are_over(written_after, now_after, expected):
    written = T0 + timedelta(hours=written_after) if written_after is not None else None
    decided = written_on_time(resolved=T0, written=written, now=T0 + timedelta(hours=now_after))
    assert decided is expected


def test_it_leaves_unresolved_incidents_out_of_timeliness():
    assert written_on_time(resolved=None, written=T0, now=T0) is None


def test_it_counts_shares_of_decided_flags_only():
    assert share([True, False, None, True]) == (3, 2, 2 / 3)


def _action(done=False, wont=False, due=None, closed=None) -> ActionFacts:
    return ActionFacts(created=T0, due=due, closed=closed, done=done, wont_do=wont, evidence=False)


def test_it_leaves_wont_do_items_out_of_the_completion_rate():
    assert completion_rate([_action(done=True), _action(), _action(wont=True)]) == 0.5


def test_it_counts_items_overdue_at_a_moment():
    moment = T0 + timedelta(days=10)
    items = [
        _action(due=date(2026, 3, 5)),  # overdue
        _action(due=date(2026, 3, 5), done=True, closed=T0 + timedelta(days=4)),  # closed in time
        _action(due=date(2026, 3, 5), done=True, closed=T0 + timedelta(days=12)),  # closed later
        _action(due=date(2026, 3, 20)),  # not due yet
        _action(due=date(2026, 3, 5), wont=True),  # given up
    ]
    assert overdue_at(items, moment) == 2


def _incident(pk: int, day: int, services=(), factors=()) -> IncidentFacts:
    started = T0 + timedelta(days=day)
    metrics = incident_metrics(
        started=started, detected=None, acknowledged=None, mitigated=None, resolved=None, now=T0
    )
    return IncidentFacts(pk, started, "SEV3", tuple(services), tuple(factors), metrics)


def test_it_finds_a_repeat_of_a_service_within_the_window():
    found = repeats(
        [
            _incident(1, 0, ["checkout"]),
            _incident(2, 20, ["checkout"]),
            _incident(3, 60, ["checkout"]),
        ],
        timedelta(days=30),
    )
    assert [(r.incident, r.earlier, r.reason) for r in found] == [(2, 1, "service checkout")]


def test_it_finds_a_repeat_of_a_factor_on_another_service():
    found = repeats(
        [_incident(1, 0, ["a"], ["dns"]), _incident(2, 3, ["b"], ["dns"])], timedelta(days=30)
    )
    assert [(r.incident, r.earlier, r.reason) for r in found] == [(2, 1, "factor dns")]


def test_it_scores_thoroughness_from_score_timeliness_and_evidence():
    assert thoroughness(score=80, on_time=True, actions=2, evidenced=1) == 115.0
