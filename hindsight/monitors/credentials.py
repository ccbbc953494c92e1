"""A monitor's credentials: kept apart from its target, encrypted, never shown.

User name and password (whether typed into their fields or pasted into the
target as ``https://user:pass@host/``) and request headers (``Authorization``,
API keys, cookies) live in ``Monitor.credentials``, an encrypted field. Pages
and the API say only which are set; a new value replaces the old one, and an
empty one keeps it. The probe gets them as request headers.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from hindsight.monitors.models import Monitor

MAX_HEADERS = 20
MAX_HEADER_VALUE = 4096


def split_target(target: str) -> tuple[str, str | None, str | None]:
    """The target without user:password, and the user name and password it carried."""
    if "://" not in target or "@" not in target:
        return target, None, None
    parts = urlsplit(target)
    if parts.username is None and parts.password is None:
        return target, None, None
    host = parts.netloc.rpartition("@")[2]
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(parts.username or ""), unquote(parts.password or "")


def absorb(monitor: Monitor) -> None:
    """Move credentials found in the target or the config into the encrypted field."""
    target, username, password = split_target(monitor.target or "")
    if username is not None:
        monitor.target = target
        set_credentials(monitor, username=username, password=password or "")
    config = monitor.config if isinstance(monitor.config, dict) else None
    if config is not None and "headers" in config:
        headers = config.pop("headers")
        if isinstance(headers, dict):
            set_credentials(monitor, headers={str(k): str(v) for k, v in headers.items()})
        else:
            config["headers"] = headers  # left for validation to refuse with a message


def set_credentials(
    monitor: Monitor,
    *,
    username: str | None = None,
    password: str | None = None,
    headers: dict[str, str] | None = None,
    clear: bool = False,
) -> None:
    """Replace the given parts (None keeps a part; ``clear`` drops everything first)."""
    stored: dict[str, Any] = {} if clear else dict(monitor.credentials or {})
    if username is not None:
        stored["username"] = username
        stored["password"] = password or ""
    elif password is not None:
        stored["password"] = password
    if headers is not None:
        stored["headers"] = dict(headers)
    monitor.credentials = {k: v for k, v in stored.items() if v}


def parse_header_lines(text: str) -> dict[str, str]:
    """'Name: value' lines into a mapping; raise ValueError naming a bad line."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"line {number}: write each header as 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


def problem(monitor: Monitor) -> str | None:
    """What is wrong with the stored credentials, or None."""
    creds = monitor.credentials or {}
    headers = creds.get("headers") or {}
    if not isinstance(headers, dict):
        return "headers must be a mapping of header names to values"
    if len(headers) > MAX_HEADERS:
        return f"at most {MAX_HEADERS} headers"
    for name, value in headers.items():
        if len(str(value)) > MAX_HEADER_VALUE:
            return f"the value of header {name!r} is longer than {MAX_HEADER_VALUE} characters"
    if creds and monitor.kind in ("tcp", "tls"):
        return "TCP and TLS checks send no credentials; clear them or use an HTTP check"
    return None


def request_headers(monitor: Monitor) -> dict[str, str]:
    """The headers a check sends: the stored ones, plus Basic auth from user and password."""
    creds = monitor.credentials or {}
    headers = {str(k): str(v) for k, v in (creds.get("headers") or {}).items()}
    if creds.get("username") or creds.get("password"):
        pair = f"{creds.get('username', '')}:{creds.get('password', '')}".encode()
        headers.setdefault("Authorization", "Basic " + base64.b64encode(pair).decode())
    return headers


def summary(monitor: Monitor) -> dict[str, Any]:
    """What is set, never the values: for pages and the API."""
    creds = monitor.credentials or {}
    return {
        "basic_auth": bool(creds.get("username") or creds.get("password")),
        "headers": sorted(creds.get("headers") or {}),
    }
