"""Run many checks with bounded concurrency, and spread their schedule over the interval."""

from __future__ import annotations

import asyncio
import logging
import ssl
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hindsight.probe.checks import check_http, check_tcp, check_tls, make_session
from hindsight.probe.model import (
    CheckSpec,
    Clock,
    ErrorClass,
    ProbeResult,
    failed,
    spec_problem,
    utc_now,
)
from hindsight.probe.wire import Session

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def run_check(
    spec: CheckSpec,
    *,
    session: Session,
    ssl_context: ssl.SSLContext | None = None,
    clock: Clock = utc_now,
) -> ProbeResult:
    """Run one check of any kind; an unexpected exception becomes a DOWN result."""
    started = clock()
    problem = spec_problem(spec)
    if problem is not None:
        return failed(spec, started, ErrorClass.INVALID_SPEC, problem)
    try:
        if spec.kind in ("http", "keyword"):
            return await check_http(spec, session=session, ssl_context=ssl_context, clock=clock)
        if spec.kind == "tls":
            return await check_tls(spec, ssl_context=ssl_context, clock=clock, guard=session.guard)
        return await check_tcp(spec, clock=clock, guard=session.guard)
    except Exception as exc:  # one bad monitor must not take the batch down
        log.exception("check for monitor %s raised", spec.monitor_id or spec.url)
        return failed(
            spec,
            started,
            ErrorClass.INTERNAL,
            f"Check failed unexpectedly: {type(exc).__name__}: {exc}",
            exception=type(exc).__name__,
        )


async def run_batch(
    specs: Sequence[CheckSpec],
    *,
    concurrency: int,
    session: Session | None = None,
    ssl_context: ssl.SSLContext | None = None,
    clock: Clock = utc_now,
) -> list[ProbeResult]:
    """Run `specs` with at most `concurrency` in flight; results come back in input order.

    Steps: open a session if none was given; start `concurrency` workers that
    take the next index from a shared counter (no task per spec, so 100k specs
    cost 100k results, not 100k tasks); wait for all; close the session we opened.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    results: list[ProbeResult | None] = [None] * len(specs)
    own_session = session is None
    active = session if session is not None else make_session(concurrency=concurrency)
    next_index = iter(range(len(specs)))

    async def worker() -> None:
        for i in next_index:
            results[i] = await run_check(
                specs[i], session=active, ssl_context=ssl_context, clock=clock
            )

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(specs))):
                group.create_task(worker())
    finally:
        if own_session:
            await active.close()
    return [r for r in results if r is not None]


def schedule_phase(key: str, interval: timedelta) -> timedelta:
    """A stable offset in [0, interval) for this monitor, from a hash of its key.

    Monitors with the same interval get offsets spread evenly over the interval,
    so 100k monitors on a 60 s interval fire about 1,667 per second, not all at once.
    """
    period_us = _micros(interval)
    return timedelta(microseconds=zlib.crc32(key.encode()) * 2654435761 % period_us)


def next_due(key: str, interval: timedelta, after: datetime) -> datetime:
    """The first time strictly after `after` at which this monitor is due.

    Due times sit on a fixed grid (epoch + phase + k * interval), so a late run
    does not push the following ones later and the spread never drifts.
    """
    if interval <= timedelta(0):
        raise ValueError("interval must be positive")
    period_us = _micros(interval)
    phase_us = _micros(schedule_phase(key, interval))
    elapsed_us = _micros(after - _EPOCH) - phase_us
    k = elapsed_us // period_us + 1
    return _EPOCH + timedelta(microseconds=phase_us + k * period_us)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
