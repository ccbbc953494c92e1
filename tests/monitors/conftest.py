from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from aiohttp import web

T = TypeVar("T")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; these tests are about monitors, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Target:
    """A real loopback HTTP server whose answer a test can change."""

    port: int = 0
    status: int = 200
    body: str = "all good"
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def target() -> Iterator[Target]:
    state = Target()

    async def answer(request: web.Request) -> web.Response:
        state.hits[request.path] = state.hits.get(request.path, 0) + 1
        return web.Response(status=state.status, text=state.body)

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state.port = runner.addresses[0][1]
        return runner

    async def stop(runner: web.AppRunner) -> None:
        await runner.cleanup()

    with in_a_thread(start, stop):
        yield state


@contextlib.contextmanager
def in_a_thread(
    start: Callable[[], Awaitable[T]], stop: Callable[[T], Awaitable[None]]
) -> Iterator[None]:
    """Run a server made by `start` on its own event loop in a thread; `stop` it after."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: list[T] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        holder.append(loop.run_until_complete(start()))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(stop(holder[0]), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@dataclass
class Stalling:
    """A loopback server that reads each request and never answers (a real outage)."""

    port: int = 0
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def requests(self) -> int:
        return sum(self.hits.values())


@pytest.fixture
def stalling() -> Iterator[Stalling]:
    state = Stalling()
    held: list[asyncio.StreamWriter] = []

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        line = await reader.readline()
        parts = line.split()
        if len(parts) > 1:
            path = parts[1].decode()
            state.hits[path] = state.hits.get(path, 0) + 1
        await reader.read()  # until the client gives up and closes

    async def start() -> asyncio.Server:
        server = await asyncio.start_server(stall, "127.0.0.1", 0, backlog=1024)
        state.port = server.sockets[0].getsockname()[1]
        return server

    async def stop(server: asyncio.Server) -> None:
        server.close()
        for writer in held:
            writer.close()

    with in_a_thread(start, stop):
        yield state
