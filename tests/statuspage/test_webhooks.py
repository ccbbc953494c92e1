"""Webhook subscribers: signed Statuspage-shaped JSON, retries with backoff, disabling."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from django.utils import timezone

from hindsight.statuspage import services, subscribers
from hindsight.statuspage.models import Notification


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_it_posts_signed_statuspage_json(an_incident, checkout, a_page, webhook_server):
    hook = subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Rolling back",
        components={checkout: "partial_outage"},
    )
    assert subscribers.deliver_due() == (1, 0)
    [request] = webhook_server.requests
    assert request["headers"]["Content-Type"] == "application/json"
    assert verify(hook.webhook_secret, request["headers"]["X-Hindsight-Signature"], request["body"])
    assert not verify("wrong-secret", request["headers"]["X-Hindsight-Signature"], request["body"])
    payload = json.loads(request["body"])
    assert set(payload) == {"meta", "page", "incident"}
    assert payload["page"] == {
        "id": "acme",
        "status_indicator": "major",
        "status_description": "Partial System Outage",
    }
    assert payload["incident"]["name"] == "Checkout errors"
    assert payload["incident"]["incident_updates"][0]["body"] == "Rolling back"
    assert payload["meta"]["unsubscribe"].endswith(f"/unsubscribe/{hook.unsubscribe_token}/")


def test_failures_are_retried_with_backoff(an_incident, a_page, webhook_server):
    subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    webhook_server.statuses = [500, 503]
    services.post_update(incident=an_incident, status="identified", message="x")
    now = timezone.now()
    assert subscribers.deliver_due(now=now) == (0, 1)
    notification = Notification.objects.get()
    assert notification.next_attempt_at == now + timedelta(seconds=30)
    assert notification.last_error.startswith("HTTP 500")
    # Not due yet: nothing is sent before the backoff has passed.
    assert subscribers.deliver_due(now=now + timedelta(seconds=10)) == (0, 0)
    assert subscribers.deliver_due(now=now + timedelta(seconds=31)) == (0, 1)
    notification.refresh_from_db()
    assert notification.next_attempt_at == now + timedelta(seconds=31) + timedelta(minutes=2)
    assert subscribers.deliver_due(now=now + timedelta(minutes=3)) == (1, 0)
    notification.refresh_from_db()
    assert notification.attempts == 3 and notification.delivered_at is not None
    assert len(webhook_server.requests) == 3
    assert len({r["body"] for r in webhook_server.requests}) == 1
    assert notification.subscriber.failures == 0


def test_a_hook_that_keeps_failing_is_disabled(an_incident, a_page, webhook_server):
    hook = subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    webhook_server.statuses = [500] * 100
    services.post_update(incident=an_incident, status="identified", message="one")
    services.post_update(incident=an_incident, status="monitoring", message="two")
    moment = timezone.now()
    for _ in range(20):  # bounded: 2 notifications x 5 attempts is all there can be
        moment += timedelta(hours=2)
        subscribers.deliver_due(now=moment)
    hook.refresh_from_db()
    assert hook.disabled_at is not None
    assert hook.failures == subscribers.DISABLE_AFTER_FAILURES
    assert len(webhook_server.requests) == subscribers.DISABLE_AFTER_FAILURES
    assert Notification.objects.filter(delivered_at=None, failed_at=None).count() == 0
    services.post_update(incident=an_incident, status="resolved", message="three")
    assert Notification.objects.filter(delivered_at=None, failed_at=None).count() == 0


def test_webhook_urls_must_be_http(a_page):
    import pytest

    with pytest.raises(subscribers.SubscribeError, match="https://"):
        subscribers.add_webhook_subscriber(page=a_page, url="file:///etc/passwd")
