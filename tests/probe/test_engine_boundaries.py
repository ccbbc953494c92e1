"""The engine stays free of Django and keeps secrets and big bodies out of results."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime

from hindsight.probe.model import CheckSpec, ProbeResult, Status
from hindsight.probe.runner import run_batch
from hindsight.probe.transitions import quorum_result

from .support import Harness, read_request_head


def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys, hindsight.probe\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_credentials_in_a_url_never_reach_the_evidence(harness: Harness) -> None:
    async def scenario() -> tuple[ProbeResult, str]:
        async with harness.app() as base:
            url = base.replace("http://", "http://ops:s3cret@") + "/chain/1"
            return await harness.check(CheckSpec(kind="http", url=url, timeout=1.0)), base

    result, base = asyncio.run(scenario())
    assert result.status is Status.UP
    assert result.evidence["url"] == f"{base}/chain/1"
    assert "s3cret" not in repr(result.evidence)


def test_a_plain_http_check_does_not_read_a_huge_body(harness: Harness) -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n")
        while True:
            writer.write(b"z" * 16384)
            await writer.drain()

    async def scenario() -> ProbeResult:
        async with harness.raw(huge) as port:
            return await harness.check(CheckSpec(kind="http", url=f"http://127.0.0.1:{port}/"))

    result = asyncio.run(scenario())
    assert (result.status, result.reason) == (Status.UP, "HTTP 200 OK")


def test_quorum_without_reports_is_pending() -> None:
    result = quorum_result({}, quorum=2, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert (result.status, result.reason) == (Status.PENDING, "No region has reported yet")
    assert result.error_class is None


def test_one_monitors_cookies_never_reach_another(harness: Harness) -> None:
    async def scenario() -> list[ProbeResult]:
        async with harness.app() as base:
            base = base.replace("127.0.0.1", "localhost")  # a jar keeps no cookies for IPs
            specs = [
                CheckSpec(kind="http", url=f"{base}/set-cookie"),
                CheckSpec(kind="http", url=f"{base}/no-cookie"),
            ]
            return await run_batch(specs, concurrency=1)

    assert [r.reason for r in asyncio.run(scenario())] == ["HTTP 200 OK", "HTTP 200 OK"]
