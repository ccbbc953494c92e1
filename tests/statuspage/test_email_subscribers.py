"""Email subscribers over real SMTP (aiosmtpd): double opt-in, updates, one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.statuspage import services, subscribers
from hindsight.statuspage.models import Subscriber


def subscribe(
    email: str, *, ip: str = "10.0.0.1", components=(), slug: str = ""
) -> tuple[int, str]:
    path = f"/status/{slug + '/' if slug else ''}subscribe/"
    response = Client(REMOTE_ADDR=ip).post(path, {"email": email, "components": list(components)})
    return response.status_code, response.content.decode()


def link(message, kind: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"(http://\S+/status/subscriptions/{kind}/\S+/)", text)[1]


def test_the_whole_flow_confirm_update_unsubscribe(an_incident, checkout, smtp_server):
    status, body = subscribe("Reader@Example.COM")
    assert status == 200
    assert subscribers.SUBSCRIBE_NOTICE in body
    assert deliver_due() == (1, 0)
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "Reader@example.com"
    assert confirmation["Subject"] == "Confirm your subscription to Acme status"
    unsubscribe_url = link(confirmation, "unsubscribe")
    assert confirmation["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Nothing is sent before the address is confirmed.
    services.post_update(
        incident=an_incident,
        status="investigating",
        message="Looking",
        components={checkout: "partial_outage"},
    )
    assert deliver_due() == (0, 0)

    confirm_path = link(confirmation, "confirm").split("8000", 1)[1]
    assert "Confirm subscription</button>" in Client().get(confirm_path).content.decode()
    response = Client().post(confirm_path)
    assert response.status_code == 200
    assert "Subscription confirmed" in response.content.decode()

    services.post_update(
        incident=an_incident, status="identified", message="Bad deploy; rolling back"
    )
    assert deliver_due() == (1, 0)
    update_mail = smtp_server.messages[-1]
    assert update_mail["Subject"] == "[Acme status] Checkout errors - Identified"
    text = update_mail.get_body(preferencelist=("plain",)).get_content()
    assert "Identified: Bad deploy; rolling back" in text
    assert f"Unsubscribe with one click: {link(update_mail, 'unsubscribe')}" in text
    assert update_mail["List-Unsubscribe"].strip() == f"<{link(update_mail, 'unsubscribe')}>"

    response = Client().post(link(update_mail, "unsubscribe").split("8000", 1)[1])
    assert response.status_code == 200
    assert "You will not get any more email" in response.content.decode()
    assert not Subscriber.objects.exists()
    services.post_update(incident=an_incident, status="resolved", message="Fixed")
    assert deliver_due() == (0, 0)
    assert len(smtp_server.messages) == 2


def test_one_click_unsubscribe_by_post_needs_no_csrf_token(a_page):
    subscriber = Subscriber.objects.create(page=a_page, kind="email", email="a@b.test")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/status/subscriptions/unsubscribe/{subscriber.unsubscribe_token}/",
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "&#x27;not-an-email&#x27; is not a valid email address"),
        ("", "Enter your email address."),
        ("a@b@c.test", "is not a valid email address"),
        ("<script>@x.test", "&lt;script&gt;@x.test"),
    ],
)
def test_invalid_addresses_get_a_clear_message(a_page, email, message):
    status, body = subscribe(email)
    assert status == 400
    assert message in body
    assert not Subscriber.objects.exists()


def test_no_enumeration_same_answer_for_known_addresses(a_page, smtp_server):
    def main(answer: tuple[int, str]) -> tuple[int, str]:
        status, body = answer  # the footer's "generated at" time may differ
        return status, body[body.index("<main") : body.index("</main>")]

    first = main(subscribe("known@example.com", ip="10.0.0.2"))
    Subscriber.objects.update(confirmed_at="2026-01-01T00:00:00Z")
    again = main(subscribe("known@example.com", ip="10.0.0.3"))
    fresh = main(subscribe("new@example.com", ip="10.0.0.4"))
    assert first == again == fresh
    assert subscribers.SUBSCRIBE_NOTICE.replace("'", "&#x27;") in first[1]
    # A confirmed subscriber gets no second confirmation email.
    known = Delivery.objects.filter(destination__label__startswith="known@example.com")
    assert known.count() == 1


def test_floods_are_rate_limited_per_address(a_page):
    for n in range(5):
        assert subscribe(f"person{n}@example.com", ip="10.9.9.9")[0] == 200
    status, body = subscribe("person6@example.com", ip="10.9.9.9")
    assert status == 429
    assert "Too many sign-ups from your network" in body
    assert subscribe("other@example.com", ip="10.9.9.10")[0] == 200
    assert Subscriber.objects.count() == 6


def test_floods_are_rate_limited_per_page(a_page, monkeypatch):
    monkeypatch.setattr(subscribers, "PER_PAGE_LIMIT", (3, subscribers.PER_PAGE_LIMIT[1]))
    for n in range(3):
        assert subscribe(f"p{n}@example.com", ip=f"10.1.0.{n}")[0] == 200
    status, body = subscribe("p9@example.com", ip="10.1.0.99")
    assert status == 429
    assert "Too many sign-ups right now" in body


def test_component_subscriptions_only_get_their_components(
    an_incident, checkout, a_page, smtp_server
):
    search = a_page.components.get(name="Search")
    subscribe("checkout-only@example.com", components=[checkout.pk])
    subscribe("search-only@example.com", components=[search.pk], ip="10.0.0.5")
    subscribe("everything@example.com", ip="10.0.0.6")
    Subscriber.objects.update(confirmed_at="2026-01-01T00:00:00Z")
    Delivery.objects.all().delete()
    services.post_update(
        incident=an_incident,
        status="investigating",
        message="Checkout down",
        components={checkout: "major_outage"},
    )
    deliver_due()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "checkout-only@example.com",
        "everything@example.com",
    ]


def test_an_smtp_failure_is_retried_later(an_incident, a_page, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    subscribe("later@example.com")
    now = timezone.now()
    assert deliver_due(now=now) == (0, 1)
    pending = Delivery.objects.get()
    assert (pending.state, pending.attempts) == ("pending", 1)
    assert timedelta(seconds=22) <= pending.next_attempt_at - now <= timedelta(seconds=38)
    assert "refused" in pending.last_error.lower() or pending.last_error


def test_scheduled_maintenance_is_announced(a_page, checkout, smtp_server):
    from datetime import UTC, datetime

    from django.utils import timezone as dj_timezone

    a_page.time_zone = "Europe/Berlin"
    a_page.save()
    Subscriber.objects.create(
        page=a_page, kind="email", email="ops@example.com", confirmed_at=dj_timezone.now()
    )
    services.schedule_maintenance(
        page=a_page,
        title="Database upgrade",
        body="Checkout may be read-only.",
        starts_at=datetime(2030, 1, 5, 22, 0, tzinfo=UTC),
        ends_at=datetime(2030, 1, 5, 23, 0, tzinfo=UTC),
        components=[checkout],
    )
    assert deliver_due() == (1, 0)
    [mail] = smtp_server.messages
    assert mail["Subject"] == "[Acme status] Scheduled maintenance: Database upgrade"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "From 2030-01-05 23:00 to 2030-01-06 00:00 (Europe/Berlin)." in text
    assert "Affects: Checkout" in text
    assert "Unsubscribe with one click:" in text


def test_a_title_with_line_breaks_cannot_inject_headers(an_incident, checkout, a_page, smtp_server):
    from django.utils import timezone as dj_timezone

    Subscriber.objects.create(
        page=a_page, kind="email", email="ops@example.com", confirmed_at=dj_timezone.now()
    )
    an_incident.title = "Outage\r\nBcc: victim@example.com"
    an_incident.save()
    services.post_update(
        incident=an_incident,
        status="identified",
        message="x",
        components={checkout: "major_outage"},
    )
    assert deliver_due() == (1, 0)
    [mail] = smtp_server.messages
    assert mail["Subject"] == "[Acme status] Outage Bcc: victim@example.com - Identified"
    assert mail["Bcc"] is None


def test_smtp_outages_never_disable_email_subscribers(an_incident, a_page, settings):
    from datetime import timedelta

    from django.utils import timezone as dj_timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    reader = Subscriber.objects.create(
        page=a_page, kind="email", email="r@example.com", confirmed_at=dj_timezone.now()
    )
    for n in range(3):
        services.post_update(incident=an_incident, status="identified", message=f"update {n}")
    moment = dj_timezone.now()
    for _ in range(8):
        moment += timedelta(hours=2)
        deliver_due(now=moment)
    reader.refresh_from_db()
    assert reader.disabled_at is None
    # The oldest was tried every time and given up; the others wait their turn, in order.
    states = list(Delivery.objects.order_by("created_at").values_list("state", "attempts"))
    assert states == [("dead", 8), ("pending", 0), ("pending", 0)]
