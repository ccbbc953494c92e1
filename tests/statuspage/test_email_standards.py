"""Subscriber email as mail providers and RFC 8058 expect it, over real SMTP (aiosmtpd)."""

from __future__ import annotations

import re
import subprocess
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.statuspage import services
from hindsight.statuspage.models import Subscriber

from ..system import require_command


@pytest.fixture
def a_reader(a_page: Any) -> Subscriber:
    reader = Subscriber.objects.create(
        page=a_page, kind="email", email="reader@example.com", confirmed_at=timezone.now()
    )
    return reader


@pytest.fixture
def update_mail(
    an_incident: Any, a_reader: Subscriber, smtp_server: Any, settings: Any
) -> EmailMessage:
    settings.BASE_URL = "https://status.acme.test"
    services.post_update(incident=an_incident, status="identified", message="Rolling back <v42>")
    assert deliver_due() == (1, 0)
    (mail,) = smtp_server.messages
    return mail  # type: ignore[no-any-return]


def _unsubscribe_path(mail: EmailMessage) -> str:
    url = re.fullmatch(r"<(.+)>", str(mail["List-Unsubscribe"]).strip())[1]  # type: ignore[index]
    return "/" + url.split("/", 3)[3]


def test_it_is_multipart_text_and_html(update_mail: EmailMessage) -> None:
    plain = update_mail.get_body(preferencelist=("plain",))
    html = update_mail.get_body(preferencelist=("html",))

    assert update_mail.get_content_type() == "multipart/alternative"
    assert "Identified: Rolling back <v42>" in plain.get_content()  # type: ignore[union-attr]
    assert "Identified: Rolling back &lt;v42&gt;" in html.get_content()  # type: ignore[union-attr]
    assert (
        '<a href="https://status.acme.test/status/subscriptions/unsubscribe/' in html.get_content()
    )  # type: ignore[union-attr]


def test_the_message_id_is_on_the_base_urls_domain_and_is_the_delivery_id(
    update_mail: EmailMessage,
) -> None:
    delivery = Delivery.objects.get()

    assert update_mail["Message-ID"] == f"<{delivery.pk}@status.acme.test>"


def test_it_carries_date_and_auto_submitted(update_mail: EmailMessage) -> None:
    sent = parsedate_to_datetime(str(update_mail["Date"]))

    assert abs((timezone.now() - sent).total_seconds()) < 3600
    assert update_mail["Auto-Submitted"] == "auto-generated"
    assert update_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_get_of_the_unsubscribe_link_shows_a_confirmation_and_keeps_the_subscriber(
    update_mail: EmailMessage, a_reader: Subscriber
) -> None:
    page = Client().get(_unsubscribe_path(update_mail))

    assert page.status_code == 200
    assert "Unsubscribe</button>" in page.content.decode()
    assert Subscriber.objects.filter(pk=a_reader.pk).exists()


def test_the_one_click_post_unsubscribes(update_mail: EmailMessage, a_reader: Subscriber) -> None:
    # What mail providers send (RFC 8058 §3.2): a POST with this body and no cookies.
    answer = Client(enforce_csrf_checks=True).post(
        _unsubscribe_path(update_mail),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert not Subscriber.objects.filter(pk=a_reader.pk).exists()


def test_the_confirmation_email_is_multipart_with_the_same_headers(
    a_page: Any, smtp_server: Any
) -> None:
    Client(REMOTE_ADDR="10.0.0.9").post("/status/subscribe/", {"email": "new@example.com"})
    assert deliver_due() == (1, 0)

    (mail,) = smtp_server.messages

    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert str(mail["Message-ID"]).endswith("@127.0.0.1>")  # the default HINDSIGHT_BASE_URL


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_documented_one_click_curl_unsubscribes(a_reader: Subscriber, live_server: Any) -> None:
    curl = require_command("curl", "curl")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "statuspage.md").read_text()
    (command,) = re.findall(r"^curl -X POST .*unsubscribe.*$", doc, re.M)
    command = command.replace("https://status.example.com", live_server.url)
    command = command.replace("<token>", a_reader.unsubscribe_token)

    subprocess.run([curl, *command.split()[1:]], check=True, capture_output=True)

    assert not Subscriber.objects.filter(pk=a_reader.pk).exists()
