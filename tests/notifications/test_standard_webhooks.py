"""Outgoing webhooks as the Standard Webhooks reference verifier and docs/notifications.md see them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hindsight.catalog.models import Service
from hindsight.incidents.services import declare_incident
from hindsight.integrations import signing
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due

pytestmark = pytest.mark.django_db

DOC = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text()
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _delivered(recorder, secret: str) -> dict:
    service = Service.objects.create(name="Checkout API", slug="checkout-api")
    NotificationChannel.objects.create(
        name="hook", kind="webhook", target=recorder.url + "/in", secret=secret
    )
    declare_incident(title="Checkout errors", severity="SEV2", services=[service])
    assert deliver_due() == (1, 0)
    return recorder.requests[-1]


def test_the_reference_verifier_accepts_a_delivered_webhook(recorder) -> None:
    request = _delivered(recorder, SECRET)

    payload = Webhook(SECRET).verify(request["body"], request["headers"])

    assert payload["incident"]["title"] == "Checkout errors"


def test_the_reference_verifier_refuses_an_altered_body(recorder) -> None:
    request = _delivered(recorder, SECRET)

    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(request["body"] + b" ", request["headers"])


def test_a_free_text_secret_verifies_in_its_shown_whsec_form(recorder) -> None:
    request = _delivered(recorder, "s3cret")

    shown = signing.shown("s3cret")

    assert shown == "whsec_czNjcmV0"
    assert Webhook(shown).verify(request["body"], request["headers"])["event"] == "incident.opened"


def test_the_webhook_id_is_the_delivery_id_on_every_retry(recorder) -> None:
    recorder.fail_next = 1
    service = Service.objects.create(name="Checkout API", slug="checkout-api")
    NotificationChannel.objects.create(
        name="hook", kind="webhook", target=recorder.url, secret=SECRET
    )
    declare_incident(title="Checkout errors", severity="SEV2", services=[service])
    now = timezone.now()
    assert deliver_due(now=now) == (0, 1)
    assert deliver_due(now=now + timedelta(minutes=1)) == (1, 0)

    first, retry = recorder.requests

    assert first["headers"]["webhook-id"] == retry["headers"]["webhook-id"]
    assert retry["headers"]["webhook-id"] == str(Delivery.objects.get().pk)
    assert Webhook(SECRET).verify(retry["body"], retry["headers"])


def test_the_deprecated_header_is_still_sent_with_the_same_key(recorder) -> None:
    request = _delivered(recorder, "s3cret")

    assert signing.verify("s3cret", request["headers"]["X-Hindsight-Signature"], request["body"])


def test_a_new_secret_is_shown_as_it_is_stored() -> None:
    secret = signing.new_secret()

    assert secret.startswith("whsec_")
    assert signing.shown(secret) == secret
    assert len(signing.signing_key(secret)) == 32


@pytest.mark.parametrize("which", ["standardwebhooks", "hashlib"])
def test_the_documented_verification_snippets_run_as_written(recorder, which: str) -> None:
    request = _delivered(recorder, SECRET)
    (snippet,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", DOC, re.S)
        if f"import {which}" in b or f"from {which}" in b or f" {which}," in b
    ]
    names = {"secret": SECRET, "body": request["body"], "headers": request["headers"]}

    exec(compile(snippet, "docs/notifications.md", "exec"), names)

    if which == "standardwebhooks":
        assert names["payload"]["incident"]["title"] == "Checkout errors"
    else:
        assert names["ok"] is True
