"""Incident notifications through an outbox: Delivery rows are written in the
same transaction as the incident change, then sent (and retried with backoff)
by ``deliver_due``, which the worker runs. Nothing is lost if the process dies
between the change and the send."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from hindsight.incidents.models import Incident
from hindsight.incidents.signals import incident_opened, incident_resolved
from hindsight.integrations.models import Delivery, NotificationChannel
from hindsight.integrations.notifiers import NOTIFIERS, DeliveryError, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


def message_for(incident: Incident, event: str) -> Message:
    """Render an incident event into the facts every notifier sends."""
    base = settings.BASE_URL.rstrip("/")
    return Message(
        event=event,
        incident_id=incident.pk,
        title=incident.title,
        severity=incident.severity,
        status=incident.status,
        services=[s.name for s in incident.services.all()],
        url=f"{base}/incidents/{incident.pk}/",
        started_at=incident.started_at.isoformat(),
        resolved_at=incident.resolved_at.isoformat() if incident.resolved_at else None,
        summary=incident.summary or incident.customer_impact,
    )


def enqueue(*, incident: Incident, event: str) -> list[Delivery]:
    """Write one Delivery per matching enabled channel (restricted incidents: none)."""
    if incident.restricted:
        return []
    service_ids = list(incident.services.values_list("id", flat=True))
    channels = (
        NotificationChannel.objects.filter(enabled=True)
        .filter(Q(services__isnull=True) | Q(services__in=service_ids))
        .distinct()
    )
    payload = message_for(incident, event).__dict__
    return [
        Delivery.objects.create(channel=channel, event=event, payload=payload)
        for channel in channels
    ]


@receiver(incident_opened)
def _on_opened(sender: Any, incident: Incident, **kwargs: Any) -> None:
    enqueue(incident=incident, event="incident.opened")


@receiver(incident_resolved)
def _on_resolved(sender: Any, incident: Incident, **kwargs: Any) -> None:
    enqueue(incident=incident, event="incident.resolved")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


def _claim(now: datetime, limit: int) -> list[Delivery]:
    # Push the claimed rows' next attempt forward first, so a second worker
    # running at the same time skips them (conditional update, no broker).
    with transaction.atomic():
        due = Delivery.objects.filter(
            delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.select_related("channel")[:limit])
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            next_attempt_at=now + timedelta(seconds=60)
        )
    return claimed


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send due deliveries; return (sent, failed). Failures are retried with backoff."""
    now = now or timezone.now()
    sent = failed = 0
    for delivery in _claim(now, limit):
        channel = delivery.channel
        notifier = NOTIFIERS.get(channel.kind)
        delivery.attempts += 1
        try:
            if notifier is None:
                raise DeliveryError(f"no notifier for channel kind {channel.kind!r}")
            notifier(channel.target, channel.secret, Message(**delivery.payload))
        except DeliveryError as exc:
            failed += 1
            delivery.last_error = str(exc)[:500]
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            log.warning("notification %s to %s failed: %s", delivery.event, channel.name, exc)
        else:
            sent += 1
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "delivered_at"])
    return sent, failed
