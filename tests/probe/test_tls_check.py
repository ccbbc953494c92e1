"""TLS-certificate checks against loopback servers with trustme certificates."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from pathlib import Path

import trustme

from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status
from hindsight.probe.socket_checks import trusting

from .support import Harness, read_request_head


async def hold_open(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


def check_tls(
    harness: Harness,
    server: ssl.SSLContext | None,
    client: ssl.SSLContext | None,
    handler: Callable[..., object] = hold_open,
    **options: object,
) -> tuple[ProbeResult, int]:
    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(handler, ssl_context=server) as port:  # type: ignore[arg-type]
            spec = CheckSpec(kind="tls", host="127.0.0.1", port=port, timeout=1.0, **options)  # type: ignore[arg-type]
            return await harness.check(spec, ssl_context=client), port

    return asyncio.run(scenario())


def test_it_is_up_with_days_left_and_issuer(
    harness: Harness, valid_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result, _ = check_tls(harness, valid_tls, client_ssl)
    assert result.status is Status.UP
    assert result.error_class is None
    assert result.days_left == 90
    assert result.not_after is not None
    when = result.not_after.strftime("%Y-%m-%d %H:%M UTC")
    assert result.reason == f"TLS certificate is valid and expires in 90 days on {when}"
    assert result.issuer is not None and result.issuer.startswith("trustme")


def test_it_warns_when_expiry_is_within_the_warning_threshold(
    harness: Harness,
    expiring_tls: Callable[[float], ssl.SSLContext],
    client_ssl: ssl.SSLContext,
) -> None:
    result, _ = check_tls(harness, expiring_tls(5), client_ssl)
    assert result.status is Status.DEGRADED
    assert result.error_class is ErrorClass.TLS_EXPIRING
    assert result.days_left == 5
    assert result.reason.startswith("TLS certificate expires in 5 days on ")
    assert result.reason.endswith(": at or below the warning threshold of 14 days")


def test_it_is_down_when_expiry_is_within_the_critical_threshold(
    harness: Harness,
    expiring_tls: Callable[[float], ssl.SSLContext],
    client_ssl: ssl.SSLContext,
) -> None:
    result, _ = check_tls(harness, expiring_tls(1), client_ssl)
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.TLS_EXPIRING
    assert result.days_left == 1
    assert result.reason.startswith("TLS certificate expires in 1 day on ")
    assert result.reason.endswith(": at or below the critical threshold of 3 days")


def test_it_uses_the_monitors_own_thresholds(
    harness: Harness,
    expiring_tls: Callable[[float], ssl.SSLContext],
    client_ssl: ssl.SSLContext,
) -> None:
    result, _ = check_tls(
        harness, expiring_tls(5), client_ssl, tls_warning_days=3, tls_critical_days=1
    )
    assert result.status is Status.UP


def test_it_reports_an_expired_certificate_with_its_date(
    harness: Harness, expired_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result, _ = check_tls(harness, expired_tls, client_ssl)
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.TLS_EXPIRED
    assert result.days_left == -3
    assert result.not_after is not None
    when = result.not_after.strftime("%Y-%m-%d %H:%M UTC")
    assert result.reason == (
        f"TLS certificate has expired (expired on {when}, 3 days ago, issued by {result.issuer})"
    )


def test_it_reports_a_self_signed_certificate(
    harness: Harness, self_signed_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result, _ = check_tls(harness, self_signed_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_SELF_SIGNED
    assert result.issuer == "homemade"
    assert result.reason.startswith("TLS certificate is self-signed and not trusted (expires in")
    assert result.reason.endswith("issued by homemade)")


def test_it_reports_a_hostname_mismatch(
    harness: Harness, mismatch_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result, _ = check_tls(harness, mismatch_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_HOSTNAME_MISMATCH
    assert result.reason.startswith("TLS certificate is not valid for 127.0.0.1 (expires in")
    assert result.evidence["subject"] == "status.example.test"


def test_it_reports_an_untrusted_chain(
    harness: Harness, unknown_ca_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result, _ = check_tls(harness, unknown_ca_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_UNTRUSTED
    assert result.issuer == "Nobody We Know"
    assert result.reason.startswith(
        "TLS certificate chain is not trusted (unable to get local issuer certificate)"
    )


def test_it_reports_a_port_that_does_not_speak_tls(
    harness: Harness, client_ssl: ssl.SSLContext
) -> None:
    async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    result, port = check_tls(harness, None, client_ssl, handler=plain_http)
    assert result.error_class is ErrorClass.TLS_HANDSHAKE
    assert result.reason == f"TLS handshake with 127.0.0.1:{port} failed: wrong version number"


def test_it_times_out_when_the_handshake_never_completes(
    harness: Harness, client_ssl: ssl.SSLContext
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)

    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(silent) as port:
            spec = CheckSpec(kind="tls", host="127.0.0.1", port=port, timeout=0.3)
            return await harness.check(spec, ssl_context=client_ssl), port

    result, port = asyncio.run(scenario())
    assert result.error_class is ErrorClass.TIMEOUT
    assert result.reason == f"No response from 127.0.0.1:{port} within 0.3 s"


def test_it_takes_host_and_port_from_the_url(
    harness: Harness, valid_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    async def scenario() -> ProbeResult:
        async with harness.raw(hold_open, ssl_context=valid_tls) as port:
            spec = CheckSpec(kind="tls", url=f"https://127.0.0.1:{port}/health", timeout=1.0)
            return await harness.check(spec, ssl_context=client_ssl)

    assert asyncio.run(scenario()).status is Status.UP


def test_it_reports_refused_and_dns_failures(harness: Harness, refused_port: int) -> None:
    refused = asyncio.run(
        harness.check(CheckSpec(kind="tls", host="127.0.0.1", port=refused_port, timeout=1.0))
    )
    assert refused.error_class is ErrorClass.CONNECTION_REFUSED
    assert refused.reason == f"Connection refused by 127.0.0.1:{refused_port}"
    unknown = asyncio.run(harness.check(CheckSpec(kind="tls", host="cert.invalid", timeout=1.0)))
    assert unknown.error_class is ErrorClass.DNS
    assert unknown.reason == "Could not resolve host name cert.invalid"


def test_it_trusts_a_private_ca_from_a_bundle_file(
    harness: Harness, valid_tls: ssl.SSLContext, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    result, _ = check_tls(harness, valid_tls, trusting(bundle))
    assert result.status is Status.UP
    untrusted, _ = check_tls(harness, valid_tls, None)  # the system store does not know it
    assert untrusted.error_class is ErrorClass.TLS_UNTRUSTED
