"""TCP-connect checks: accepted, refused, unanswered, unresolvable, misconfigured."""

from __future__ import annotations

import asyncio

from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status

from .support import Harness


async def hold_open(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


def tcp(host: str, port: int, timeout: float = 1.0) -> CheckSpec:
    return CheckSpec(kind="tcp", host=host, port=port, timeout=timeout)


def test_it_is_up_when_the_port_accepts(harness: Harness) -> None:
    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(hold_open) as port:
            return await harness.check(tcp("127.0.0.1", port)), port

    result, port = asyncio.run(scenario())
    assert result.status is Status.UP
    assert result.reason == f"TCP connection to 127.0.0.1:{port} accepted"
    assert result.latency_ms is not None and result.latency_ms > 0


def test_it_reports_connection_refused(harness: Harness, refused_port: int) -> None:
    result = asyncio.run(harness.check(tcp("127.0.0.1", refused_port)))
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.CONNECTION_REFUSED
    assert result.reason == f"Connection refused by 127.0.0.1:{refused_port}"


def test_it_times_out_when_the_connect_hangs(harness: Harness, full_backlog_port: int) -> None:
    result = asyncio.run(harness.check(tcp("127.0.0.1", full_backlog_port, timeout=0.3)))
    assert result.error_class is ErrorClass.TIMEOUT
    assert result.reason == f"No response from 127.0.0.1:{full_backlog_port} within 0.3 s"


def test_it_reports_a_dns_failure(harness: Harness) -> None:
    result = asyncio.run(harness.check(tcp("db.hindsight.invalid", 5432)))
    assert result.error_class is ErrorClass.DNS
    assert result.reason == "Could not resolve host name db.hindsight.invalid"


def test_it_needs_a_port(harness: Harness) -> None:
    result = asyncio.run(harness.check(tcp("127.0.0.1", 0)))
    assert result.error_class is ErrorClass.INVALID_SPEC
    assert result.reason == "TCP check needs a host and a port"
