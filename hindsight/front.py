"""The web front: an ASGI application that reads requests before Django sees them.

`hindsight serve` runs this on granian's event loop. Slow or hostile clients
cost the loop a coroutine, never one of the few threads that run Django:

- a request body is read completely here, within `body_timeout` seconds and
  `max_body` bytes (408 / 413 otherwise), so a client that sends half a body
  and stalls holds no thread; chunked bodies arrive the same way as bodies
  with a Content-Length, which Django then sees;
- status-page snapshots that need no rendering are answered on the loop
  (``SnapshotApp.answer``), so the public page keeps serving while every
  Django thread is busy;
- everything else runs the WSGI application (Django behind the snapshot
  server) on a pool of `threads` threads.

This module imports no Django: it runs where the database may be unreachable.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import IO, Any, Protocol
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Response = tuple[str, list[tuple[str, str]], bytes]
# A request body above this many bytes waits on disk, not in memory.
SPOOL_BYTES = 1024 * 1024


class Snapshot(Protocol):
    headers: list[tuple[str, str]]
    body: bytes


class Snapshots(Protocol):
    """Answers status-page requests from files, or None when the application must."""

    def hot(self, host: str, path: str) -> Snapshot | None:
        """A fresh page already served for this host and path, or None."""

    def answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The response for this request, without rendering, or None."""


class BodyRefused(Exception):
    """A request body that is too large or too slow; carries the answer to send."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.response = error_response(status, code, detail)


def error_response(status: int, code: str, detail: str) -> Response:
    """The documented JSON error, as the front sends it."""
    body = json.dumps({"detail": detail, "code": code}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return f"{status} {HTTPStatus(status).phrase}", headers, body


class Front:
    """ASGI application: bounded body reads, snapshots on the loop, Django on threads."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        threads: int,
        body_timeout: float,
        max_body: int,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.app = app
        self.snapshots = snapshots
        self.body_timeout = body_timeout
        self.max_body = max_body
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self.snapshots is not None and scope["method"] in ("GET", "HEAD"):
            page = self._hot_page(scope)
            if page is not None:
                await _send(
                    send, ("200 OK", page.headers, page.body), head=scope["method"] == "HEAD"
                )
                return
        environ = wsgi_environ(scope)
        if not _has_body(environ):
            # Most requests (every status-page GET) carry no body: nothing to wait for.
            environ["wsgi.input"] = io.BytesIO()
            environ["CONTENT_LENGTH"] = "0"
            response = await self._respond(environ)
        else:
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
                try:
                    await self._read_body(scope, receive, body)
                except BodyRefused as refused:
                    response = refused.response
                else:
                    environ["wsgi.input"] = body
                    environ["CONTENT_LENGTH"] = str(body.tell())
                    body.seek(0)
                    response = await self._respond(environ)
        await _send(send, response, head=scope["method"] == "HEAD")

    def _hot_page(self, scope: Scope) -> Snapshot | None:
        assert self.snapshots is not None
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = value.decode("latin-1")
            elif name in (b"if-none-match", b"if-modified-since", b"content-length"):
                return None  # conditional, or a GET with a body: the full path decides
            elif name == b"transfer-encoding":
                return None
            elif name == b"accept-encoding" and (b"gzip" in value or b"br" in value):
                return None  # a compressed copy: the full path picks it
        path = scope["path"]
        if scope.get("root_path") or not path.isascii():
            return None  # PATH_INFO would differ from the decoded path: the full path decides
        return self.snapshots.hot(host, path)

    async def _respond(self, environ: dict[str, Any]) -> Response:
        response = self.snapshots.answer(environ) if self.snapshots is not None else None
        if response is None:
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(self.pool, run_wsgi, self.app, environ)
        return response

    async def _read_body(self, scope: Scope, receive: Receive, body: IO[bytes]) -> None:
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body:
            raise BodyRefused(413, "too_large", self._too_large())
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise BodyRefused(400, "disconnected", "The client went away.")
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body:
                        raise BodyRefused(413, "too_large", self._too_large())
                    body.write(chunk)
                    if not message.get("more_body", False):
                        return
        except TimeoutError:
            log.info(
                "request body for %s not received within %ss", scope["path"], self.body_timeout
            )
            raise BodyRefused(
                408,
                "body_timeout",
                f"The request body did not arrive within {self.body_timeout:g} seconds.",
            ) from None

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body} bytes."


def wsgi_environ(scope: Scope) -> dict[str, Any]:
    """Translate an ASGI HTTP scope into a WSGI environ (without the body)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    path = unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("latin-1")
    root = scope.get("root_path", "")
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path[len(root) :] if root and path.startswith(root) else path,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name == "CONTENT_TYPE" or name == "CONTENT_LENGTH":
            key = name
        elif name == "TRANSFER_ENCODING":
            # The body arrives de-chunked; Django sees its length instead.
            environ["hindsight.chunked"] = True
            continue
        else:
            key = "HTTP_" + name
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def run_wsgi(app: WSGIApp, environ: dict[str, Any]) -> Response:
    """Call the WSGI application on this thread; return its whole response."""
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return written.append

    result = app(environ, start_response)
    try:
        chunks = [chunk for chunk in result if chunk]
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    return status, headers, b"".join([*written, *chunks])


def _has_body(environ: dict[str, Any]) -> bool:
    """Whether the request may carry a body: a length above 0, chunked, or HTTP/2 data."""
    if environ.get("CONTENT_LENGTH", "") not in ("", "0") or environ.get("hindsight.chunked"):
        return True
    # HTTP/2 frames a body without either header.
    http2 = environ["SERVER_PROTOCOL"] == "HTTP/2"
    return http2 and environ["REQUEST_METHOD"] not in ("GET", "HEAD")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send(send: Send, response: Response, *, head: bool) -> None:
    status, headers, body = response
    await send(
        {
            "type": "http.response.start",
            "status": int(status.split(" ", 1)[0]),
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
