"""Subscribers: email double opt-in, one-click unsubscribe, signed webhooks, the outbox.

Every message is first a ``Notification`` row (the outbox), written in the
same transaction as the update it announces; ``deliver_due`` sends what is
due, retries failures with backoff and disables a subscriber whose address
keeps failing. Several processes may deliver at once: each claims a row
with a conditional UPDATE before sending it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from hindsight import egress
from hindsight.catalog.models import Component
from hindsight.integrations.notifiers import post_json
from hindsight.integrations.signing import sign
from hindsight.statuspage import content, v2
from hindsight.statuspage.models import (
    Notification,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    SubscribeAttempt,
    Subscriber,
    SubscriberKind,
)
from hindsight.statuspage.render import page_zone

log = logging.getLogger(__name__)

PER_CLIENT_LIMIT = (5, timedelta(minutes=10))
PER_PAGE_LIMIT = (200, timedelta(hours=1))
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = 5
DISABLE_AFTER_FAILURES = 10
CLAIM_FOR = timedelta(minutes=2)
WEBHOOK_TIMEOUT = 10.0
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
        page=page, kind=SubscriberKind.WEBHOOK, webhook_url=url, confirmed_at=timezone.now()
    )
    subscriber.components.set(list(components))
    return subscriber


def queue_update_notifications(*, update: StatusUpdate) -> int:
    """Queue the update for every confirmed subscriber of every page showing it."""
    incident = update.incident
    from hindsight.statuspage.services import affected_components

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
    lines = [f"{incident.title}", f"{status}: {update.message}", ""]
    rows = list(update.components.select_related("component"))
    if rows:
        lines.append(
            "Affected: "
            + ", ".join(f"{r.component.name} ({r.get_status_display().lower()})" for r in rows)
        )
        lines.append("")
    lines.append(f"Details: {content.page_url(page)}incidents/{incident.pk}/")
    return f"[{page.title}] {incident.title} - {status}", "\n".join(lines)


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


def _queue(
    subscriber: Subscriber, subject: str, body: str, payload: dict[str, object] | None = None
) -> None:
    # Titles come from people and the API; a line break would be a header injection.
    subject = " ".join(subject.split())[:300]
    Notification.objects.create(
        subscriber=subscriber, subject=subject, body=body, payload=payload or {}
    )
    transaction.on_commit(kick_delivery)


def kick_delivery() -> None:
    """Deliver due notifications in a background thread, off the request path."""

    def run() -> None:
        try:
            deliver_due()
        except Exception:
            log.exception("Delivering status page notifications failed")
        finally:
            close_old_connections()

    threading.Thread(target=run, name="statuspage-delivery", daemon=True).start()


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Send due notifications; return (delivered, failed attempts)."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        delivered_at=None,
        failed_at=None,
        next_attempt_at__lte=now,
        subscriber__disabled_at=None,
    ).select_related("subscriber", "subscriber__page")[:limit]
    delivered = failed = 0
    for notification in due:
        claimed = Notification.objects.filter(
            pk=notification.pk, next_attempt_at=notification.next_attempt_at, delivered_at=None
        ).update(next_attempt_at=now + CLAIM_FOR)
        if not claimed:
            continue
        try:
            _send(notification)
        except Exception as exc:  # any transport failure is retried later
            failed += 1
            _record_failure(notification, str(exc) or exc.__class__.__name__, now)
        else:
            delivered += 1
            Notification.objects.filter(pk=notification.pk).update(
                delivered_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
            Subscriber.objects.filter(pk=notification.subscriber_id).update(failures=0)
    return delivered, failed


def _record_failure(notification: Notification, error: str, now: datetime) -> None:
    attempts = notification.attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    Notification.objects.filter(pk=notification.pk).update(
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=now + delay,
        failed_at=now if give_up else None,
    )
    subscriber = notification.subscriber
    log.warning(
        "Notification %s to subscriber %s failed (attempt %s): %s",
        notification.pk,
        subscriber.pk,
        attempts,
        error[:200],
    )
    if subscriber.kind != SubscriberKind.WEBHOOK:
        # An SMTP failure is usually ours (server down), not the reader's:
        # never disable every email subscriber because the mail server was out.
        return
    Subscriber.objects.filter(pk=subscriber.pk).update(failures=F("failures") + 1)
    subscriber.refresh_from_db(fields=["failures"])
    if subscriber.failures >= DISABLE_AFTER_FAILURES:
        Subscriber.objects.filter(pk=subscriber.pk).update(disabled_at=now)
        Notification.objects.filter(
            subscriber=subscriber, delivered_at=None, failed_at=None
        ).update(failed_at=now)
        log.warning(
            "Subscriber %s disabled after %s failed deliveries", subscriber.pk, subscriber.failures
        )


def _send(notification: Notification) -> None:
    subscriber = notification.subscriber
    if subscriber.kind == SubscriberKind.WEBHOOK:
        _post_webhook(subscriber, notification.payload)
        return
    unsubscribe_url = links(subscriber).unsubscribe
    body = f"{notification.body}\n\n--\nUnsubscribe with one click: {unsubscribe_url}\n"
    EmailMessage(
        subject=notification.subject,
        body=body,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send(fail_silently=False)


def _post_webhook(subscriber: Subscriber, payload: dict[str, object]) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    signature = sign(subscriber.webhook_secret, int(time.time()), body)
    post_json(
        subscriber.webhook_url,
        body,
        {"User-Agent": "Hindsight-Statuspage/1", "X-Hindsight-Signature": signature},
        timeout=WEBHOOK_TIMEOUT,
    )
