"""Real servers on 127.0.0.1 for the probe tests: an aiohttp app and raw asyncio servers.

Tests are plain functions that call `asyncio.run(...)`; the servers below are async
context managers so each test starts and stops its own in the loop it runs in.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import trustme
from aiohttp import web

from hindsight.probe.http import make_session
from hindsight.probe.model import CheckSpec, ProbeResult
from hindsight.probe.runner import run_check

LOOPBACK = "127.0.0.1"
WELCOME = "<html><body><h1>Welcome to Hindsight</h1></body></html>"
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Gauge:
    """Counts requests in flight on the test app, to prove the concurrency bound."""

    in_flight: int = 0
    peak: int = 0
    paths: list[str] = field(default_factory=list)


def build_app(gauge: Gauge) -> web.Application:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text=WELCOME, content_type="text/html")

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def chain(request: web.Request) -> web.Response:
        left = int(request.match_info["n"])
        raise web.HTTPFound("/ok" if left <= 1 else f"/chain/{left - 1}")

    async def loop(request: web.Request) -> web.Response:
        other = "b" if request.match_info["side"] == "a" else "a"
        raise web.HTTPFound(f"/loop/{other}")

    async def onward(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/onward/{int(request.match_info['n']) + 1}")

    async def to_ftp(request: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://127.0.0.1/file")

    async def see_other(request: web.Request) -> web.Response:
        gauge.paths.append(request.method)
        raise web.HTTPSeeOther("/ok")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=f"{request.method} {await request.text()}")

    async def big(request: web.Request) -> web.Response:
        # the keyword sits after the first 100 KiB, beyond a 64 KiB read limit
        return web.Response(body=b"x" * (100 * 1024) + b"Welcome" + b"y" * 1024)

    async def slow(request: web.Request) -> web.Response:
        gauge.in_flight += 1
        gauge.peak = max(gauge.peak, gauge.in_flight)
        try:
            await asyncio.sleep(0.1)
        finally:
            gauge.in_flight -= 1
        return web.Response(text="slow but fine")

    async def set_cookie(request: web.Request) -> web.Response:
        response = web.Response(text="logged in")
        response.set_cookie("session", "monitor-a")
        return response

    async def no_cookie(request: web.Request) -> web.Response:
        return web.Response(status=409 if request.cookies else 200, text="cookies")

    async def to_localhost(request: web.Request) -> web.Response:
        port = request.url.port
        raise web.HTTPFound(f"http://localhost:{port}/no-credentials")

    async def to_same_site(request: web.Request) -> web.Response:
        raise web.HTTPFound("/no-credentials")

    async def no_credentials(request: web.Request) -> web.Response:
        leaked = "Authorization" in request.headers
        return web.Response(status=409 if leaked else 200, text="credentials")

    app = web.Application()
    app.router.add_get("/to-localhost", to_localhost)
    app.router.add_get("/to-same-site", to_same_site)
    app.router.add_get("/no-credentials", no_credentials)
    app.router.add_get("/set-cookie", set_cookie)
    app.router.add_get("/no-cookie", no_cookie)
    app.router.add_get("/ok", ok)
    app.router.add_route("*", "/status/{code}", status)
    app.router.add_get("/chain/{n}", chain)
    app.router.add_get("/loop/{side}", loop)
    app.router.add_get("/onward/{n}", onward)
    app.router.add_get("/to-ftp", to_ftp)
    app.router.add_post("/see-other", see_other)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/big", big)
    app.router.add_get("/slow", slow)
    return app


@asynccontextmanager
async def serve_app(
    gauge: Gauge | None = None, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """Serve the test app on a free loopback port; yields the base URL."""
    runner = web.AppRunner(build_app(gauge or Gauge()), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://{LOOPBACK}:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_raw(
    handler: RawHandler, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[int]:
    """Serve a hand-written protocol on a free loopback port; yields the port."""
    tasks: set[asyncio.Task[None]] = set()

    async def track(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)  # type: ignore[arg-type]
        try:
            await handler(reader, writer)
        except (Exception, asyncio.CancelledError):  # the client hung up: that is the test
            pass
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(track, LOOPBACK, 0, ssl=ssl_context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def read_request_head(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


class Harness:
    """What the tests reach for: the servers above and a one-shot check runner."""

    app = staticmethod(serve_app)
    raw = staticmethod(serve_raw)

    @staticmethod
    async def check(spec: CheckSpec, ssl_context: ssl.SSLContext | None = None) -> ProbeResult:
        async with make_session(ssl_context=ssl_context) as session:
            return await run_check(spec, session=session, ssl_context=ssl_context)
