"""The client's address, for login throttling and rate limits.

Directly on the internet, the peer (REMOTE_ADDR) is the client. Behind a
reverse proxy every request comes from the proxy, so all users would share
one address and one lockout; with ``HINDSIGHT_TRUSTED_PROXY`` on, the address
is the last entry the proxy appended to ``HINDSIGHT_CLIENT_IP_HEADER``. Only
the last entry: the ones before it are whatever the client chose to send.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent this request (as the trusted proxy saw it);
    '' when there is none (a login made in code, not over HTTP)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    if not settings.TRUSTED_PROXY:
        return peer
    key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    entries = [e.strip() for e in str(request.META.get(key, "")).split(",") if e.strip()]
    if not entries:
        return peer
    try:
        return str(ipaddress.ip_address(entries[-1]))
    except ValueError:
        return peer
