"""What every alert parser shares: the Signal, errors, timestamps, severities, keys."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from hindsight.core.inputs import InputError, check_time

Action = Literal["firing", "resolved", "update"]

# Go's zero time and the Unix epoch mean "not set" in Alertmanager/Grafana payloads.
_NOT_SET_BEFORE = datetime(1970, 1, 2, tzinfo=UTC)
_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$"
)


class WebhookError(Exception):
    """An alert post was refused; ``status`` and ``code`` go into the JSON error."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def bad_request(code: str, detail: str) -> WebhookError:
    return WebhookError(400, code, detail)


@dataclass(frozen=True)
class Signal:
    """One alert state change taken from an alert post."""

    action: Action
    fingerprint: str
    title: str
    text: str
    key: str
    severity: str = "SEV3"
    occurred_at: datetime | None = None
    service_slug: str = ""
    raw: Any = field(default=None, compare=False)


def parse_time(value: Any, where: str) -> datetime | None:
    """Parse an ISO 8601 time with an offset; None for absent or zero values."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise bad_request("bad_timestamp", f"{where}: expected an ISO 8601 string, got {value!r}")
    match = _ISO.match(value.strip())
    if not match:
        raise bad_request(
            "bad_timestamp",
            f"{where}: {value!r} is not an ISO 8601 time with a UTC offset "
            "(e.g. 2024-05-01T12:00:00Z)",
        )
    day, clock, fraction, offset = match.groups()
    # Python parses at most microseconds; Alertmanager sends nanoseconds.
    text = f"{day}T{clock}" + (f".{fraction[:6].ljust(6, '0')}" if fraction else "")
    text += "+00:00" if offset == "Z" else offset
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise bad_request("bad_timestamp", f"{where}: {value!r} is not a valid time") from None
    if parsed.year < 1970 or parsed.replace(tzinfo=None) < _NOT_SET_BEFORE.replace(tzinfo=None):
        return None  # Go's zero time, with or without an offset
    try:
        return check_time(parsed, field=where)
    except InputError as exc:
        raise bad_request("bad_timestamp", str(exc)) from None


def instant(value: datetime | None) -> str | None:
    """One spelling per instant, for idempotency keys: `…:00Z`, `…:00.000Z` and
    `…:00+00:00` are the same moment, so a repeat in another precision is a repeat."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


_SEVERITY_WORDS = {
    "critical": "SEV1",
    "crit": "SEV1",
    "page": "SEV1",
    "p1": "SEV1",
    "emergency": "SEV1",
    "high": "SEV2",
    "major": "SEV2",
    "error": "SEV2",
    "p2": "SEV2",
    "warning": "SEV3",
    "warn": "SEV3",
    "medium": "SEV3",
    "minor": "SEV3",
    "p3": "SEV3",
    "info": "SEV4",
    "low": "SEV4",
    "none": "SEV4",
    "p4": "SEV4",
    "p5": "SEV4",
}


def severity_from(word: Any, default: str = "SEV3") -> str:
    """Map a source's severity word (critical, warning, P2, sev1, …) to SEV1–SEV4."""
    if not isinstance(word, str) or not word.strip():
        return default
    value = word.strip().lower()
    if re.fullmatch(r"sev[1-4]", value):
        return value.upper()
    return _SEVERITY_WORDS.get(value, default)


def content_key(prefix: str, *parts: Any) -> str:
    """Derive an idempotency key from an alert's content: same content, same key."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}:{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:40]}"


def object_or_empty(value: Any) -> dict[str, Any]:
    """The JSON object, or an empty one when an optional field is missing or of another type."""
    return value if isinstance(value, dict) else {}


def require_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request("invalid", f"{where}: expected a JSON object")
    return value
