"""The Notifications page: routing by severity, acknowledgement notices, Send test, SMTP warning."""

from __future__ import annotations

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.incidents.lifecycle import acknowledge
from hindsight.incidents.services import declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _channel(**fields: object) -> NotificationChannel:
    return NotificationChannel.objects.create(
        name="on-call", kind="webhook", target="http://127.0.0.1:9/hook", **fields
    )


def test_a_channel_for_sev1_hears_nothing_of_a_sev3() -> None:
    _channel(severities=["SEV1"])
    declare_incident(title="Slow search", severity="SEV3")
    assert Delivery.objects.count() == 0


def test_acknowledging_notifies_the_channel(a_responder: User) -> None:
    _channel()
    incident = declare_incident(title="Checkout errors", severity="SEV2")
    acknowledge(incident=incident, actor=a_responder)
    assert list(Delivery.objects.order_by("created_at").values_list("event", flat=True)) == [
        "incident.opened",
        "incident.acknowledged",
    ]


def test_send_test_queues_one_delivery_through_the_outbox(an_editor: User) -> None:
    channel = _channel()
    response = _client(an_editor).post(f"/integrations/notifications/{channel.pk}/test/")
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.payload["channel"]) == ("notification.test", channel.pk)


def test_the_page_warns_when_no_smtp_server_is_configured(the_viewer: User, settings) -> None:
    settings.EMAIL_HOST = ""
    page = _client(the_viewer).get("/integrations/notifications/").content.decode()
    assert "Email cannot be sent:</strong> no SMTP server is configured" in page


def test_a_bad_target_is_refused_next_to_its_field_and_nothing_is_stored(
    an_editor: User,
) -> None:
    response = _client(an_editor).post(
        "/integrations/notifications/",
        {"name": "metadata", "kind": "webhook", "target": "http://169.254.169.254/"},
    )
    assert response.status_code == 400
    assert NotificationChannel.objects.count() == 0
    assert '<p class="error">' in response.content.decode()
