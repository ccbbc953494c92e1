"""A lean HTTP/1.1 client for checks: one new connection per request, bounded reads.

A check is one request on a fresh connection with `Connection: close`, judged on
its status line, its headers and at most the first N bytes of its body. That
needs none of a general client's machinery (a connection pool, cookies, proxies,
tracing), and that machinery is most of a check's CPU cost: aiohttp's session
path costs about 300 µs per check on loopback, this one about 130 µs
(`bench/probe_engine.py` prints both). The response is parsed by httptools
(llhttp, the parser Node.js uses); everything else is plain asyncio, so the
faults it meets are the same OS and `ssl` exceptions the tls and tcp checks
classify.

Bounds: response headers may not exceed `MAX_HEADER_BYTES`; a body is read only
when asked for and only up to the caller's limit, then the connection is closed.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, cast

import httptools
from yarl import URL

from hindsight.probe.egress import EgressRefused, Guard, admitted, name_refusal

USER_AGENT = "Hindsight-Monitor/0.1"
MAX_HEADER_BYTES = 64 * 1024
DNS_TTL_SECONDS = 60.0
_BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


class ProtocolError(Exception):
    """The server's bytes are not a valid HTTP/1.1 response."""


class ServerDisconnected(ConnectionResetError):
    """The connection closed before the response was complete."""


class BodyProgress(Protocol):
    """Where a caller wants to see how far the body read got (for fault reports)."""

    reading_body: bool
    bytes_read: int
    body_complete: bool


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]  # names lower-cased, in the order received
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header `name` (lower-case), or None."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def charset(self) -> str | None:
        """The Content-Type's charset when Python knows that codec, else None."""
        content_type = self.header("content-type") or ""
        for param in content_type.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                name = value.strip().strip('"').strip("'")
                try:
                    return codecs.lookup(name).name
                except LookupError:
                    return None
        return None


@functools.cache
def default_context() -> ssl.SSLContext:
    """The system trust store, loaded once: building a context per check costs milliseconds."""
    return ssl.create_default_context()


class Session:
    """What a batch of checks shares: a connection limit, a DNS cache and the TLS context."""

    def __init__(
        self,
        *,
        concurrency: int = 100,
        ssl_context: ssl.SSLContext | None = None,
        dns_ttl: float = DNS_TTL_SECONDS,
        guard: Guard | None = None,
    ) -> None:
        self._limit = asyncio.Semaphore(concurrency)
        self.guard = guard or Guard()
        self._ssl_context = ssl_context
        self._dns_ttl = dns_ttl
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[int, str]]]] = {}

    async def close(self) -> None:
        self._dns.clear()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def request(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        *,
        read_body: bool,
        limit: int,
        progress: BodyProgress,
        ssl_context: ssl.SSLContext | None = None,
        headers_only_for: frozenset[int] = frozenset(),
        body: bytes = b"",
    ) -> Response:
        """Send one request on a new connection and read its response (and body prefix).

        The body is read (up to `limit` bytes) only when `read_body` is true and
        the status is not in `headers_only_for` with a Location (a redirect the
        caller will follow).
        """
        host = url.raw_host or ""
        port = url.port or (443 if url.scheme == "https" else 80)
        tls = None
        if url.scheme == "https":
            tls = ssl_context or self._ssl_context or default_context()
        payload = _request_bytes(method, url, host, port, headers, body)
        async with self._limit:
            addresses = await self._resolve(host, port)
            loop = asyncio.get_running_loop()
            headers_only = method == "HEAD" or not read_body
            reader = _ResponseReader(loop, payload, headers_only, headers_only_for, limit, progress)
            transport = await _connect(loop, reader, addresses, port, tls, host)
            try:
                return await reader.finished
            finally:
                transport.close()

    async def _resolve(self, host: str, port: int) -> list[tuple[int, str]]:
        """The addresses of host:port the egress guard admits (EgressRefused when none).

        Numeric hosts are judged directly, names resolved through a short-lived
        cache; the connection then goes to one of these addresses, never to the
        name again, so a changed DNS answer cannot get past the guard.
        """
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            return admitted(host, [(family, host)], self.guard.policy)
        problem = name_refusal(host)
        if problem:
            raise EgressRefused(problem)
        now = time.monotonic()
        cached = self._dns.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]  # admitted when it was stored, under the same policy
        addresses = await self.guard.addresses_async(host, port)
        if len(self._dns) > 10_000:  # bounded: a worker sees many hosts over its life
            self._dns.clear()
        self._dns[(host, port)] = (now + self._dns_ttl, addresses)
        return addresses


