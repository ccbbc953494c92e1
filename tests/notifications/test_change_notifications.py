"""Severity, commander and public-update notifications: one delivery per matching
channel, each with its reason, a link and (until acknowledged) an acknowledge link;
routed by service and severity like the others; nothing for a change that changes nothing."""

from __future__ import annotations

import email

import pytest

from hindsight.catalog.models import Service
from hindsight.incidents import lifecycle
from hindsight.incidents.models import EventSource
from hindsight.incidents.services import declare_incident, open_or_attach
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.statuspage import services as statuspage

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout():
    return Service.objects.create(name="Checkout API", slug="checkout-api")


@pytest.fixture
def hook(recorder):
    return NotificationChannel.objects.create(name="hook", kind="webhook", target=recorder.url)


def _declare(checkout, severity="SEV3"):
    return declare_incident(title="Checkout errors", severity=severity, services=[checkout])


def _sent(recorder, event):
    deliver_due()
    return [r["json"] for r in recorder.requests if r["json"]["event"] == event]


def test_a_severity_change_says_old_new_and_who(recorder, hook, checkout, a_responder):
    incident = _declare(checkout)
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=a_responder)

    (sent,) = _sent(recorder, "incident.severity_changed")

    assert sent["reason"] == f"Severity SEV3 → SEV1 by {a_responder.display_name}"
    assert sent["incident"]["severity"] == "SEV1"
    assert sent["incident"]["url"].endswith(f"/incidents/{incident.pk}/")
    assert sent["incident"]["acknowledge_url"].endswith(f"/incidents/{incident.pk}/acknowledge/")


def test_the_same_severity_again_sends_nothing(recorder, hook, checkout, a_responder):
    incident = _declare(checkout)
    lifecycle.change_severity(incident=incident, severity="SEV3", actor=a_responder)

    assert not Delivery.objects.filter(event="incident.severity_changed").exists()


def test_a_commander_change_says_old_new_and_who(recorder, hook, checkout, a_responder, an_editor):
    incident = _declare(checkout)
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=an_editor)
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=an_editor)

    (sent,) = _sent(recorder, "incident.commander_changed")

    assert sent["reason"] == (
        f"Commander none → {a_responder.display_name} by {an_editor.display_name}"
    )
    assert sent["incident"]["url"].endswith(f"/incidents/{incident.pk}/")


def test_a_public_update_carries_its_text(recorder, hook, checkout, a_responder):
    incident = _declare(checkout)
    statuspage.post_update(
        incident=incident,
        status="identified",
        message="A bad deploy; rolling back.",
        actor=a_responder,
    )

    (sent,) = _sent(recorder, "incident.public_update")

    assert sent["reason"] == (
        f"Public update (identified) by {a_responder.display_name}: A bad deploy; rolling back."
    )
    assert sent["incident"]["url"].endswith(f"/incidents/{incident.pk}/")


def test_an_opened_notification_carries_the_checks_error(recorder, hook, checkout):
    open_or_attach(
        service=checkout,
        fingerprint="monitor:1",
        title="Checkout API is down",
        severity="SEV2",
        source=EventSource.MONITOR,
        text="Checkout API is down: HTTP 503 from https://shop.test/health",
    )

    (sent,) = _sent(recorder, "incident.opened")

    assert sent["reason"] == "Checkout API is down: HTTP 503 from https://shop.test/health"


def test_once_acknowledged_there_is_no_acknowledge_link(recorder, hook, checkout, a_responder):
    incident = _declare(checkout)
    lifecycle.acknowledge(incident=incident, actor=a_responder)
    lifecycle.change_severity(incident=incident, severity="SEV2", actor=a_responder)

    (sent,) = _sent(recorder, "incident.severity_changed")

    assert sent["incident"]["acknowledge_url"] == ""


def test_each_event_reaches_each_matching_channel_once(recorder, checkout, a_responder):
    for name in ("one", "two"):
        NotificationChannel.objects.create(name=name, kind="webhook", target=recorder.url)
    incident = _declare(checkout)
    lifecycle.change_severity(incident=incident, severity="SEV2", actor=a_responder)
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=a_responder)
    statuspage.post_update(incident=incident, status="identified", message="Found it.")

    events = sorted(Delivery.objects.values_list("event", flat=True))

    assert events == sorted(
        [
            *["incident.opened"] * 2,
            *["incident.severity_changed"] * 2,
            *["incident.commander_changed"] * 2,
            *["incident.public_update"] * 2,
        ]
    )


