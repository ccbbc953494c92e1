"""Webhook subscribers: signed Statuspage-shaped JSON, retries with backoff, disabling."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from hindsight.outbox.models import Delivery
from hindsight.outbox.services import RETRY, deliver_due
from hindsight.statuspage import services, subscribers


def test_it_posts_signed_statuspage_json(an_incident, checkout, a_page, webhook_server):
    hook = subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Rolling back",
        components={checkout: "partial_outage"},
    )
    assert deliver_due() == (1, 0)
    [request] = webhook_server.requests
    assert request["headers"]["Content-Type"] == "application/json"
    assert Webhook(hook.webhook_secret).verify(request["body"], request["headers"])
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
    assert deliver_due(now=now) == (0, 1)
    delivery = Delivery.objects.get()
    assert timedelta(seconds=22) <= delivery.next_attempt_at - now <= timedelta(seconds=38)
    assert delivery.last_error.startswith("HTTP 500")
    # Not due yet: nothing is sent before the backoff has passed.
    assert deliver_due(now=now + timedelta(seconds=10)) == (0, 0)
    assert deliver_due(now=now + timedelta(seconds=40)) == (0, 1)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - (now + timedelta(seconds=40))
    assert timedelta(seconds=45) <= second_wait <= timedelta(seconds=75)
    assert deliver_due(now=now + timedelta(minutes=3)) == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    assert len(webhook_server.requests) == 3
    assert len({r["body"] for r in webhook_server.requests}) == 1


def test_every_retry_carries_the_same_delivery_id(an_incident, a_page, webhook_server):
    subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    webhook_server.statuses = [503]
    services.post_update(incident=an_incident, status="identified", message="x")
    deliver_due()
    deliver_due(now=timezone.now() + timedelta(minutes=5))
    ids = [
        {k.lower(): v for k, v in r["headers"].items()}["webhook-id"]
        for r in webhook_server.requests
    ]
    assert ids == [str(Delivery.objects.get().pk)] * 2


def test_a_hook_whose_delivery_is_given_up_is_disabled(an_incident, a_page, webhook_server):
    hook = subscribers.add_webhook_subscriber(page=a_page, url=webhook_server.url)
    webhook_server.statuses = [500] * 100
    services.post_update(incident=an_incident, status="identified", message="one")
    services.post_update(incident=an_incident, status="monitoring", message="two")
    moment = timezone.now()
    for _ in range(RETRY.max_attempts + 2):  # bounded: the first delivery's attempts
        moment += timedelta(hours=2)
        deliver_due(now=moment)
    hook.refresh_from_db()
    assert hook.disabled_at is not None
    assert len(webhook_server.requests) == RETRY.max_attempts
    states = list(Delivery.objects.order_by("created_at").values_list("state", flat=True))
    assert states == ["dead", "discarded"]
    services.post_update(incident=an_incident, status="resolved", message="three")
    assert not Delivery.objects.filter(state="pending").exists()


def test_webhook_urls_must_be_http(a_page):
    import pytest

    with pytest.raises(subscribers.SubscribeError, match="https://"):
        subscribers.add_webhook_subscriber(page=a_page, url="file:///etc/passwd")
