"""Incident open/resolve notifications reach real local servers in each format."""

from __future__ import annotations

import email
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.catalog.models import Service
from hindsight.incidents import lifecycle
from hindsight.incidents.services import declare_incident
from hindsight.integrations import signing
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import RETRY, deliver_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout():
    return Service.objects.create(name="Checkout API", slug="checkout-api")


def _declare(checkout, **kwargs):
    return declare_incident(
        title="Checkout errors",
        severity="SEV2",
        services=[checkout],
        summary="38% of checkouts fail.",
        **kwargs,
    )


def test_a_signed_webhook_is_sent_on_open_and_resolve(recorder, checkout):
    NotificationChannel.objects.create(
        name="hook", kind="webhook", target=recorder.url + "/in", secret="s3cret"
    )
    incident = _declare(checkout)
    assert deliver_due() == (1, 0)
    lifecycle.change_status(incident=incident, status="resolved")
    assert deliver_due() == (1, 0)
    opened, resolved = recorder.requests
    assert opened["json"]["event"] == "incident.opened"
    assert opened["json"]["incident"]["title"] == "Checkout errors"
    assert opened["json"]["incident"]["services"] == ["Checkout API"]
    assert opened["json"]["incident"]["url"].endswith(f"/incidents/{incident.pk}/")
    assert resolved["json"]["event"] == "incident.resolved"
    assert resolved["json"]["incident"]["resolved_at"] is not None
    header = opened["headers"]["X-Hindsight-Signature"]
    timestamp = header.split(",")[0].removeprefix("t=")
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + opened["body"], hashlib.sha256)
    assert header == f"t={timestamp},v1={expected.hexdigest()}"
    assert signing.verify("s3cret", header, opened["body"])
    assert not signing.verify("wrong", header, opened["body"])
    assert not signing.verify("s3cret", header, opened["body"] + b" ")


def test_slack_and_teams_get_their_own_formats(recorder, checkout):
    NotificationChannel.objects.create(name="slack", kind="slack", target=recorder.url + "/slack")
    NotificationChannel.objects.create(name="teams", kind="teams", target=recorder.url + "/teams")
    _declare(checkout)
    assert deliver_due() == (2, 0)
    by_path = {r["path"]: r["json"] for r in recorder.requests}
    slack = by_path["/slack"]
    assert slack["text"].startswith("[SEV2] Incident #")
    assert slack["attachments"][0]["color"] == "#bc4c00"
    assert {"title": "Services", "value": "Checkout API", "short": False} in slack["attachments"][
        0
    ]["fields"]
    teams = by_path["/teams"]
    assert teams["@type"] == "MessageCard"
    assert teams["themeColor"] == "bc4c00"
    assert (
        teams["potentialAction"][0]["targets"][0]["uri"].endswith("/incidents/1/")
        or "/incidents/" in teams["potentialAction"][0]["targets"][0]["uri"]
    )
    assert {"name": "Severity", "value": "SEV2"} in teams["sections"][0]["facts"]


def test_email_goes_through_a_real_smtp_server(smtp_server, checkout):
    NotificationChannel.objects.create(
        name="oncall", kind="email", target="oncall@example.com, lead@example.com"
    )
    _declare(checkout)
    assert deliver_due() == (1, 0)
    (envelope,) = smtp_server.messages
    assert sorted(envelope.rcpt_tos) == ["lead@example.com", "oncall@example.com"]
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"].startswith("[SEV2] Incident #")
    assert "38% of checkouts fail." in message.get_payload(0).get_payload(decode=True).decode()


def test_a_failing_receiver_is_retried_with_backoff_and_then_given_up(recorder, checkout):
    NotificationChannel.objects.create(name="hook", kind="webhook", target=recorder.url)
    recorder.fail_next = 1
    _declare(checkout)
    now = timezone.now()
    assert deliver_due(now=now) == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.last_error.startswith("HTTP 503 from http://127.0.0.1:")
    # 30 s, give or take the jitter that keeps retries of many deliveries apart
    wait = (delivery.next_attempt_at - now).total_seconds()
    assert 22.5 <= wait <= 37.5
    assert deliver_due(now=now + timedelta(seconds=10)) == (0, 0)  # not due yet
    assert deliver_due(now=now + timedelta(seconds=38)) == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_an_unreachable_receiver_never_crashes_and_stops_after_max_attempts(free_port, checkout):
    NotificationChannel.objects.create(
        name="dead", kind="webhook", target=f"http://127.0.0.1:{free_port}/"
    )
    _declare(checkout)
    later = timezone.now()
    for _ in range(RETRY.max_attempts + 2):
        deliver_due(now=later)
        later += timedelta(hours=2)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("dead", RETRY.max_attempts)
    assert "could not reach" in delivery.last_error


def test_channels_filter_by_service_and_skip_restricted_incidents(recorder, checkout):
    search = Service.objects.create(name="Search", slug="search")
    only_search = NotificationChannel.objects.create(
        name="search team", kind="webhook", target=recorder.url
    )
    only_search.services.add(search)
    _declare(checkout)
    declare_incident(title="Breach", services=[search], restricted=True)
    assert Delivery.objects.count() == 0
    declare_incident(title="Search down", services=[search])
    assert list(Delivery.objects.values_list("destination__label", flat=True)) == [
        "search team (Webhook (HMAC-signed JSON))"
    ]


def test_a_notification_email_is_multipart_and_marked_automatic(smtp_server, checkout, settings):
    settings.BASE_URL = "https://hindsight.acme.test"
    NotificationChannel.objects.create(name="oncall", kind="email", target="oncall@example.com")
    _declare(checkout)
    assert deliver_due() == (1, 0)

    message = email.message_from_bytes(smtp_server.messages[0].content)

    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert message["Message-ID"] == f"<{Delivery.objects.get().pk}@hindsight.acme.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
