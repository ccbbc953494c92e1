"""The lean HTTP/1.1 client under the http and keyword checks, against hand-written servers."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable

from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status, spec_problem
from hindsight.probe.wire import MAX_HEADER_BYTES
from tests.probe.support import Harness, RawHandler, read_request_head


def run(
    harness: Harness, handler: RawHandler, spec_for: Callable[[int], CheckSpec]
) -> tuple[ProbeResult, int]:
    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(handler) as port:
            return await harness.check(spec_for(port)), port

    return asyncio.run(scenario())


async def answer_and_close(writer: asyncio.StreamWriter, response: bytes) -> None:
    writer.write(response)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


def test_a_body_that_ends_with_the_connection_is_read_to_its_end(harness: Harness) -> None:
    async def http10(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        await answer_and_close(writer, b"HTTP/1.0 200 OK\r\n\r\n<h1>All systems go</h1>")

    result, _ = run(
        harness,
        http10,
        lambda port: CheckSpec(kind="keyword", url=f"http://127.0.0.1:{port}/", keyword="go"),
    )
    assert result.status is Status.UP, result.reason
    assert result.evidence["body_complete"] is True
    assert result.evidence["bytes_read"] == len(b"<h1>All systems go</h1>")


def test_a_chunked_body_is_decoded_before_the_keyword_search(harness: Harness) -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        body = b"5\r\nHello\r\n7\r\n, world\r\n0\r\n\r\n"
        await answer_and_close(
            writer, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
        )

    result, _ = run(
        harness,
        chunked,
        lambda port: CheckSpec(
            kind="keyword", url=f"http://127.0.0.1:{port}/", keyword="Hello, world"
        ),
    )
    assert result.status is Status.UP, result.reason
    assert result.evidence["snippet"] == "Hello, world"


def test_endless_response_headers_are_cut_off_and_reported(harness: Harness) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(100_000):
            writer.write(b"X-Filler-%d: %s\r\n" % (i, b"y" * 1000))
            await writer.drain()

    result, port = run(
        harness, endless, lambda port: CheckSpec(kind="http", url=f"http://127.0.0.1:{port}/")
    )
    assert result.error_class is ErrorClass.PROTOCOL
    assert result.reason == (
        f"127.0.0.1:{port} sent an invalid HTTP response: "
        f"response headers are larger than {MAX_HEADER_BYTES // 1024} KiB"
    )


def test_a_server_that_hangs_up_without_answering_is_a_reset(harness: Harness) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.close()
        await writer.wait_closed()

    result, port = run(
        harness, hang_up, lambda port: CheckSpec(kind="http", url=f"http://127.0.0.1:{port}/")
    )
    assert result.error_class is ErrorClass.CONNECTION_RESET
    assert result.reason == (
        f"Connection to 127.0.0.1:{port} was reset before the response was complete"
    )


def test_the_request_is_one_http11_request_that_closes_its_connection(harness: Harness) -> None:
    seen: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        await answer_and_close(writer, b"HTTP/1.1 204 No Content\r\n\r\n")

    result, port = run(
        harness,
        record,
        lambda port: CheckSpec(
            kind="http",
            url=f"http://ops:s3cret@127.0.0.1:{port}/health?deep=1",
            method="POST",
            headers=(("X-Probe", "hindsight"),),
        ),
    )
    assert (result.status, result.status_code, result.reason) == (
        Status.UP,
        204,
        "HTTP 204 No Content",
    )
    lines = seen[0].decode().split("\r\n")
    assert lines[0] == "POST /health?deep=1 HTTP/1.1"
    headers = dict(line.split(": ", 1) for line in lines[1:] if line)
    assert headers["Host"] == f"127.0.0.1:{port}"
    assert headers["Connection"] == "close"
    assert headers["Content-Length"] == "0"
    assert headers["X-Probe"] == "hindsight"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ops:s3cret").decode()
    assert "s3cret" not in result.evidence["url"]  # the timeline never shows the password


def test_a_head_check_does_not_wait_for_a_body(harness: Harness) -> None:
    async def head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(3600)  # never sends the body, as a HEAD answer must not

    result, _ = run(
        harness,
        head,
        lambda port: CheckSpec(
            kind="http", url=f"http://127.0.0.1:{port}/", method="HEAD", timeout=5
        ),
    )
    assert (result.status, result.status_code) == (Status.UP, 200)


def test_headers_that_would_split_the_request_are_refused_before_sending() -> None:
    bad_value = CheckSpec(kind="http", url="http://127.0.0.1/", headers=(("X-A", "1\r\nEvil: 1"),))
    bad_name = CheckSpec(kind="http", url="http://127.0.0.1/", headers=(("X A", "1"),))
    assert spec_problem(bad_value) == "The value of header 'X-A' contains a line break"
    assert spec_problem(bad_name) == "Invalid header name 'X A'"
