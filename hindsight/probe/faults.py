"""Turn the exceptions a check can meet into an `ErrorClass` and a sentence a user understands.

Both the aiohttp path (http/keyword) and the raw asyncio path (tls/tcp) land here,
so the same fault reads the same way whichever check met it.
"""

from __future__ import annotations

import errno
import socket
import ssl

import aiohttp

from hindsight.probe.egress import EgressRefused
from hindsight.probe.model import ErrorClass
from hindsight.probe.wire import ProtocolError, ServerDisconnected

Fault = tuple[ErrorClass, str]

# OpenSSL X509_V_ERR_* codes carried by ssl.SSLCertVerificationError.verify_code.
_X509_NOT_YET_VALID = 9
_X509_EXPIRED = 10
_X509_DEPTH_ZERO_SELF_SIGNED = 18
_X509_HOSTNAME_MISMATCH = 62
_X509_IP_ADDRESS_MISMATCH = 64


def classify_certificate_error(exc: ssl.SSLCertVerificationError, host: str) -> Fault:
    """Name why certificate verification failed."""
    code = exc.verify_code
    detail = exc.verify_message or str(exc)
    if code == _X509_EXPIRED:
        return ErrorClass.TLS_EXPIRED, "TLS certificate has expired"
    if code == _X509_NOT_YET_VALID:
        return ErrorClass.TLS_NOT_YET_VALID, "TLS certificate is not valid yet"
    if code == _X509_DEPTH_ZERO_SELF_SIGNED:
        return ErrorClass.TLS_SELF_SIGNED, "TLS certificate is self-signed and not trusted"
    if code in (_X509_HOSTNAME_MISMATCH, _X509_IP_ADDRESS_MISMATCH):
        return ErrorClass.TLS_HOSTNAME_MISMATCH, f"TLS certificate is not valid for {host}"
    return (
        ErrorClass.TLS_UNTRUSTED,
        f"TLS certificate chain is not trusted ({detail})",
    )


def classify_exception(
    exc: BaseException,
    *,
    host: str,
    port: int | None,
    timeout: float,
    reading_body: bool = False,
) -> Fault:
    """Classify an exception met while checking `host:port`.

    `reading_body` tells a stalled body (headers arrived, body did not finish
    within the deadline) apart from a server that never answered.
    """
    where = f"{host}:{port}" if port else host
    if isinstance(exc, EgressRefused):
        return ErrorClass.EGRESS_REFUSED, str(exc)
    if isinstance(exc, TimeoutError):
        if reading_body:
            return (
                ErrorClass.SLOW_BODY,
                f"Response body was still arriving after {timeout:g} s (slow or stalled body)",
            )
        return ErrorClass.TIMEOUT, f"No response from {where} within {timeout:g} s"
    cert_error = _certificate_error(exc)
    if cert_error is not None:
        return classify_certificate_error(cert_error, host)
    if isinstance(exc, aiohttp.ClientConnectorSSLError | ssl.SSLError):
        return ErrorClass.TLS_HANDSHAKE, f"TLS handshake with {where} failed: {_ssl_reason(exc)}"
    if _is_dns_error(exc):
        return ErrorClass.DNS, f"Could not resolve host name {host}"
    os_error = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if isinstance(os_error, ConnectionRefusedError) or _errno(os_error) == errno.ECONNREFUSED:
        return ErrorClass.CONNECTION_REFUSED, f"Connection refused by {where}"
    if isinstance(
        exc, ServerDisconnected | aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError
    ) or (_errno(os_error) in (errno.ECONNRESET, errno.EPIPE)):
        return (
            ErrorClass.CONNECTION_RESET,
            f"Connection to {where} was reset before the response was complete",
        )
    if isinstance(exc, aiohttp.InvalidURL):
        return ErrorClass.INVALID_URL, f"Invalid URL: {exc}"
    if isinstance(exc, aiohttp.ClientResponseError):
        return ErrorClass.PROTOCOL, f"{where} sent an invalid HTTP response: {exc.message}"
    if isinstance(exc, ProtocolError):
        return ErrorClass.PROTOCOL, f"{where} sent an invalid HTTP response: {exc}"
    if isinstance(exc, OSError | aiohttp.ClientError):
        return ErrorClass.NETWORK, f"Network error talking to {where}: {exc}"
    return ErrorClass.INTERNAL, f"Check failed unexpectedly: {type(exc).__name__}: {exc}"


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    # aiohttp's wrapper also subclasses ssl.CertificateError but carries no verify_code
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        inner = exc.certificate_error
        return inner if isinstance(inner, ssl.SSLCertVerificationError) else None
    if isinstance(exc, ssl.SSLCertVerificationError):
        return exc
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, ssl.SSLCertVerificationError
    ):
        return exc.os_error
    return None


def _errno(exc: BaseException) -> int | None:
    # aiohttp re-raises a reset as ClientOSError(errno, ...), not as ConnectionResetError
    return exc.errno if isinstance(exc, OSError) else None


def _is_dns_error(exc: BaseException) -> bool:
    if isinstance(exc, aiohttp.ClientConnectorDNSError | socket.gaierror):
        return True
    return isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, socket.gaierror
    )


def _ssl_reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        exc = exc.os_error
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).replace("_", " ").lower()
    return str(exc)
