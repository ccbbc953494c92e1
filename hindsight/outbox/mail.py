"""Every email Hindsight sends, built one way (RFC 5322, 2046, 3834, 8058).

- multipart/alternative: the text as written, and the same text as HTML
  (escaped, links made clickable), so every client shows something readable;
- `Message-ID` on the domain of `HINDSIGHT_BASE_URL`, made from the outbox
  delivery id, so a retry of one message carries the same id (the id also
  goes out as `X-Hindsight-Delivery`);
- `Date`, and `Auto-Submitted: auto-generated` so auto-responders stay quiet;
- for lists (status-page subscribers), `List-Unsubscribe` with its one-click
  `List-Unsubscribe-Post` (RFC 8058): the POST unsubscribes, a plain GET of
  the same URL only shows a confirmation page.

Emails to people of this install (reminders, review requests, reports):
``enqueue_email`` writes one delivery per address in the caller's
transaction; the ``email`` sender sends it with Django's mail settings.
"""

from __future__ import annotations

from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import linebreaks, urlize

from hindsight.outbox import services
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender

SENDER = "email"


def message_id(delivery_id: str) -> str:
    """`<delivery id@base URL's host>`: the same for every attempt of one delivery."""
    domain = urlsplit(settings.BASE_URL).hostname or "localhost"
    return f"<{delivery_id}@{domain}>"


def as_html(text: str) -> str:
    """The plain text as a small HTML document: escaped, paragraphs kept, links clickable."""
    body = linebreaks(urlize(text, autoescape=True))
    return f'<!doctype html>\n<html><body style="font-family: sans-serif">{body}</body></html>\n'


def build_email(
    *,
    subject: str,
    text: str,
    to: list[str],
    delivery_id: str,
    unsubscribe_url: str = "",
) -> EmailMultiAlternatives:
    """One outgoing email, ready to send."""
    headers = {
        "Message-ID": message_id(delivery_id),
        "X-Hindsight-Delivery": delivery_id,
        "Date": formatdate(usegmt=True),
        "Auto-Submitted": "auto-generated",
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a line break in a header is an injection
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers,
    )
    email.attach_alternative(as_html(text), "text/html")
    return email


def enqueue_email(
    *, to: str, subject: str, body: str, event: str, attachment: tuple[str, str, str] | None = None
) -> Delivery:
    """Write one email to ``to`` in the current transaction (attachment: name, text, type)."""
    payload: dict[str, object] = {
        "to": to,
        "subject": " ".join(subject.split())[:200],
        "body": body,
    }
    if attachment is not None:
        payload["attachment"] = list(attachment)
    return services.enqueue(
        sender=SENDER, destination=f"email:{to.lower()}", label=to, event=event, payload=payload
    )


@register_sender(SENDER)
def send_email(delivery: Delivery) -> None:
    """Send one email through the configured SMTP server."""
    to = str(delivery.payload.get("to") or "")
    if "@" not in to:
        raise Undeliverable("The person has no email address")
    message = build_email(
        subject=str(delivery.payload.get("subject", "")),
        text=str(delivery.payload.get("body", "")),
        to=[to],
        delivery_id=str(delivery.pk),
    )
    attachment = delivery.payload.get("attachment")
    if attachment:
        name, text, kind = attachment
        message.attach(name, text, kind)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {to} failed: {exc}") from None
