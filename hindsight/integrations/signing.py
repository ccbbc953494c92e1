"""One signature scheme for every webhook Hindsight sends: Standard Webhooks.

Every request carries (https://www.standardwebhooks.com)::

    webhook-id: <the outbox delivery id: the same on every retry>
    webhook-timestamp: <Unix seconds of this attempt>
    webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">

so the reference verifier of any language checks it with the secret as shown
(``whsec_<base64 key>``). A secret typed in before Standard Webhooks (any
text) keys the HMAC with its UTF-8 bytes; shown as ``whsec_`` it is the same
key, so receivers need not change it.

Deprecated, sent for one more release beside the above:
``X-Hindsight-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
HEADER = "X-Hindsight-Signature"  # deprecated: removed in the release after 0.2


def signing_key(secret: str) -> bytes:
    """The HMAC key: a ``whsec_`` secret holds it in base64; other text is its UTF-8 bytes."""
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(PREFIX), validate=True)
        except (binascii.Error, ValueError):
            pass  # not base64 after all: an old free-text secret that starts alike
    return secret.encode()


def shown(secret: str) -> str:
    """The secret as Standard Webhooks libraries take it (``whsec_…``)."""
    return PREFIX + base64.b64encode(signing_key(secret)).decode()


def new_secret() -> str:
    """A fresh secret with a 256-bit key."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one attempt."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The deprecated ``X-Hindsight-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(signing_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def headers(
    *, secret: str, delivery_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The headers of one attempt: id and timestamp always, signatures when there is a secret."""
    timestamp = int(time.time() if now is None else now)
    sent = {"webhook-id": delivery_id, "webhook-timestamp": str(timestamp)}
    if secret:
        sent["webhook-signature"] = signature(secret, delivery_id, timestamp, body)
        sent[HEADER] = sign(secret, timestamp, body)
    return sent


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """Return True when the deprecated ``header`` signs ``body`` with ``secret`` and is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)
