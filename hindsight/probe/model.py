"""What a check is asked to do (`CheckSpec`) and what it found (`ProbeResult`)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from hindsight.probe.keyword import KeywordError, compile_keyword

CheckKind = Literal["http", "keyword", "tls", "tcp"]
KeywordMode = Literal["present", "absent"]

KIB = 1024
DEFAULT_MAX_BODY_BYTES = 64 * KIB
# A check reads at most this much of a body, whatever its monitor asks: the worker
# holds hundreds of bodies at once.
MAX_BODY_BYTES_CEILING = 4 * 1024 * KIB
DEFAULT_STATUS_CODES: frozenset[int] = frozenset(range(200, 300))


class Status(enum.StrEnum):
    """Health of a monitor, both for one result and for the confirmed state."""

    PENDING = "pending"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    PAUSED = "paused"


class ErrorClass(enum.StrEnum):
    """Every way a check can fail; stored with the result and shown to users."""

    TIMEOUT = "timeout"
    SLOW_BODY = "slow_body"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_RESET = "connection_reset"
    DNS = "dns"
    NETWORK = "network"
    TLS_EXPIRED = "tls_expired"
    TLS_NOT_YET_VALID = "tls_not_yet_valid"
    TLS_SELF_SIGNED = "tls_self_signed"
    TLS_HOSTNAME_MISMATCH = "tls_hostname_mismatch"
    TLS_UNTRUSTED = "tls_untrusted"
    TLS_HANDSHAKE = "tls_handshake"
    TLS_EXPIRING = "tls_expiring"
    PROTOCOL = "protocol"
    UNEXPECTED_STATUS = "unexpected_status"
    KEYWORD_MISSING = "keyword_missing"
    KEYWORD_FOUND = "keyword_found"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    INVALID_URL = "invalid_url"
    EGRESS_REFUSED = "egress_refused"
    INVALID_SPEC = "invalid_spec"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One monitor's check, as plain data (the `monitors` app builds it from its model).

    `url` is used by http/keyword checks; `host`/`port` by tls/tcp checks (a tls
    check derives them from `url` when `host` is empty). `headers` is a tuple of
    pairs so the spec stays hashable. `timeout` is the total deadline for the
    whole check, body included.
    """

    kind: CheckKind
    url: str = ""
    host: str = ""
    port: int = 0
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""  # sent with POST, PUT and PATCH (UTF-8)
    status_codes: frozenset[int] = DEFAULT_STATUS_CODES
    timeout: float = 10.0
    max_redirects: int = 5
    keyword: str = ""
    keyword_is_regex: bool = False
    keyword_mode: KeywordMode = "present"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    tls_warning_days: int = 14
    tls_critical_days: int = 3
    monitor_id: str = ""


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome of one check; never an exception."""

    status: Status
    checked_at: datetime
    latency_ms: float | None = None
    status_code: int | None = None
    error_class: ErrorClass | None = None
    reason: str = ""
    evidence: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    days_left: int | None = None
    not_after: datetime | None = None
    issuer: str | None = None
    monitor_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.UP


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock; checks take a `clock` argument so tests can pin time."""
    return datetime.now(UTC)


def failed(
    spec: CheckSpec,
    started: datetime,
    error_class: ErrorClass,
    reason: str,
    **evidence: Any,
) -> ProbeResult:
    """A DOWN result for a check that could not get an answer."""
    return ProbeResult(
        status=Status.DOWN,
        checked_at=started,
        error_class=error_class,
        reason=reason,
        evidence=evidence,
        monitor_id=spec.monitor_id,
    )


def spec_problem(spec: CheckSpec) -> str | None:
    """What is wrong with a spec, in words for the monitor's owner; None when it can run."""
    if spec.kind not in ("http", "keyword", "tls", "tcp"):
        return f"Unknown check kind {spec.kind!r}"
    if not spec.timeout > 0:
        return f"Timeout must be more than 0 seconds, not {spec.timeout:g}"
    if spec.max_redirects < 0:
        return "Maximum redirects cannot be negative"
    if spec.max_body_bytes < 1:
        return "The body limit must be at least 1 byte"
    if spec.max_body_bytes > MAX_BODY_BYTES_CEILING:
        return (
            f"The body limit is at most {MAX_BODY_BYTES_CEILING} bytes (4 MiB), "
            f"not {spec.max_body_bytes}"
        )
    if not 0 <= spec.port < 65536:
        return f"Port {spec.port} is out of range"
    if spec.kind == "keyword" and not spec.keyword:
        return "A keyword check needs a keyword"
    if spec.kind == "keyword":
        try:
            compile_keyword(spec.keyword, is_regex=spec.keyword_is_regex)
        except KeywordError as exc:
            return str(exc)
    if spec.tls_critical_days > spec.tls_warning_days:
        return "The TLS critical threshold must not exceed the warning threshold"
    if spec.method.upper() not in METHODS:
        return f"HTTP method {spec.method!r} is not one of {', '.join(sorted(METHODS))}"
    if spec.body and spec.method.upper() not in BODY_METHODS:
        return f"A request body is sent with {', '.join(sorted(BODY_METHODS))}, not {spec.method}"
    if len(spec.body.encode()) > MAX_REQUEST_BODY_BYTES:
        return f"The request body is at most {MAX_REQUEST_BODY_BYTES} bytes"
    return header_problem(spec.headers)


_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_REQUEST_BODY_BYTES = 64 * 1024
# A Host header override names a virtual host: a DNS name or address, maybe a port.
_HOST_VALUE = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
# Headers the client writes itself; a monitor setting them would break the request framing.
_RESERVED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "upgrade"})


def header_problem(headers: Iterable[tuple[str, str]]) -> str | None:
    """Why these request headers cannot be sent, or None when they can."""
    for name, value in headers:
        if not name or not set(name) <= _TOKEN_CHARS:
            return f"Invalid header name {name!r}"
        if any(c in value for c in "\r\n\0"):
            return f"The value of header {name!r} contains a line break"
        if name.lower() in _RESERVED_HEADERS:
            return f"The {name} header is set by Hindsight itself"
        if name.lower() == "host" and (not _HOST_VALUE.fullmatch(value)):
            return f"The Host header must be a host name or address (and port), not {value!r}"
    return None
