"""Subscribers: email double opt-in, one-click unsubscribe, signed webhooks.

Every message to a subscriber is an outbox delivery (``hindsight.outbox``),
written in the same transaction as the update it announces and sent by the
worker through the ``subscriber`` sender below, with the outbox's retries.
A webhook subscriber whose delivery is given up (a dead letter) is disabled.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from hindsight import egress
from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.incidents.signals import postmortem_published_for_customers
from hindsight.integrations import signing
from hindsight.integrations.notifiers import post_json
from hindsight.outbox import services as outbox
from hindsight.outbox.mail import build_email
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender
from hindsight.statuspage import content, v2
from hindsight.statuspage.content import affected_components
from hindsight.statuspage.models import (
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    SubscribeAttempt,
    Subscriber,
    SubscriberKind,
)
from hindsight.statuspage.publishing import schedule_publish, withdraw
from hindsight.statuspage.render import page_zone

log = logging.getLogger(__name__)

PER_CLIENT_LIMIT = (5, timedelta(minutes=10))
PER_PAGE_LIMIT = (200, timedelta(hours=1))
WEBHOOK_TIMEOUT = 10.0
SENDER = "subscriber"
SUBSCRIBE_NOTICE = (
    "Thanks. If this address is not subscribed yet, a confirmation link is on its way; "
    "nothing is sent until you click it."
)


class SubscribeError(ValueError):
    """The sign-up was refused; the message says why and is safe to show."""


class RateLimited(SubscribeError):
    """Too many sign-ups from one address or for one page."""


@dataclass(frozen=True)
class Links:
    confirm: str
    unsubscribe: str


def links(subscriber: Subscriber) -> Links:
    base = settings.BASE_URL.rstrip("/")
    return Links(
        confirm=f"{base}/status/subscriptions/confirm/{subscriber.confirm_token}/",
        unsubscribe=f"{base}/status/subscriptions/unsubscribe/{subscriber.unsubscribe_token}/",
    )


def normalise_email(raw: str) -> str:
    """Return the address with its domain lower-cased, or raise SubscribeError."""
    email = raw.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise SubscribeError(
            f"{email!r} is not a valid email address; check it and try again."
            if email
            else "Enter your email address."
        ) from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def subscribe_email(
    *, page: StatusPage, email: str, component_ids: Iterable[int] = (), client: str
) -> str:
    """Start an email subscription (double opt-in); return the notice to show.

    The notice is the same whether or not the address is already subscribed,
    so the form cannot be used to find out who is.
    """
    now = timezone.now()
    client_key = hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()
    limit, window = PER_CLIENT_LIMIT
    if (
        SubscribeAttempt.objects.filter(client=client_key, created_at__gte=now - window).count()
        >= limit
    ):
        raise RateLimited("Too many sign-ups from your network; try again in a few minutes.")
    limit, window = PER_PAGE_LIMIT
    if SubscribeAttempt.objects.filter(page=page, created_at__gte=now - window).count() >= limit:
        raise RateLimited("Too many sign-ups right now; try again in an hour.")
    SubscribeAttempt.objects.create(page=page, client=client_key, created_at=now)
    SubscribeAttempt.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    address = normalise_email(email)
    components = list(page.components.filter(pk__in=list(component_ids)))
    with transaction.atomic():
        subscriber, created = Subscriber.objects.get_or_create(
            page=page,
            kind=SubscriberKind.EMAIL,
            email__iexact=address,
            defaults={"email": address},
        )
        if created:
            subscriber.components.set(components)
        if subscriber.confirmed_at is None:
            _queue(subscriber, *confirmation_message(subscriber))
    return SUBSCRIBE_NOTICE


def confirmation_message(subscriber: Subscriber) -> tuple[str, str]:
    page, url = subscriber.page, links(subscriber)
    body = (
        f"Someone (hopefully you) asked for email updates from {page.title}.\n\n"
        f"Confirm the subscription:\n{url.confirm}\n\n"
        "If you did not ask for this, ignore this email and nothing more will be sent."
    )
    return f"Confirm your subscription to {page.title}", body


def confirm(*, token: str) -> Subscriber | None:
    """Confirm a pending subscription by its token; None if the token is unknown."""
    subscriber = Subscriber.objects.select_related("page").filter(confirm_token=token).first()
    if subscriber is not None and subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
        log.info("Subscriber %s confirmed", subscriber.pk)
    return subscriber


def unsubscribe(*, token: str) -> StatusPage | None:
    """Remove the subscriber with this token; return its page (None if unknown)."""
    subscriber = Subscriber.objects.select_related("page").filter(unsubscribe_token=token).first()
    if subscriber is None:
        return None
    page = subscriber.page
    subscriber.delete()
    log.info("Subscriber removed from page %s", page.slug)
    return page


def add_webhook_subscriber(
    *, page: StatusPage, url: str, components: Iterable[Component] = ()
) -> Subscriber:
    """Add a webhook subscriber (admins only: a public form would let anyone make
    this server call internal addresses)."""
    if not url.startswith(("https://", "http://")):
        raise SubscribeError("A webhook URL must start with https:// or http://")
    refused = egress.refusal(url)
    if refused:
        raise SubscribeError(f"Hindsight will not send to this URL: {refused}")
    subscriber = Subscriber.objects.create(
        page=page,
        kind=SubscriberKind.WEBHOOK,
        webhook_url=url,
        webhook_secret=signing.new_secret(),
        confirmed_at=timezone.now(),
    )
    subscriber.components.set(list(components))
    return subscriber


def queue_update_notifications(*, update: StatusUpdate) -> int:
    """Queue the update for every confirmed subscriber of every page showing it."""
    incident = update.incident
    # An update naming no component is about what the incident already touched.
    touched = {row.component_id for row in update.components.all()} or {
        c.pk for c in affected_components(incident)
    }
    queued = 0
    for page in StatusPage.objects.all():
        if not content.public_incidents(page).filter(pk=incident.pk).exists():
            continue
        subject, body = _update_email(page, update)
        payload = _webhook_payload(page, update)
        subscribers = page.subscribers.filter(confirmed_at__isnull=False, disabled_at__isnull=True)
        for subscriber in subscribers.prefetch_related("components"):
            wanted = {c.pk for c in subscriber.components.all()}
            if wanted and not wanted & touched:
                continue
            if subscriber.kind == SubscriberKind.WEBHOOK:
                meta = {**payload["meta"], "unsubscribe": links(subscriber).unsubscribe}
                _queue(subscriber, subject, body, {**payload, "meta": meta})
            else:
                _queue(subscriber, subject, body)
            queued += 1
    return queued


def queue_postmortem_notifications(*, incident: Incident, title: str) -> int:
    """Tell every confirmed subscriber of every page showing the incident that its
    post-mortem is published (email: a note and the link; webhooks: the incident)."""
    queued = 0
    for page in StatusPage.objects.all():
        public = content.public_incidents(page).filter(pk=incident.pk).first()
        if public is None:
            continue
        url = f"{content.page_url(page)}incidents/{incident.pk}/"
        subject = f"[{page.title}] {incident.title} - Post-mortem published"
        body = "\n".join(
            [
                incident.title,
                "We have published our post-mortem: what happened, why, and what we are "
                "changing so it does not happen again.",
                "",
                f"Read it: {url}",
            ]
        )
        touched = {c.pk for c in affected_components(incident)}
        subscribers = page.subscribers.filter(confirmed_at__isnull=False, disabled_at__isnull=True)
        for subscriber in subscribers.prefetch_related("components"):
            wanted = {c.pk for c in subscriber.components.all()}
            if wanted and touched and not wanted & touched:
                continue
            if subscriber.kind == SubscriberKind.WEBHOOK:
                payload: dict[str, Any] = {
                    "meta": {
                        "unsubscribe": links(subscriber).unsubscribe,
                        "generated_at": v2.stamp(timezone.now()),
                    },
                    "page": {"id": page.slug},
                    "incident": {"id": str(incident.pk), "name": incident.title},
                    "postmortem": {"title": title, "url": url},
                }
                _queue(subscriber, subject, body, payload)
            else:
                _queue(subscriber, subject, body)
            queued += 1
    return queued


@receiver(postmortem_published_for_customers)
def _postmortem_published(
    sender: Any, incident: Incident, title: str = "", first: bool = False, **kwargs: Any
) -> None:
    """Show the new text at once; tell subscribers about the first publication only."""
    withdraw(incident_ids={incident.pk})
    schedule_publish(incident_ids={incident.pk})
    if first:
        queue_postmortem_notifications(incident=incident, title=title)


def queue_maintenance_notifications(*, maintenance: ScheduledMaintenance) -> int:
    """Announce a maintenance window to the page's confirmed subscribers."""
    page = maintenance.page
    touched = {c.pk for c in maintenance.components.all()}
    zone = page_zone(page)
    start, end = maintenance.starts_at.astimezone(zone), maintenance.ends_at.astimezone(zone)
    lines = [
        f"Scheduled maintenance: {maintenance.title}",
        f"From {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({zone}).",
    ]
    if maintenance.body:
        lines += ["", maintenance.body]
    if touched:
        names = ", ".join(c.name for c in maintenance.components.all())
        lines += ["", f"Affects: {names}"]
    lines += ["", f"Details: {content.page_url(page)}"]
    subject = f"[{page.title}] Scheduled maintenance: {maintenance.title}"
    documents = v2.Documents(page)
    payload: dict[str, Any] = {
        "meta": {"unsubscribe": "", "generated_at": v2.stamp(timezone.now())},
        "page": {
            "id": page.slug,
            "status_indicator": documents.status_doc["indicator"],
            "status_description": documents.status_doc["description"],
        },
        "incident": v2.maintenance_json(page, maintenance),
    }
    queued = 0
    subscribers = page.subscribers.filter(confirmed_at__isnull=False, disabled_at__isnull=True)
    for subscriber in subscribers.prefetch_related("components"):
        wanted = {c.pk for c in subscriber.components.all()}
        if wanted and touched and not wanted & touched:
            continue
        meta = {**payload["meta"], "unsubscribe": links(subscriber).unsubscribe}
        _queue(subscriber, subject, "\n".join(lines), {**payload, "meta": meta})
        queued += 1
    return queued


