"""TLS-certificate and TCP-connect checks on raw asyncio connections."""

from __future__ import annotations

import asyncio
import math
import os
import ssl
import time
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from yarl import URL

from hindsight.probe.egress import Guard
from hindsight.probe.faults import classify_exception
from hindsight.probe.model import (
    CheckSpec,
    Clock,
    ErrorClass,
    ProbeResult,
    Status,
    failed,
    utc_now,
)
from hindsight.probe.wire import default_context

TLS_ERRORS = frozenset(
    {
        ErrorClass.TLS_EXPIRED,
        ErrorClass.TLS_NOT_YET_VALID,
        ErrorClass.TLS_SELF_SIGNED,
        ErrorClass.TLS_HOSTNAME_MISMATCH,
        ErrorClass.TLS_UNTRUSTED,
    }
)


def trusting(ca_bundle: str | os.PathLike[str]) -> ssl.SSLContext:
    """A verifying context that trusts the CAs in a PEM bundle (a private CA) and nothing else."""
    return ssl.create_default_context(cafile=os.fspath(ca_bundle))


def target_of(spec: CheckSpec, default_port: int) -> tuple[str, int] | None:
    """The host and port to connect to, from `host`/`port` or else from `url`."""
    host, port = spec.host, spec.port
    if not host and spec.url:
        try:
            url = URL(spec.url)
        except (ValueError, TypeError):
            return None
        host = url.host or ""
        port = port or url.port or default_port
    if not host or not 0 < (port or default_port) < 65536:
        return None
    return host, port or default_port


_OPEN_GUARD = Guard()


