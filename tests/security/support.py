"""Helpers shared by the security tests."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver


def monitor_form(**fields: Any) -> dict[str, Any]:
    """The POST data of the monitor form for a plain HTTP monitor, with ``fields`` changed."""
    return {
        "name": "web",
        "kind": "http",
        "target": "http://127.0.0.1:9/",
        "interval_seconds": 60,
        "timeout_seconds": 5,
        "confirmations_down": 2,
        "confirmations_up": 1,
        "quorum": 1,
        **fields,
    }


def patterns(found_in: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every URL pattern, namespaced; the admin site is one "admin:*"."""
    found = []
    for pattern in found_in:
        if isinstance(pattern, URLResolver):
            ns = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            if ns == "admin":
                found.append(("admin:*", pattern))
                continue
            found += patterns(pattern.url_patterns, ns)
        else:
            found.append(((f"{namespace}:" if namespace else "") + (pattern.name or ""), pattern))
    return found
