"""Every request Hindsight makes to a URL a person chose goes through here.

``send`` is the one function outbound code calls (notifications, subscriber
webhooks, the outbox): it applies the egress guard of ``hindsight.probe.egress``
with the policy from ``HINDSIGHT_EGRESS_ALLOW``, accepts only http/https and
follows no redirects. ``refusal`` is what forms and services call before
saving a target, so a refused one is never stored. Monitors use the same
guard through ``guard()`` on their probe session.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from hindsight.probe.egress import EgressRefused, Guard, Reply, Resolver, request

__all__ = ["EgressRefused", "Reply", "guard", "refusal", "send"]

# Tests replace this with a stub (never real traffic to the addresses they test).
resolver_override: Resolver | None = None


def guard() -> Guard:
    """The guard for this install: the admin's allowed ranges, the system resolver."""
    if resolver_override is not None:
        return Guard(policy=settings.EGRESS_POLICY, resolver=resolver_override)
    return Guard(policy=settings.EGRESS_POLICY)


def refusal(url: str) -> str | None:
    """Why Hindsight would refuse to send to this URL, in words; None when it may."""
    return guard().url_refusal(url)


def send(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    timeout: float = 10.0,
    read_limit: int = 1024,
) -> Reply:
    """Send one request to a user-chosen URL through the guard; no redirects are followed.

    Raises ``EgressRefused`` for a refused target and ``OSError`` for network
    failures; the caller judges the status (a 3xx is not success).
    """
    return request(
        method,
        url,
        body=body,
        headers=headers,
        guard=guard(),
        timeout=timeout,
        read_limit=read_limit,
    )
