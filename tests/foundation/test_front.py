"""The web front reads bodies on the event loop, within bounds, before Django gets a thread."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hindsight.front import Front


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"] or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['CONTENT_LENGTH']}:".encode() + body]


def call(
    messages: list[dict[str, Any]], headers: list[tuple[bytes, bytes]] | None = None, **options: Any
) -> tuple[int, bytes]:
    options = {"threads": 1, "body_timeout": 5.0, "max_body": 100, **options}
    front = Front(echo, **options)
    sent: list[dict[str, Any]] = []
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await asyncio.sleep(3600)  # a client that stalls
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/hook", "headers": headers or []}
    asyncio.run(front(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_it_reads_a_chunked_body_and_tells_django_its_length():
    parts = [
        {"type": "http.request", "body": b'{"a":', "more_body": True},
        {"type": "http.request", "body": b" 1}", "more_body": False},
    ]
    assert call(parts, [(b"transfer-encoding", b"chunked")]) == (200, b'8:{"a": 1}')


def test_it_refuses_a_declared_body_over_the_limit_without_reading_it():
    status, body = call([], [(b"content-length", b"101")])
    assert status == 413
    assert json.loads(body) == {
        "detail": "The request body is larger than 100 bytes.",
        "code": "too_large",
    }


def test_it_refuses_a_chunked_body_that_grows_over_the_limit():
    parts = [{"type": "http.request", "body": b"x" * 60, "more_body": True}] * 2
    assert call(parts, [(b"transfer-encoding", b"chunked")])[0] == 413


def test_it_answers_408_when_the_body_stalls():
    parts = [{"type": "http.request", "body": b"x", "more_body": True}]
    status, body = call(parts, [(b"content-length", b"50")], body_timeout=0.2)
    assert status == 408
    assert json.loads(body)["code"] == "body_timeout"


def test_it_answers_a_request_without_a_body_without_waiting_for_one():
    assert call([]) == (200, b"0:")
