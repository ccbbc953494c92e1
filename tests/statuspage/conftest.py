from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from hindsight.catalog.models import Component, Service
from hindsight.incidents.services import declare_incident
from hindsight.statuspage.models import StatusPage


@pytest.fixture
def a_page(db: None) -> StatusPage:
    """The default page with two components in a group and one on its own."""
    page = StatusPage.objects.create(
        slug="acme", title="Acme status", logo_text="Acme", is_default=True
    )
    api = Service.objects.create(name="API", slug="api")
    for position, (name, group, service) in enumerate(
        [("Checkout", "Shop", api), ("Search", "Shop", None), ("Sign-in", "", None)]
    ):
        page.components.add(
            Component.objects.create(name=name, group=group, service=service, position=position)
        )
    return page


@pytest.fixture
def checkout(a_page: StatusPage) -> Component:
    return a_page.components.get(name="Checkout")


@pytest.fixture
def an_incident(a_page: StatusPage) -> Any:
    return declare_incident(title="Checkout errors", severity="SEV2")


@dataclass
class RecordingServer:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def webhook_server(free_port: int) -> Iterator[RecordingServer]:
    """A loopback aiohttp server that records every request; answers with the
    queued statuses in order, then 200."""
    server = RecordingServer(url=f"http://127.0.0.1:{free_port}/hook")
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def handle(request: web.Request) -> web.Response:
        server.requests.append(
            {"headers": dict(request.headers), "body": await request.read(), "path": request.path}
        )
        status = server.statuses.pop(0) if server.statuses else 200
        return web.Response(status=status, text="ok")

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/hook", handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", free_port).start()
        return runner

    runner_box: dict[str, web.AppRunner] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner_box["runner"] = loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield server
    asyncio.run_coroutine_threadsafe(runner_box["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@dataclass
class Mailbox:
    messages: list[Any] = field(default_factory=list)


@pytest.fixture
def smtp_server(free_port: int, settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback; Django sends to it over SMTP."""
    from email import message_from_bytes
    from email.policy import default

    from aiosmtpd.controller import Controller

    mailbox = Mailbox()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            mailbox.messages.append(message_from_bytes(envelope.content, policy=default))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "status@acme.test"
    yield mailbox
    controller.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 costs most of a second per fixture user; these tests are not about passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
