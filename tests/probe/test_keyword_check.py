"""Keyword checks: text or regex in the first N bytes, and bodies that never end."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status

from .support import Harness, read_request_head


def keyword(url: str, text: str, **options: Any) -> CheckSpec:
    options.setdefault("timeout", 1.0)
    return CheckSpec(kind="keyword", url=url, keyword=text, **options)


def check_app(harness: Harness, path: str, text: str, **options: Any) -> ProbeResult:
    async def scenario() -> ProbeResult:
        async with harness.app() as base:
            return await harness.check(keyword(base + path, text, **options))

    return asyncio.run(scenario())


def test_it_is_up_when_the_text_is_present(harness: Harness) -> None:
    result = check_app(harness, "/ok", "Welcome to Hindsight")
    assert result.status is Status.UP
    assert result.reason == 'HTTP 200; text "Welcome to Hindsight" found'
    assert "Welcome to Hindsight" in result.evidence["snippet"]
    assert result.evidence["body_complete"] is True


def test_it_is_down_when_the_text_is_missing(harness: Harness) -> None:
    result = check_app(harness, "/ok", "Maintenance")
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.KEYWORD_MISSING
    assert result.reason == 'Text "Maintenance" not found in the body'


def test_it_is_down_when_a_text_that_must_be_absent_appears(harness: Harness) -> None:
    result = check_app(harness, "/ok", "Welcome", keyword_mode="absent")
    assert result.error_class is ErrorClass.KEYWORD_FOUND
    assert result.reason == 'Text "Welcome" found in the body but must be absent'


def test_it_is_up_when_an_absent_text_stays_absent(harness: Harness) -> None:
    result = check_app(harness, "/ok", "Traceback", keyword_mode="absent")
    assert result.status is Status.UP
    assert result.reason == 'HTTP 200; text "Traceback" absent'


def test_it_matches_a_regex(harness: Harness) -> None:
    result = check_app(harness, "/ok", r"<h1>\w+ to \w+</h1>", keyword_is_regex=True)
    assert result.status is Status.UP
    assert result.reason == "HTTP 200; pattern /<h1>\\w+ to \\w+</h1>/ found"


def test_it_reports_an_invalid_regex_without_fetching(harness: Harness) -> None:
    result = check_app(harness, "/ok", "(unclosed", keyword_is_regex=True)
    assert result.error_class is ErrorClass.INVALID_SPEC
    assert (
        result.reason == "Invalid keyword regex '(unclosed': missing ): (unclosed "
        "(patterns use RE2 syntax: no backreferences or lookaround)"
    )


def test_it_only_searches_the_first_n_bytes(harness: Harness) -> None:
    result = check_app(harness, "/big", "Welcome", max_body_bytes=64 * 1024)
    assert result.error_class is ErrorClass.KEYWORD_MISSING
    assert result.reason == 'Text "Welcome" not found in the first 64 KiB of the body'
    assert result.evidence["bytes_read"] == 64 * 1024


def test_it_finds_the_text_when_the_limit_covers_it(harness: Harness) -> None:
    result = check_app(harness, "/big", "Welcome", max_body_bytes=200 * 1024)
    assert result.status is Status.UP


def test_it_checks_the_status_before_the_keyword(harness: Harness) -> None:
    result = check_app(harness, "/status/500", "status")
    assert result.error_class is ErrorClass.UNEXPECTED_STATUS


@dataclass
class Sent:
    bytes: int = 0


def test_it_reads_no_more_than_the_limit_of_an_endless_body(harness: Harness) -> None:
    sent = Sent()

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        chunk = b"z" * 16384
        while True:
            writer.write(chunk)
            await writer.drain()
            sent.bytes += len(chunk)

    async def scenario() -> ProbeResult:
        async with harness.raw(endless) as port:
            spec = keyword(f"http://127.0.0.1:{port}/", "never", max_body_bytes=32 * 1024)
            return await harness.check(spec)

    result = asyncio.run(scenario())
    assert result.error_class is ErrorClass.KEYWORD_MISSING
    assert result.reason == 'Text "never" not found in the first 32 KiB of the body'
    assert result.evidence["bytes_read"] == 32 * 1024
    assert result.evidence["body_complete"] is False
    assert sent.bytes > 0


def test_it_gives_up_on_a_slow_drip_body_at_the_total_deadline(harness: Harness) -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:  # one byte every 20 ms: each read is quick, the whole never ends
            writer.write(b".")
            await writer.drain()
            await asyncio.sleep(0.02)

    async def scenario() -> ProbeResult:
        async with harness.raw(drip) as port:
            return await harness.check(keyword(f"http://127.0.0.1:{port}/", "x", timeout=0.4))

    result = asyncio.run(scenario())
    assert result.error_class is ErrorClass.SLOW_BODY
    assert result.reason == "Response body was still arriving after 0.4 s (slow or stalled body)"
    assert 0 < result.evidence["bytes_read"] < 100000


def test_it_reports_a_body_cut_short(harness: Harness) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nonly a little")
        await writer.drain()

    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(cut) as port:
            return await harness.check(keyword(f"http://127.0.0.1:{port}/", "x")), port

    result, port = asyncio.run(scenario())
    assert result.error_class is ErrorClass.CONNECTION_RESET
    assert result.reason == (
        f"Connection to 127.0.0.1:{port} was reset before the response was complete"
    )
