"""HTTP(S) and keyword checks, with one total deadline and a bounded body read.

The requests go through `wire.Session` (asyncio + llhttp); this module follows
redirects, judges the status code and keyword, and words the result.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yarl import URL

from hindsight.probe.egress import Guard
from hindsight.probe.faults import classify_exception
from hindsight.probe.keyword import KeywordError, compile_keyword
from hindsight.probe.model import (
    BODY_METHODS,
    KIB,
    CheckSpec,
    Clock,
    ErrorClass,
    ProbeResult,
    Status,
    failed,
    utc_now,
)
from hindsight.probe.wire import Response, Session

log = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
SNIPPET_CHARS = 80
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass
class _Progress:
    """What the check got to before it finished or failed; becomes evidence."""

    url: URL
    redirects: list[str] = field(default_factory=list)
    reading_body: bool = False
    bytes_read: int = 0
    body_complete: bool = False


class _RedirectFault(Exception):
    def __init__(self, error_class: ErrorClass, reason: str) -> None:
        super().__init__(reason)
        self.error_class = error_class
        self.reason = reason


def make_session(
    *,
    concurrency: int = 100,
    ssl_context: ssl.SSLContext | None = None,
    guard: Guard | None = None,
) -> Session:
    """Build the `Session` the checks share: at most `concurrency` connections at once.

    Every check opens a new connection (`Connection: close`), so it measures what
    a new visitor sees and a broken keep-alive cannot hide an outage; nothing is
    carried between checks (no cookies), and bodies are read as they crossed the
    wire (`Accept-Encoding: identity`, no decompression). Every connection,
    redirects included, goes to an address `guard` admits (`probe.egress`).
    """
    return Session(concurrency=concurrency, ssl_context=ssl_context, guard=guard)


def validate_url(raw: str) -> URL | None:
    """Return the URL if a check can fetch it, else None."""
    try:
        url = URL(raw)
    except (ValueError, TypeError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return url


def redact(raw: str) -> str:
    """The URL without user:password, fit for a timeline everyone can read."""
    try:
        url = URL(raw)
    except (ValueError, TypeError):
        return raw
    return str(url.with_user(None)) if url.user or url.password else raw


async def check_http(
    spec: CheckSpec,
    *,
    session: Session,
    ssl_context: ssl.SSLContext | None = None,
    clock: Clock = utc_now,
) -> ProbeResult:
    """Fetch `spec.url`, following redirects, and judge status code (and keyword)."""
    started = clock()
    url = validate_url(spec.url)
    if url is None:
        return failed(
            spec,
            started,
            ErrorClass.INVALID_URL,
            f"Invalid URL {redact(spec.url)!r}: it needs an http:// or https:// scheme and a host",
            url=redact(spec.url),
        )
    pattern: Any = None
    if spec.kind == "keyword":
        try:
            pattern = compile_keyword(spec.keyword, is_regex=spec.keyword_is_regex)
        except KeywordError as exc:
            return failed(spec, started, ErrorClass.INVALID_SPEC, str(exc))
    progress = _Progress(url=url)
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(spec.timeout):
            response = await _fetch(spec, session, ssl_context, progress, pattern is not None)
    except _RedirectFault as fault:
        return failed(spec, started, fault.error_class, fault.reason, **_evidence(spec, progress))
    except Exception as exc:  # every fault becomes a result, never an exception
        error_class, reason = classify_exception(
            exc,
            host=progress.url.host or "",
            port=progress.url.port,
            timeout=spec.timeout,
            reading_body=progress.reading_body,
        )
        log.debug("check %s failed: %s", spec.url, reason)
        return failed(
            spec,
            started,
            error_class,
            reason,
            exception=type(exc).__name__,
            elapsed_ms=round((time.perf_counter() - t0) * 1000, 1),
            **_evidence(spec, progress),
        )
    latency_ms = round((time.perf_counter() - t0) * 1000, 3)
    return _judge(spec, started, latency_ms, response, progress, pattern)


async def _fetch(
    spec: CheckSpec,
    session: Session,
    ssl_context: ssl.SSLContext | None,
    progress: _Progress,
    read_body: bool,
) -> Response:
    method = spec.method.upper()
    seen = {str(progress.url)}
    headers = dict(spec.headers)
    body = spec.body.encode()
    follow = REDIRECT_CODES if spec.max_redirects > 0 else frozenset()
    for hop in range(spec.max_redirects + 1):
        resp = await session.request(
            method,
            progress.url,
            headers,
            read_body=read_body,
            limit=spec.max_body_bytes,
            progress=progress,
            ssl_context=ssl_context,
            headers_only_for=follow,
            body=body if method in BODY_METHODS else b"",
        )
        location = resp.header("location")
        if resp.status not in follow or not location:
            return resp
        target = _redirect_target(progress.url, location)
        progress.redirects.append(str(target))
        if str(target) in seen:
            raise _RedirectFault(
                ErrorClass.REDIRECT_LOOP,
                f"Redirect loop: {redact(str(target))} was already visited "
                f"after {hop + 1} redirect(s)",
            )
        seen.add(str(target))
        if target.origin() != progress.url.origin():
            # credentials meant for one site must not follow a redirect to another
            headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
        progress.url = target
        if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
            method = "GET"
    raise _RedirectFault(
        ErrorClass.TOO_MANY_REDIRECTS,
        f"More than {spec.max_redirects} redirects (last went to {redact(str(progress.url))})",
    )


def _redirect_target(current: URL, location: str) -> URL:
    try:
        target = current.join(URL(location))
    except ValueError as exc:
        reason = f"Redirect to invalid URL {location!r}"
        raise _RedirectFault(ErrorClass.INVALID_URL, reason) from exc
    if validate_url(str(target)) is None:
        raise _RedirectFault(ErrorClass.INVALID_URL, f"Redirect to unsupported URL {location!r}")
    return target


def _judge(
    spec: CheckSpec,
    started: datetime,
    latency_ms: float,
    response: Response,
    progress: _Progress,
    pattern: Any,
) -> ProbeResult:
    evidence = _evidence(spec, progress)
    code = response.status
    status, error_class = Status.UP, None
    reason = f"HTTP {code} {response.reason}".rstrip()
    if code not in spec.status_codes:
        status, error_class = Status.DOWN, ErrorClass.UNEXPECTED_STATUS
        reason += f"; expected {describe_codes(spec.status_codes)}"
    elif pattern is not None:
        status, error_class, reason, snippet = _match_keyword(spec, pattern, response, progress)
        evidence["snippet"] = snippet
    return ProbeResult(
        status=status,
        checked_at=started,
        latency_ms=latency_ms,
        status_code=code,
        error_class=error_class,
        reason=reason,
        evidence=evidence,
        monitor_id=spec.monitor_id,
    )


def _match_keyword(
    spec: CheckSpec, pattern: Any, response: Response, progress: _Progress
) -> tuple[Status, ErrorClass | None, str, str]:
    encoding = response.charset or "utf-8"
    try:
        text = response.body.decode(encoding, errors="replace")
    except LookupError:
        text = response.body.decode("utf-8", errors="replace")
    match = pattern.search(text)
    what = "Pattern" if spec.keyword_is_regex else "Text"
    shown = f"/{spec.keyword}/" if spec.keyword_is_regex else f'"{spec.keyword}"'
    scope = (
        "the body"
        if progress.body_complete
        else f"the first {_describe_bytes(spec.max_body_bytes)} of the body"
    )
    snippet = ""
    if match is not None:
        start = max(0, match.start() - SNIPPET_CHARS // 2)
        snippet = text[start : start + SNIPPET_CHARS]
    if spec.keyword_mode == "present" and match is None:
        reason = f"{what} {shown} not found in {scope}"
        return Status.DOWN, ErrorClass.KEYWORD_MISSING, reason, snippet
    if spec.keyword_mode == "absent" and match is not None:
        reason = f"{what} {shown} found in {scope} but must be absent"
        return Status.DOWN, ErrorClass.KEYWORD_FOUND, reason, snippet
    verb = "found" if spec.keyword_mode == "present" else "absent"
    reason = f"HTTP {response.status}; {what.lower()} {shown} {verb}"
    return Status.UP, None, reason, snippet


def _evidence(spec: CheckSpec, progress: _Progress) -> dict[str, Any]:
    evidence: dict[str, Any] = {"url": redact(spec.url), "method": spec.method.upper()}
    if progress.redirects:
        evidence["redirects"] = [redact(url) for url in progress.redirects]
        evidence["final_url"] = redact(str(progress.url))
    if spec.kind == "keyword":
        evidence["bytes_read"] = progress.bytes_read
        evidence["body_complete"] = progress.body_complete
    return evidence


def describe_codes(codes: frozenset[int]) -> str:
    """Write a set of status codes compactly: {200..299, 301} -> '200-299 or 301'."""
    runs: list[str] = []
    ordered = sorted(codes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        runs.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    if len(runs) <= 1:
        return "".join(runs) or "no status code"
    return ", ".join(runs[:-1]) + " or " + runs[-1]


def _describe_bytes(n: int) -> str:
    return f"{n // KIB} KiB" if n % KIB == 0 else f"{n} bytes"