async def _connect(
    loop: asyncio.AbstractEventLoop,
    reader: _ResponseReader,
    addresses: list[tuple[int, str]],
    port: int,
    tls: ssl.SSLContext | None,
    host: str,
) -> asyncio.BaseTransport:
    """Connect to the first address that answers; the last failure is raised."""
    error: OSError | None = None
    for family, address in addresses:
        try:
            transport, _ = await loop.create_connection(
                lambda: reader,
                address,
                port,
                family=family,
                ssl=tls,
                server_hostname=host if tls is not None else None,
            )
        except ssl.SSLError:
            raise  # a certificate or handshake fault is the answer, not a reason to retry
        except OSError as exc:
            error = exc
            continue
        return transport
    raise error or OSError(f"No address to connect to for {host}")


def _request_bytes(
    method: str, url: URL, host: str, port: int, headers: Mapping[str, str], body: bytes = b""
) -> bytes:
    default_port = 443 if url.scheme == "https" else 80
    shown_host = f"[{host}]" if ":" in host else host
    lines = {
        "host": ("Host", shown_host if port == default_port else f"{shown_host}:{port}"),
        "user-agent": ("User-Agent", USER_AGENT),
        "accept": ("Accept", "*/*"),
        "accept-encoding": ("Accept-Encoding", "identity"),
    }
    if url.user is not None:
        credentials = f"{url.user}:{url.password or ''}".encode()
        lines["authorization"] = (
            "Authorization",
            "Basic " + base64.b64encode(credentials).decode(),
        )
    if body or method not in _BODYLESS_METHODS:
        lines["content-length"] = ("Content-Length", str(len(body)))
    for name, value in headers.items():
        lines[name.lower()] = (name, value)
    lines["connection"] = ("Connection", "close")  # one request per connection, always
    head = f"{method} {url.raw_path_qs or '/'} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in lines.values())
    return (head + "\r\n").encode("latin-1", errors="replace") + body


class _ResponseReader(asyncio.Protocol):
    """Feeds the bytes to llhttp and resolves `finished` once the caller has what it needs."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        payload: bytes,
        headers_only: bool,
        headers_only_for: frozenset[int],
        limit: int,
        progress: BodyProgress,
    ) -> None:
        self.finished: asyncio.Future[Response] = loop.create_future()
        self._payload = payload
        self._headers_only = headers_only
        self._headers_only_for = headers_only_for
        self._limit = limit
        self._progress = progress
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._reason = ""
        self._headers: list[tuple[str, str]] = []
        self._header_bytes = 0
        self._status = 0
        self._body = bytearray()
        self._received = 0
        self._delimited_by_close = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self._transport.write(self._payload)

    def data_received(self, data: bytes) -> None:
        if self.finished.done():
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._finish()
        except httptools.HttpParserError as exc:
            self._fail(ProtocolError(str(exc) or type(exc).__name__))
        if not self._status:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                kib = MAX_HEADER_BYTES // 1024
                self._fail(ProtocolError(f"response headers are larger than {kib} KiB"))

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self.finished.done():
            return
        if exc is None and self._status and self._delimited_by_close:
            self._progress.body_complete = self._received <= self._limit
            self._finish()  # HTTP/1.0 style: the body ends where the connection does
            return
        if isinstance(exc, OSError):
            self._fail(exc)
        elif self._status:
            self._fail(ServerDisconnected("the connection closed before the body was complete"))
        else:
            self._fail(ServerDisconnected("the server closed the connection without a response"))

    # llhttp callbacks
    def on_status(self, status: bytes) -> None:
        self._reason += status.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        names = {name for name, _ in self._headers}
        self._delimited_by_close = "content-length" not in names and (
            "transfer-encoding" not in names
        )
        redirect = self._status in self._headers_only_for and "location" in names
        if self._headers_only or redirect:
            self._finish()
        else:
            self._progress.reading_body = True

    def on_body(self, body: bytes) -> None:
        self._received += len(body)
        if self.finished.done():
            return
        room = self._limit - len(self._body)
        self._body += body[:room]
        self._progress.bytes_read = len(self._body)
        if len(self._body) >= self._limit:
            self._finish()  # enough: the rest of the body is never read

    def on_message_complete(self) -> None:
        self._progress.body_complete = self._received <= self._limit
        self._finish()

    def _finish(self) -> None:
        if self.finished.done():
            return
        self._progress.reading_body = False
        self.finished.set_result(
            Response(self._status, self._reason, tuple(self._headers), bytes(self._body))
        )
        if self._transport is not None:
            self._transport.close()

    def _fail(self, exc: BaseException) -> None:
        if not self.finished.done():
            self.finished.set_exception(exc)
        if self._transport is not None:
            self._transport.close()
