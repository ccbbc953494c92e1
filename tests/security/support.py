"""Helpers shared by the security tests."""

from __future__ import annotations

from typing import Any


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
