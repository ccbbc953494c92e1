"""Fixtures for the probe tests: free or blocked loopback ports and trustme certificates."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .support import LOOPBACK, Harness, server_context


@pytest.fixture
def refused_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def full_backlog_port() -> Iterator[int]:
    """A listener whose accept queue is full, so new connects hang (SYNs are dropped)."""
    listener = socket.socket()
    listener.bind((LOOPBACK, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection((LOOPBACK, port), timeout=1)
    try:
        yield port
    finally:
        filler.close()
        listener.close()


# --- certificates -----------------------------------------------------------

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def client_ssl(ca: trustme.CA) -> ssl.SSLContext:
    """What a check uses to trust the test CA (and nothing else)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture(scope="session")
def valid_tls(ca: trustme.CA) -> ssl.SSLContext:
    return server_context(ca.issue_cert(LOOPBACK, not_after=NOW + dt.timedelta(days=90, hours=1)))


@pytest.fixture(scope="session")
def expired_tls(ca: trustme.CA) -> ssl.SSLContext:
    cert = ca.issue_cert(
        LOOPBACK,
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW - dt.timedelta(days=3, hours=1),
    )
    return server_context(cert)


@pytest.fixture(scope="session")
def expiring_tls(ca: trustme.CA) -> Callable[[float], ssl.SSLContext]:
    """A cert for 127.0.0.1 that expires `days` (plus one hour, for whole days) from now."""

    def make(days: float) -> ssl.SSLContext:
        not_after = NOW + dt.timedelta(days=days, hours=1)
        return server_context(ca.issue_cert(LOOPBACK, not_after=not_after))

    return make


@pytest.fixture(scope="session")
def mismatch_tls(ca: trustme.CA) -> ssl.SSLContext:
    return server_context(ca.issue_cert("status.example.test"))


@pytest.fixture(scope="session")
def unknown_ca_tls() -> ssl.SSLContext:
    return server_context(trustme.CA(organization_name="Nobody We Know").issue_cert(LOOPBACK))


@pytest.fixture(scope="session")
def self_signed_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A leaf that signs itself, as a hand-rolled server would use."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "homemade")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("selfsigned")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture(params=["asyncio", "uvloop"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """The servers and check runner, on asyncio's event loop and on uvloop's (the worker's)."""
    if request.param == "asyncio":
        yield Harness()
        return
    import uvloop  # a dependency: its absence is a broken install, not a skip

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        yield Harness()
    finally:
        asyncio.set_event_loop_policy(None)
