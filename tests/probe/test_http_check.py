"""HTTP checks against real loopback servers: what a user sees for each outcome."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from typing import Any

import pytest

from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status

from .support import Gauge, Harness, read_request_head


def http(url: str, **options: Any) -> CheckSpec:
    options.setdefault("timeout", 1.0)
    return CheckSpec(kind="http", url=url, **options)


def check_app(harness: Harness, path: str, **options: Any) -> tuple[ProbeResult, str]:
    async def scenario() -> tuple[ProbeResult, str]:
        async with harness.app() as base:
            return await harness.check(http(base + path, **options)), base

    return asyncio.run(scenario())


def test_it_reports_up_with_status_and_response_time(harness: Harness) -> None:
    result, _ = check_app(harness, "/ok")
    assert result.status is Status.UP
    assert result.status_code == 200
    assert result.reason == "HTTP 200 OK"
    assert result.error_class is None
    assert result.latency_ms is not None and result.latency_ms > 0


def test_it_reports_an_unexpected_status_code(harness: Harness) -> None:
    result, _ = check_app(harness, "/status/503")
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.UNEXPECTED_STATUS
    assert result.status_code == 503
    assert result.reason == "HTTP 503 Service Unavailable; expected 200-299"


def test_it_accepts_the_status_codes_the_user_expects(harness: Harness) -> None:
    result, _ = check_app(harness, "/status/404", status_codes=frozenset({404, 410}))
    assert result.status is Status.UP
    assert result.reason == "HTTP 404 Not Found"


def test_it_sends_the_configured_method(harness: Harness) -> None:
    result, _ = check_app(harness, "/status/204", method="delete")
    assert result.status is Status.UP
    assert result.evidence["method"] == "DELETE"


def test_it_sends_the_configured_body_with_post(harness: Harness) -> None:
    async def scenario() -> ProbeResult:
        async with harness.app() as base:
            spec = CheckSpec(
                kind="keyword",
                url=base + "/echo",
                method="POST",
                body='{"ping": 1}',
                keyword='POST {"ping": 1}',
                timeout=1.0,
            )
            return await harness.check(spec)

    result = asyncio.run(scenario())
    assert result.status is Status.UP, result.reason


def test_a_body_without_a_method_that_sends_one_is_refused() -> None:
    from hindsight.probe.model import spec_problem

    problem = spec_problem(http("http://127.0.0.1:9/", method="GET", body="x"))
    assert problem == "A request body is sent with PATCH, POST, PUT, not GET"


def test_it_follows_redirects_and_records_them(harness: Harness) -> None:
    result, base = check_app(harness, "/chain/3")
    assert result.status is Status.UP
    assert result.evidence["redirects"] == [f"{base}/chain/2", f"{base}/chain/1", f"{base}/ok"]
    assert result.evidence["final_url"] == f"{base}/ok"


def test_it_stops_after_the_redirect_limit(harness: Harness) -> None:
    result, base = check_app(harness, "/chain/3", max_redirects=2)
    assert result.error_class is ErrorClass.TOO_MANY_REDIRECTS
    assert result.reason == f"More than 2 redirects (last went to {base}/ok)"


def test_it_names_an_endless_redirect_chain_as_too_many_redirects(harness: Harness) -> None:
    result, base = check_app(harness, "/onward/1", max_redirects=3)
    assert result.error_class is ErrorClass.TOO_MANY_REDIRECTS
    assert result.reason == f"More than 3 redirects (last went to {base}/onward/5)"


def test_it_detects_a_redirect_loop(harness: Harness) -> None:
    result, base = check_app(harness, "/loop/a", max_redirects=10)
    assert result.status is Status.DOWN
    assert result.error_class is ErrorClass.REDIRECT_LOOP
    assert result.reason == f"Redirect loop: {base}/loop/a was already visited after 2 redirect(s)"


def test_it_refuses_a_redirect_to_another_scheme(harness: Harness) -> None:
    result, _ = check_app(harness, "/to-ftp")
    assert result.error_class is ErrorClass.INVALID_URL
    assert result.reason == "Redirect to unsupported URL 'ftp://127.0.0.1/file'"


def test_it_can_expect_the_redirect_itself(harness: Harness) -> None:
    result, _ = check_app(harness, "/chain/1", max_redirects=0, status_codes=frozenset({302}))
    assert result.status is Status.UP
    assert result.status_code == 302


def test_it_turns_a_post_into_a_get_after_see_other(harness: Harness) -> None:
    gauge = Gauge()

    async def scenario() -> ProbeResult:
        async with harness.app(gauge) as base:
            return await harness.check(http(base + "/see-other", method="POST"))

    result = asyncio.run(scenario())
    assert result.status is Status.UP
    assert gauge.paths == ["POST"]


def test_it_drops_credentials_on_a_redirect_to_another_site(harness: Harness) -> None:
    token = (("Authorization", "Bearer monitor-token"),)
    result, _ = check_app(harness, "/to-localhost", headers=token)
    assert (result.status, result.status_code) == (Status.UP, 200)
    same_site, _ = check_app(harness, "/to-same-site", headers=token)
    assert same_site.status_code == 409  # kept within the site, as the user meant


@pytest.mark.parametrize("url", ["not a url", "ftp://example.test/", "http://", ""])
def test_it_rejects_an_invalid_url(harness: Harness, url: str) -> None:
    result = asyncio.run(harness.check(http(url)))
    assert result.error_class is ErrorClass.INVALID_URL
    assert result.reason == (
        f"Invalid URL {url!r}: it needs an http:// or https:// scheme and a host"
    )


def test_it_reports_a_dns_failure(harness: Harness) -> None:
    result = asyncio.run(harness.check(http("http://status.hindsight.invalid/")))
    assert result.error_class is ErrorClass.DNS
    assert result.reason == "Could not resolve host name status.hindsight.invalid"


def test_it_reports_connection_refused(harness: Harness, refused_port: int) -> None:
    result = asyncio.run(harness.check(http(f"http://127.0.0.1:{refused_port}/")))
    assert result.error_class is ErrorClass.CONNECTION_REFUSED
    assert result.reason == f"Connection refused by 127.0.0.1:{refused_port}"


def test_it_times_out_on_a_server_that_never_answers(harness: Harness) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        await asyncio.sleep(3600)

    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(never_answer) as port:
            return await harness.check(http(f"http://127.0.0.1:{port}/", timeout=0.3)), port

    result, port = asyncio.run(scenario())
    assert result.error_class is ErrorClass.TIMEOUT
    assert result.reason == f"No response from 127.0.0.1:{port} within 0.3 s"


def test_it_reports_a_connection_reset(harness: Harness) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(reset) as port:
            return await harness.check(http(f"http://127.0.0.1:{port}/")), port

    result, port = asyncio.run(scenario())
    assert result.error_class is ErrorClass.CONNECTION_RESET
    assert (
        result.reason
        == f"Connection to 127.0.0.1:{port} was reset before the response was complete"
    )


def test_it_reports_a_server_that_does_not_speak_http(harness: Harness) -> None:
    async def ssh(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_head(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(3600)

    async def scenario() -> tuple[ProbeResult, int]:
        async with harness.raw(ssh) as port:
            return await harness.check(http(f"http://127.0.0.1:{port}/")), port

    result, port = asyncio.run(scenario())
    assert result.error_class is ErrorClass.PROTOCOL
    assert result.reason.startswith(f"127.0.0.1:{port} sent an invalid HTTP response")


# --- HTTPS ------------------------------------------------------------------


def check_https(harness: Harness, server: ssl.SSLContext, client: ssl.SSLContext) -> ProbeResult:
    async def scenario() -> ProbeResult:
        async with harness.app(ssl_context=server) as base:
            return await harness.check(http(base + "/ok"), ssl_context=client)

    return asyncio.run(scenario())


def test_it_checks_https_with_a_trusted_certificate(
    harness: Harness, valid_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result = check_https(harness, valid_tls, client_ssl)
    assert result.status is Status.UP
    assert result.reason == "HTTP 200 OK"


def test_it_reports_an_expired_certificate(
    harness: Harness, expired_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result = check_https(harness, expired_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_EXPIRED
    assert result.reason == "TLS certificate has expired"


def test_it_reports_a_self_signed_certificate(
    harness: Harness, self_signed_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result = check_https(harness, self_signed_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_SELF_SIGNED
    assert result.reason == "TLS certificate is self-signed and not trusted"


def test_it_reports_a_hostname_mismatch(
    harness: Harness, mismatch_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result = check_https(harness, mismatch_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_HOSTNAME_MISMATCH
    assert result.reason == "TLS certificate is not valid for 127.0.0.1"


def test_it_reports_a_certificate_from_an_unknown_authority(
    harness: Harness, unknown_ca_tls: ssl.SSLContext, client_ssl: ssl.SSLContext
) -> None:
    result = check_https(harness, unknown_ca_tls, client_ssl)
    assert result.error_class is ErrorClass.TLS_UNTRUSTED
    assert result.reason == (
        "TLS certificate chain is not trusted (unable to get local issuer certificate)"
    )


def test_it_reports_https_spoken_to_a_plain_http_port(
    harness: Harness, client_ssl: ssl.SSLContext
) -> None:
    async def scenario() -> tuple[ProbeResult, str]:
        async with harness.app() as base:
            url = base.replace("http://", "https://") + "/ok"
            return await harness.check(http(url), ssl_context=client_ssl), base

    result, base = asyncio.run(scenario())
    assert result.error_class is ErrorClass.TLS_HANDSHAKE
    assert result.reason.startswith(f"TLS handshake with {base[len('http://') :]} failed")
