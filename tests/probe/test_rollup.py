"""Rollups: uptime and latency percentiles per minute/hour/day, mergeable without raw rows."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.probe.model import ProbeResult, Status
from hindsight.probe.rollup import (
    HISTOGRAM_SLOTS,
    Rollup,
    coarsen,
    rollup,
    uptime_bars,
    uptime_pct,
)

T0 = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


def result(at: datetime, status: Status = Status.UP, latency: float | None = 50.0) -> ProbeResult:
    return ProbeResult(status=status, checked_at=at, latency_ms=latency)


def test_it_counts_checks_and_uptime_per_minute() -> None:
    results = [
        result(T0 + timedelta(seconds=1)),
        result(T0 + timedelta(seconds=20), Status.DEGRADED, 900.0),
        result(T0 + timedelta(seconds=40), Status.DOWN, None),
        result(T0 + timedelta(seconds=59)),
        result(T0 + timedelta(minutes=1, seconds=5)),
    ]
    first, second = rollup(results, "minute")
    assert (first.start, first.checks, first.up, first.degraded, first.down) == (T0, 4, 2, 1, 1)
    assert first.uptime_pct == 75.0  # degraded still answered
    assert (first.latency_min_ms, first.latency_max_ms, first.mean_latency_ms) == (
        50.0,
        900.0,
        pytest.approx(1000 / 3),
    )
    assert second.start == T0 + timedelta(minutes=1)
    assert second.uptime_pct == 100.0


def test_latency_of_failed_checks_is_left_out_of_the_chart() -> None:
    [bucket] = rollup([result(T0), result(T0, Status.DOWN, 2.0)], "hour")
    assert bucket.latency_count == 1
    assert bucket.p50 == 50.0


def test_an_empty_bucket_has_no_uptime_or_latency() -> None:
    empty = Rollup(start=T0, resolution="day")
    assert (empty.uptime_pct, empty.p50, empty.mean_latency_ms) == (None, None, None)


def test_percentiles_are_close_to_the_exact_ones() -> None:
    latencies = [float(x) for x in range(1, 1001)]  # 1..1000 ms, evenly
    [bucket] = rollup([result(T0, latency=x) for x in latencies], "minute")
    for q, estimate in ((50, bucket.p50), (95, bucket.p95), (99, bucket.p99)):
        exact = statistics.quantiles(latencies, n=100)[q - 1]
        assert estimate is not None
        assert abs(estimate - exact) / exact < 0.05, (q, estimate, exact)


def test_hours_built_from_minutes_equal_hours_built_from_raw_results() -> None:
    results = [
        result(T0 + timedelta(seconds=37 * i), Status.DOWN if i % 7 == 0 else Status.UP, 10.0 + i)
        for i in range(400)
    ]
    from_raw = rollup(results, "hour")
    from_minutes = coarsen(rollup(results, "minute"), "hour")
    assert from_minutes == from_raw
    assert coarsen(from_minutes, "day") == rollup(results, "day")


statuses = st.sampled_from([Status.UP, Status.DEGRADED, Status.DOWN])
raw_results = st.lists(
    st.builds(
        result,
        at=st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 4), timezones=st.just(UTC)
        ),
        status=statuses,
        latency=st.one_of(st.none(), st.floats(0.01, 120_000)),
    ),
    max_size=60,
)


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(raw_results)
def test_merging_is_exact_at_every_level(results: list[ProbeResult]) -> None:
    days_from_raw = rollup(results, "day")
    days_via_hours = coarsen(coarsen(rollup(results, "minute"), "hour"), "day")
    for a, b in zip(days_from_raw, days_via_hours, strict=True):
        assert (a.start, a.checks, a.up, a.degraded, a.down) == (
            b.start,
            b.checks,
            b.up,
            b.degraded,
            b.down,
        )
        assert a.histogram == b.histogram
        assert (a.latency_min_ms, a.latency_max_ms) == (b.latency_min_ms, b.latency_max_ms)
        assert a.latency_sum_ms == pytest.approx(b.latency_sum_ms)


def test_it_refuses_to_split_coarse_buckets() -> None:
    with pytest.raises(ValueError, match="cannot split day buckets into hour buckets"):
        coarsen([Rollup(start=T0, resolution="day")], "hour")


def test_a_bucket_survives_storage_as_a_small_dict() -> None:
    [bucket] = rollup([result(T0), result(T0, latency=3000.0), result(T0, Status.DOWN)], "day")
    stored = bucket.to_dict()
    assert len(stored["histogram"]) == 2  # sparse: only the slots in use
    assert Rollup.from_dict(stored) == bucket
    assert len(bucket.histogram) == HISTOGRAM_SLOTS


def test_ninety_day_bars_leave_days_without_data_empty() -> None:
    today = date(2026, 11, 29)
    days = [
        Rollup(start=datetime(2026, 11, 29, tzinfo=UTC), resolution="day", checks=1440, up=1440),
        Rollup(
            start=datetime(2026, 11, 27, tzinfo=UTC),
            resolution="day",
            checks=1440,
            up=1380,
            down=60,
        ),
    ]
    bars = uptime_bars(days, today=today)
    assert len(bars) == 90
    assert bars[0].day == date(2026, 9, 1)
    assert (bars[-1].day, bars[-1].uptime_pct) == (today, 100.0)
    assert bars[-2].uptime_pct is None
    assert bars[-3].uptime_pct == pytest.approx(95.833, abs=0.001)
    assert bars[-3].down == 60
    assert uptime_pct(days) == pytest.approx(100 * 2820 / 2880)
    assert uptime_pct([]) is None