async def open_guarded(
    host: str, port: int, guard: Guard, **kwargs: object
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to an address of host:port the egress guard admits (first that answers)."""
    error: OSError | None = None
    for _, address in await guard.addresses_async(host, port):
        try:
            return await asyncio.open_connection(address, port, **kwargs)  # type: ignore[arg-type]
        except ssl.SSLError:
            raise  # the handshake's answer is the result
        except OSError as exc:
            error = exc
    raise error or OSError(f"No address to connect to for {host}")


async def check_tcp(
    spec: CheckSpec, *, clock: Clock = utc_now, guard: Guard = _OPEN_GUARD
) -> ProbeResult:
    """Open a TCP connection within the deadline and close it at once."""
    started = clock()
    target = target_of(spec, default_port=0)
    if target is None or target[1] == 0:
        return failed(spec, started, ErrorClass.INVALID_SPEC, "TCP check needs a host and a port")
    host, port = target
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(spec.timeout):
            _, writer = await open_guarded(host, port, guard)
    except Exception as exc:  # every fault becomes a result
        error_class, reason = classify_exception(exc, host=host, port=port, timeout=spec.timeout)
        return failed(spec, started, error_class, reason, host=host, port=port)
    latency_ms = round((time.perf_counter() - t0) * 1000, 3)
    writer.transport.abort()
    return ProbeResult(
        status=Status.UP,
        checked_at=started,
        latency_ms=latency_ms,
        reason=f"TCP connection to {host}:{port} accepted",
        evidence={"host": host, "port": port},
        monitor_id=spec.monitor_id,
    )


async def check_tls(
    spec: CheckSpec,
    *,
    ssl_context: ssl.SSLContext | None = None,
    clock: Clock = utc_now,
    guard: Guard = _OPEN_GUARD,
) -> ProbeResult:
    """Handshake, validate the chain and hostname, and judge days until expiry.

    When validation fails, a second handshake without validation fetches the
    certificate anyway, so the result still says when it expires and who issued it.
    """
    started = clock()
    target = target_of(spec, default_port=443)
    if target is None:
        return failed(spec, started, ErrorClass.INVALID_SPEC, "TLS check needs a host")
    host, port = target
    context = ssl_context if ssl_context is not None else default_context()
    deadline = time.perf_counter() + spec.timeout
    t0 = time.perf_counter()
    try:
        der = await _peer_certificate(host, port, context, spec.timeout, guard)
    except Exception as exc:  # every fault becomes a result
        error_class, reason = classify_exception(exc, host=host, port=port, timeout=spec.timeout)
        evidence: dict[str, object] = {"host": host, "port": port}
        cert = None
        if error_class in TLS_ERRORS:
            cert = await _unverified_certificate(host, port, deadline - time.perf_counter(), guard)
        if cert is None:
            return failed(spec, started, error_class, reason, **evidence)
        not_after, issuer, subject = cert
        days_left = _days_left(not_after, clock())
        evidence["subject"] = subject
        return ProbeResult(
            status=Status.DOWN,
            checked_at=started,
            error_class=error_class,
            reason=f"{reason} ({_expiry_phrase(days_left, not_after)}, issued by {issuer})",
            evidence=evidence,
            days_left=days_left,
            not_after=not_after,
            issuer=issuer,
            monitor_id=spec.monitor_id,
        )
    latency_ms = round((time.perf_counter() - t0) * 1000, 3)
    not_after, issuer, subject = _describe(der)
    days_left = _days_left(not_after, clock())
    status, expiry_class, reason = _judge_expiry(spec, days_left, not_after)
    return ProbeResult(
        status=status,
        checked_at=started,
        latency_ms=latency_ms,
        error_class=expiry_class,
        reason=reason,
        evidence={"host": host, "port": port, "subject": subject},
        days_left=days_left,
        not_after=not_after,
        issuer=issuer,
        monitor_id=spec.monitor_id,
    )


def _judge_expiry(
    spec: CheckSpec, days_left: int, not_after: datetime
) -> tuple[Status, ErrorClass | None, str]:
    phrase = _expiry_phrase(days_left, not_after)
    if days_left <= spec.tls_critical_days:
        return (
            Status.DOWN,
            ErrorClass.TLS_EXPIRING,
            f"TLS certificate {phrase}: at or below the critical threshold of "
            f"{spec.tls_critical_days} days",
        )
    if days_left <= spec.tls_warning_days:
        return (
            Status.DEGRADED,
            ErrorClass.TLS_EXPIRING,
            f"TLS certificate {phrase}: at or below the warning threshold of "
            f"{spec.tls_warning_days} days",
        )
    return Status.UP, None, f"TLS certificate is valid and {phrase}"


def _expiry_phrase(days_left: int, not_after: datetime) -> str:
    when = not_after.strftime("%Y-%m-%d %H:%M UTC")
    if days_left < 0:
        return f"expired on {when}, {_days(-days_left)} ago"
    return f"expires in {_days(days_left)} on {when}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _days_left(not_after: datetime, now: datetime) -> int:
    """Whole days left (1 day 23 h counts as 1); once expired, minus whole days since (-1 at most).

    An expired certificate never reads as 0 days left, so the sign alone says expired.
    """
    seconds = (not_after - now).total_seconds()
    if seconds >= 0:
        return math.floor(seconds / 86400)
    return -max(1, math.floor(-seconds / 86400))


async def _peer_certificate(
    host: str, port: int, context: ssl.SSLContext, timeout: float, guard: Guard
) -> bytes:
    async with asyncio.timeout(timeout):
        _, writer = await open_guarded(
            host,
            port,
            guard,
            ssl=context,
            server_hostname=host.strip("[]"),
            ssl_handshake_timeout=timeout,
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.transport.abort()  # no close_notify round trip to wait on
    if not der:
        raise ssl.SSLError("server sent no certificate")
    return bytes(der)


async def _unverified_certificate(
    host: str, port: int, timeout: float, guard: Guard
) -> tuple[datetime, str, str] | None:
    if timeout <= 0:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        return _describe(await _peer_certificate(host, port, context, timeout, guard))
    except Exception:  # the first handshake's fault is the one reported
        return None


def _describe(der: bytes) -> tuple[datetime, str, str]:
    cert = x509.load_der_x509_certificate(der)
    return cert.not_valid_after_utc, _name(cert.issuer), _names_covered(cert)


def _names_covered(cert: x509.Certificate) -> str:
    """The host names and addresses the certificate is valid for, as a user would list them."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return _name(cert.subject)
    names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
    names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return ", ".join(names) or _name(cert.subject)


def _name(name: x509.Name) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return name.rfc4514_string() or "an unnamed issuer"
