"""The edge: every text and time entering Hindsight passes through here first.

Webhooks, the JSON API, chat imports and forms all call these helpers, so no
input can poison a row: PostgreSQL refuses NUL characters in text and JSON,
a lone surrogate cannot be encoded as UTF-8 by either database driver, and a
time outside 1970–2200 (or with an offset PostgreSQL refuses) can be stored
as a date that cannot be read back. Text is cleaned (the message survives);
what cannot be cleaned without changing its meaning — an id or name over its
column's length, a time out of range, nesting deeper than any real payload —
raises `InputError`, which every edge answers with a 400.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

# Deeper JSON than this is not an alert or an API call; it is an attack on the parser.
MAX_DEPTH = 64
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
# PostgreSQL's timestamptz refuses offsets beyond ±15:59.
MAX_OFFSET = timedelta(hours=15, minutes=59)
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


class InputError(ValueError):
    """Input that cannot be stored as it is; the message names the field and the fix."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def clean_text(value: str) -> str:
    """Drop NUL characters and replace lone surrogates with U+FFFD."""
    if not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(lambda m: "" if m[0] == "\x00" else "\ufffd", value)


def clean_json(value: Any, *, where: str = "body", depth: int = 0) -> Any:
    """Clean every string (keys included) in decoded JSON; refuse nesting past MAX_DEPTH."""
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        raise InputError(f"{where}: nested deeper than {MAX_DEPTH} levels", code="too_deep")
    if isinstance(value, dict):
        return {
            clean_text(str(k)): clean_json(v, where=where, depth=depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_json(v, where=where, depth=depth + 1) for v in value]
    return value


def load_json(raw: bytes | str, *, where: str = "body") -> Any:
    """Decode JSON and clean it; malformed or too deeply nested JSON raises InputError."""
    try:
        decoded = json.loads(raw)
    except RecursionError:
        raise InputError(
            f"{where}: nested deeper than {MAX_DEPTH} levels", code="too_deep"
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{where} is not valid JSON: {exc}", code="malformed_json") from None
    return clean_json(decoded, where=where)


def check_length(value: str, *, limit: int, field: str) -> str:
    """Return the value, or raise when it is longer than its column allows."""
    if len(value) > limit:
        raise InputError(f"{field}: longer than {limit} characters ({len(value)})")
    return value


def check_time(value: datetime, *, field: str = "time") -> datetime:
    """Return an aware time in UTC, or raise when it is naive, far off or oddly offset."""
    offset = value.utcoffset()
    if offset is None:
        raise InputError(f"{field}: needs a UTC offset (e.g. 2024-05-01T12:00:00Z)")
    if abs(offset) > MAX_OFFSET:
        raise InputError(f"{field}: UTC offset {offset} is beyond ±15:59")
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = EARLIEST - timedelta(days=1)  # year 1 with a positive offset, say
    if not EARLIEST <= moment < LATEST:
        raise InputError(f"{field}: {value.isoformat()} is outside 1970–2200", code="bad_timestamp")
    return moment