def _update_email(page: StatusPage, update: StatusUpdate) -> tuple[str, str]:
    incident = update.incident
    status = update.get_status_display()
    lines = [f"{incident.shown_title}", f"{status}: {update.message}", ""]
    rows = list(update.components.select_related("component"))
    if rows:
        lines.append(
            "Affected: "
            + ", ".join(f"{r.component.name} ({r.get_status_display().lower()})" for r in rows)
        )
        lines.append("")
    lines.append(f"Details: {content.page_url(page)}incidents/{incident.pk}/")
    return f"[{page.title}] {incident.shown_title} - {status}", "\n".join(lines)


def _webhook_payload(page: StatusPage, update: StatusUpdate) -> dict[str, Any]:
    """Statuspage's webhook shape; each subscriber's unsubscribe link is added per copy."""
    documents = v2.Documents(page)
    incident = content.public_incidents(page).get(pk=update.incident_id)
    return {
        "meta": {
            "unsubscribe": "",
            "documentation": f"{settings.BASE_URL.rstrip('/')}/status/",
            "generated_at": v2.stamp(timezone.now()),
        },
        "page": {
            "id": page.slug,
            "status_indicator": documents.status_doc["indicator"],
            "status_description": documents.status_doc["description"],
        },
        "incident": v2.incident_json(page, incident),
    }


