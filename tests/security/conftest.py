from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hindsight import egress
from tests.notifications.conftest import smtp_server  # noqa: F401  (a real aiosmtpd server)
from tests.security.support import Redirector


@pytest.fixture(autouse=True)
def audited_as_system() -> Iterator[None]:
    """A CLI test marks this process as the command line; later tests start afresh."""
    from hindsight.accounts import audit

    audit.run_as("system")
    yield
    audit.run_as("system")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 costs most of a second per fixture user; these tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


StubDNS = Callable[[dict[str, list[str]]], None]


@pytest.fixture
def stub_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubDNS]:
    """Answer name lookups from a table; a name not in it does not resolve. No real DNS."""
    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[tuple[int, str]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in table[host]]

    monkeypatch.setattr(egress, "resolver_override", resolve)
    yield table.update


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    """A loopback server answering every request with a redirect to its ``location``."""
    server = Redirector()
    yield server
    server.server.shutdown()
    server.server.server_close()
