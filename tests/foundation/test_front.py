"""The web front reads bodies on the event loop, within bounds, before Django gets a thread."""

from __future__ import annotations

import asyncio
import json
import threading
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


class OnePage:
    """A snapshot server that knows one fresh page."""

    headers = [("Content-Type", "text/html")]
    body = b"<h1>All systems operational</h1>"

    def hot(self, host: str, path: str) -> OnePage | None:
        return self if path == "/status/" else None

    def answer(self, environ: dict[str, Any]) -> None:
        return None


def test_the_status_page_answers_while_every_django_thread_is_busy():
    release = threading.Event()

    def stuck(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        release.wait(30)
        start_response("200 OK", [])
        return [b"late"]

    front = Front(stuck, threads=1, body_timeout=5.0, max_body=100, snapshots=OnePage())
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def get(path: str) -> Any:
        scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"host", b"x")]}
        return front(scope, receive, send)

    async def scenario() -> None:
        busy = asyncio.ensure_future(get("/incidents/"))
        await asyncio.sleep(0.1)  # the one Django thread is now stuck
        await asyncio.wait_for(get("/status/"), timeout=10)
        release.set()
        await busy

    asyncio.run(scenario())
    assert sent[1]["body"] == b"<h1>All systems operational</h1>"
    assert sent[3]["body"] == b"late"
