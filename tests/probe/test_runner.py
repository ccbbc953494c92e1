"""run_batch: bounded concurrency, input order, one bad monitor never sinks the batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hindsight.probe import runner
from hindsight.probe.model import CheckSpec, ErrorClass, Status
from hindsight.probe.runner import next_due, run_batch, schedule_phase

from .support import Gauge, Harness


def test_it_never_has_more_checks_in_flight_than_the_concurrency(harness: Harness) -> None:
    gauge = Gauge()

    async def scenario() -> list[Status]:
        async with harness.app(gauge) as base:
            specs = [
                CheckSpec(kind="http", url=f"{base}/slow", monitor_id=str(i)) for i in range(12)
            ]
            results = await run_batch(specs, concurrency=3)
            return [r.status for r in results]

    assert asyncio.run(scenario()) == [Status.UP] * 12
    assert gauge.peak == 3


def test_it_returns_results_in_input_order(harness: Harness, refused_port: int) -> None:
    async def scenario() -> list[tuple[str, ErrorClass | None]]:
        async with harness.app() as base:
            specs = [
                CheckSpec(kind="http", url=f"{base}/ok", monitor_id="a"),
                CheckSpec(kind="tcp", host="127.0.0.1", port=refused_port, monitor_id="b"),
                CheckSpec(kind="http", url=f"{base}/status/500", monitor_id="c"),
            ]
            return [(r.monitor_id, r.error_class) for r in await run_batch(specs, concurrency=2)]

    assert asyncio.run(scenario()) == [
        ("a", None),
        ("b", ErrorClass.CONNECTION_REFUSED),
        ("c", ErrorClass.UNEXPECTED_STATUS),
    ]


def test_a_check_that_raises_becomes_a_down_result(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_tcp(spec: CheckSpec, **_: object) -> None:
        raise RuntimeError("bug in a check")

    monkeypatch.setattr(runner, "check_tcp", broken_tcp)

    async def scenario() -> list[tuple[Status, ErrorClass | None, str]]:
        async with harness.app() as base:
            specs = [
                CheckSpec(kind="tcp", host="127.0.0.1", port=1, monitor_id="broken"),
                CheckSpec(kind="http", url=f"{base}/ok", monitor_id="fine"),
            ]
            results = await run_batch(specs, concurrency=1)
            return [(r.status, r.error_class, r.reason) for r in results]

    assert asyncio.run(scenario()) == [
        (
            Status.DOWN,
            ErrorClass.INTERNAL,
            "Check failed unexpectedly: RuntimeError: bug in a check",
        ),
        (Status.UP, None, "HTTP 200 OK"),
    ]


def test_it_rejects_an_unknown_kind_as_a_result() -> None:
    spec = CheckSpec(kind="ping", host="127.0.0.1")  # type: ignore[arg-type]
    [result] = asyncio.run(run_batch([spec], concurrency=1))
    assert result.error_class is ErrorClass.INVALID_SPEC
    assert result.reason == "Unknown check kind 'ping'"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"timeout": 0}, "Timeout must be more than 0 seconds, not 0"),
        ({"max_redirects": -1}, "Maximum redirects cannot be negative"),
        ({"max_body_bytes": 0}, "The body limit must be at least 1 byte"),
        ({"port": 70000}, "Port 70000 is out of range"),
        ({"kind": "keyword"}, "A keyword check needs a keyword"),
        (
            {"tls_warning_days": 3, "tls_critical_days": 7},
            "The TLS critical threshold must not exceed the warning threshold",
        ),
        (
            {"method": "GET /admin"},
            "HTTP method 'GET /admin' is not one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
        ),
    ],
)
def test_a_misconfigured_monitor_gets_a_result_that_says_why(
    changes: dict[str, object], reason: str
) -> None:
    spec = replace(CheckSpec(kind="http", url="http://127.0.0.1:9/"), **changes)  # type: ignore[arg-type]
    [result] = asyncio.run(run_batch([spec], concurrency=1))
    assert (result.status, result.error_class, result.reason) == (
        Status.DOWN,
        ErrorClass.INVALID_SPEC,
        reason,
    )


def test_it_runs_an_empty_batch() -> None:
    assert asyncio.run(run_batch([], concurrency=4)) == []


def test_it_needs_a_positive_concurrency() -> None:
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        asyncio.run(run_batch([], concurrency=0))


# --- schedule ---------------------------------------------------------------

NOW = datetime(2026, 11, 29, 3, 0, 7, 250000, tzinfo=UTC)
MINUTE = timedelta(seconds=60)


def test_next_due_is_after_now_and_within_one_interval() -> None:
    due = next_due("monitor-42", MINUTE, NOW)
    assert NOW < due <= NOW + MINUTE


def test_next_due_keeps_a_fixed_phase_so_late_runs_do_not_drift() -> None:
    first = next_due("monitor-42", MINUTE, NOW)
    late = first + timedelta(seconds=7)  # the run started 7 s late
    assert next_due("monitor-42", MINUTE, late) == first + MINUTE
    assert next_due("monitor-42", MINUTE, first) == first + MINUTE


def test_the_phase_is_stable_across_processes() -> None:
    # crc32, not hash(): every worker computes the same phase for a monitor
    assert schedule_phase("monitor-42", MINUTE) == schedule_phase("monitor-42", MINUTE)
    assert schedule_phase("monitor-42", MINUTE) != schedule_phase("monitor-43", MINUTE)


def test_100k_monitors_on_one_interval_spread_over_the_minute() -> None:
    per_second = Counter(next_due(str(i), MINUTE, NOW).second for i in range(100_000))
    assert len(per_second) == 60
    mean = 100_000 / 60
    assert max(per_second.values()) < 1.25 * mean
    assert min(per_second.values()) > 0.75 * mean


def test_next_due_rejects_a_non_positive_interval() -> None:
    with pytest.raises(ValueError, match="interval must be positive"):
        next_due("m", timedelta(0), NOW)