def test_changes_are_routed_by_service(recorder, checkout, a_responder):
    search = Service.objects.create(name="Search", slug="search")
    only_search = NotificationChannel.objects.create(
        name="search team", kind="webhook", target=recorder.url
    )
    only_search.services.add(search)
    incident = _declare(checkout)
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=a_responder)
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=a_responder)
    statuspage.post_update(incident=incident, status="identified", message="Found it.")

    assert Delivery.objects.count() == 0


def test_severity_routing_hears_changes_into_and_out_of_its_severities(
    recorder, checkout, a_responder
):
    NotificationChannel.objects.create(
        name="sev1 only", kind="webhook", target=recorder.url, severities=["SEV1"]
    )
    incident = _declare(checkout, severity="SEV3")
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=a_responder)
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=a_responder)
    statuspage.post_update(
        incident=incident, status="identified", message="Found it.", actor=a_responder
    )
    lifecycle.change_severity(incident=incident, severity="SEV2", actor=a_responder)
    lifecycle.change_commander(incident=incident, commander=None, actor=a_responder)

    reasons = sorted(d.payload["message"]["reason"] for d in Delivery.objects.all())

    # SEV3: neither opened nor the first commander change; SEV1: everything,
    # including the change back down to SEV2; SEV2: nothing more.
    by = a_responder.display_name
    assert reasons == [
        f"Public update (identified) by {by}: Found it.",
        f"Severity SEV1 → SEV2 by {by}",
        f"Severity SEV3 → SEV1 by {by}",
    ]


def test_slack_teams_and_email_carry_the_reason_and_the_acknowledge_link(
    recorder, smtp_server, checkout, a_responder
):
    NotificationChannel.objects.create(name="slack", kind="slack", target=recorder.url + "/slack")
    NotificationChannel.objects.create(name="teams", kind="teams", target=recorder.url + "/teams")
    NotificationChannel.objects.create(name="mail", kind="email", target="oncall@example.com")
    incident = _declare(checkout)
    Delivery.objects.all().delete()
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=a_responder)
    assert deliver_due() == (3, 0)
    ack = f"/incidents/{incident.pk}/acknowledge/"
    reason = f"Severity SEV3 → SEV1 by {a_responder.display_name}"

    by_path = {r["path"]: r["json"] for r in recorder.requests}
    slack, teams = by_path["/slack"], by_path["/teams"]
    mail = email.message_from_bytes(smtp_server.messages[0].content)
    text = mail.get_payload(0).get_payload(decode=True).decode()

    assert slack["text"].startswith(f"[SEV1] Incident #{incident.pk} severity changed:")
    assert f"{ack}|acknowledge>" in slack["text"]
    assert slack["attachments"][0]["text"].startswith(reason)
    assert teams["sections"][0]["text"].startswith(reason)
    assert [a["name"] for a in teams["potentialAction"]] == ["Open in Hindsight", "Acknowledge"]
    assert teams["potentialAction"][1]["targets"][0]["uri"].endswith(ack)
    assert mail["Subject"] == f"[SEV1] Incident #{incident.pk} severity changed: Checkout errors"
    assert reason in text
    assert "Acknowledge: http" in text and text.rstrip().endswith(ack)


def test_the_acknowledge_link_opens_a_confirmation_that_writes_nothing(
    client, checkout, a_responder
):
    incident = _declare(checkout)
    client.force_login(a_responder)

    page = client.get(f"/incidents/{incident.pk}/acknowledge/")

    incident.refresh_from_db()
    assert page.status_code == 200
    assert b'<button type="submit" class="primary" autofocus>Acknowledge</button>' in page.content
    assert incident.acknowledged_at is None


def test_the_confirmation_button_acknowledges_as_the_signed_in_responder(
    client, checkout, a_responder
):
    incident = _declare(checkout)
    client.force_login(a_responder)

    client.post(f"/incidents/{incident.pk}/acknowledge/")

    incident.refresh_from_db()
    assert incident.acknowledged_at is not None
    assert incident.events.filter(text=f"Acknowledged by {a_responder.display_name}").exists()


def test_the_acknowledge_link_asks_a_signed_out_reader_to_sign_in(client, checkout):
    incident = _declare(checkout)

    page = client.get(f"/incidents/{incident.pk}/acknowledge/")

    assert page.status_code == 302
    assert page["Location"] == f"/accounts/login/?next=/incidents/{incident.pk}/acknowledge/"