def destination(subscriber: Subscriber) -> str:
    """The outbox destination of a subscriber."""
    return f"subscriber:{subscriber.pk}"


def _queue(
    subscriber: Subscriber, subject: str, body: str, payload: dict[str, object] | None = None
) -> None:
    # Titles come from people and the API; a line break would be a header injection.
    subject = " ".join(subject.split())[:300]
    where = subscriber.email or subscriber.webhook_url
    outbox.enqueue(
        sender=SENDER,
        destination=destination(subscriber),
        label=f"{where} (subscriber of {subscriber.page.title})",
        event="statuspage.webhook" if payload else "statuspage.email",
        payload={"subscriber": subscriber.pk, "subject": subject, "body": body, "json": payload},
    )


def _disable(delivery: Delivery) -> None:
    """A webhook that failed every attempt is switched off, with its waiting deliveries.

    Email is never switched off this way: an SMTP failure is usually our
    mail server, not the reader's address.
    """
    subscriber = Subscriber.objects.filter(pk=delivery.payload.get("subscriber")).first()
    if subscriber is None or subscriber.kind != SubscriberKind.WEBHOOK:
        return
    Subscriber.objects.filter(pk=subscriber.pk).update(disabled_at=timezone.now())
    outbox.drop_pending(destination=destination(subscriber), reason="The subscriber was disabled")
    log.warning("Webhook subscriber %s disabled after a delivery was given up", subscriber.pk)


@register_sender(SENDER, on_dead=_disable)
def send(delivery: Delivery) -> None:
    """Send one message to a subscriber: a signed webhook or an email."""
    subscriber = (
        Subscriber.objects.select_related("page")
        .filter(pk=delivery.payload.get("subscriber"))
        .first()
    )
    if subscriber is None:
        raise Undeliverable("The subscriber unsubscribed")
    if subscriber.disabled_at is not None:
        raise Undeliverable("The subscriber is disabled")
    if subscriber.kind == SubscriberKind.WEBHOOK:
        _post_webhook(subscriber, delivery.payload.get("json") or {}, str(delivery.pk))
        return
    unsubscribe_url = links(subscriber).unsubscribe
    body = f"{delivery.payload['body']}\n\n--\nUnsubscribe with one click: {unsubscribe_url}\n"
    message = build_email(
        subject=delivery.payload["subject"],
        text=body,
        to=[subscriber.email],
        delivery_id=str(delivery.pk),
        unsubscribe_url=unsubscribe_url,
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {subscriber.email} failed: {exc}") from None


def _post_webhook(subscriber: Subscriber, payload: dict[str, object], delivery_id: str) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    signed = signing.headers(secret=subscriber.webhook_secret, delivery_id=delivery_id, body=body)
    post_json(
        subscriber.webhook_url,
        body,
        {"User-Agent": "Hindsight-Statuspage/1", **signed},
        timeout=WEBHOOK_TIMEOUT,
    )
