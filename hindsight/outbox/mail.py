"""Plain emails to people of this install (reminders, review requests, reports).

``enqueue_email`` writes one delivery per address in the caller's transaction;
the ``email`` sender sends it with Django's mail settings. The delivery's id
goes out as the ``X-Hindsight-Delivery`` header and in the Message-ID, so a
retried email can be told from a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from hindsight.outbox import services
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender

SENDER = "email"


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
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message = EmailMessage(
        subject=delivery.payload.get("subject", ""),
        body=delivery.payload.get("body", ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "X-Hindsight-Delivery": str(delivery.pk),
            "Message-ID": f"<{delivery.pk}@{domain}>",
        },
    )
    attachment = delivery.payload.get("attachment")
    if attachment:
        name, text, kind = attachment
        message.attach(name, text, kind)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {to} failed: {exc}") from None
