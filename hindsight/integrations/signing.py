"""One signature scheme for every webhook Hindsight sends.

``X-Hindsight-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
Receivers recompute the HMAC with their secret, compare in constant time, and
reject old timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Hindsight-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """Return True when ``header`` signs ``body`` with ``secret`` and is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)
