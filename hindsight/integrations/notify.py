"""Incident notifications: one outbox delivery per matching channel, written in the
same transaction as the incident change (through the incident signals), sent by
the worker's ``deliveries`` job through the ``notification`` sender below."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.incidents.signals import (
    incident_acknowledged,
    incident_commander_changed,
    incident_opened,
    incident_public_update,
    incident_resolved,
    incident_severity_changed,
)
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.notifiers import TEST_EVENT, Message, channel_kind
from hindsight.outbox import services as outbox
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender

SENDER = "notification"


def message_for(incident: Incident, event: str, reason: str = "") -> Message:
    """Render an incident event into the facts every notifier sends.

    While the incident is open and nobody has acknowledged it, the message
    carries an acknowledge link: it opens a confirmation page (a GET never
    writes) whose button acknowledges as the signed-in responder.
    """
    base = settings.BASE_URL.rstrip("/")
    acknowledge = incident.is_open and incident.acknowledged_at is None
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
        reason=reason,
        acknowledge_url=f"{base}/incidents/{incident.pk}/acknowledge/" if acknowledge else "",
    )


def _name(user: User | None) -> str:
    return user.display_name if user else "Hindsight"


def destination(channel: NotificationChannel) -> str:
    """The outbox destination of a channel: its deliveries back off together."""
    return f"channel:{channel.pk}"


def enqueue(
    *, incident: Incident, event: str, reason: str = "", severities: tuple[str, ...] = ()
) -> list[Delivery]:
    """Write one delivery per matching enabled channel (restricted incidents: none).

    A channel matches by service (none = all) and by severity (none = all): the
    incident's severity, or any of ``severities`` when given (a severity change
    reaches channels of the old and of the new severity).
    """
    if incident.restricted:
        return []
    service_ids = list(incident.services.values_list("id", flat=True))
    matching = (
        NotificationChannel.objects.filter(enabled=True)
        .filter(Q(services__isnull=True) | Q(services__in=service_ids))
        .distinct()
        .order_by("pk")
    )
    wanted = set(severities or (incident.severity,))
    channels = [c for c in matching if not c.severities or wanted & set(c.severities)]
    message = message_for(incident, event, reason).as_fields()
    return [
        outbox.enqueue(
            sender=SENDER,
            destination=destination(channel),
            label=f"{channel.name} ({channel.get_kind_display()})",
            event=event,
            payload={"channel": channel.pk, "message": message},
        )
        for channel in channels
    ]


@receiver(incident_opened)
def _on_opened(sender: Any, incident: Incident, reason: str = "", **kwargs: Any) -> None:
    enqueue(incident=incident, event="incident.opened", reason=reason)


@receiver(incident_resolved)
def _on_resolved(sender: Any, incident: Incident, actor: User | None = None, **kw: Any) -> None:
    enqueue(incident=incident, event="incident.resolved", reason=f"Resolved by {_name(actor)}")


@receiver(incident_acknowledged)
def _on_acknowledged(sender: Any, incident: Incident, actor: User | None = None, **kw: Any) -> None:
    reason = f"Acknowledged by {_name(actor)}"
    enqueue(incident=incident, event="incident.acknowledged", reason=reason)


@receiver(incident_severity_changed)
def _on_severity_changed(
    sender: Any, incident: Incident, old: str, new: str, actor: User | None = None, **kw: Any
) -> None:
    reason = f"Severity {old} → {new} by {_name(actor)}"
    enqueue(
        incident=incident, event="incident.severity_changed", reason=reason, severities=(old, new)
    )


@receiver(incident_commander_changed)
def _on_commander_changed(
    sender: Any,
    incident: Incident,
    old: User | None,
    new: User | None,
    actor: User | None = None,
    **kw: Any,
) -> None:
    before = old.display_name if old else "none"
    after = new.display_name if new else "none"
    reason = f"Commander {before} → {after} by {_name(actor)}"
    enqueue(incident=incident, event="incident.commander_changed", reason=reason)


@receiver(incident_public_update)
def _on_public_update(
    sender: Any, incident: Incident, status: str, message: str, actor: User | None = None, **kw: Any
) -> None:
    reason = f"Public update ({status}) by {_name(actor)}: {message}"
    enqueue(incident=incident, event="incident.public_update", reason=reason)


def enqueue_test(*, channel: NotificationChannel) -> Delivery:
    """Queue a test message to one channel (the Notifications page's Send test)."""
    base = settings.BASE_URL.rstrip("/")
    message = Message(
        event=TEST_EVENT,
        incident_id=0,
        title=f"Test notification from Hindsight to {channel.name}",
        severity="SEV4",
        status="test",
        services=[],
        url=f"{base}/integrations/notifications/",
        started_at=timezone.now().isoformat(),
        resolved_at=None,
        summary="If you can read this, Hindsight's incident notifications reach this channel.",
    )
    return outbox.enqueue(
        sender=SENDER,
        destination=destination(channel),
        label=f"{channel.name} ({channel.get_kind_display()})",
        event=TEST_EVENT,
        payload={"channel": channel.pk, "message": message.as_fields()},
    )


@register_sender(SENDER)
def send_notification(delivery: Delivery) -> None:
    """Send a notification through its channel's notifier."""
    channel = NotificationChannel.objects.filter(pk=delivery.payload.get("channel")).first()
    if channel is None:
        raise Undeliverable("The notification channel was deleted")
    kind = channel_kind(channel.kind)
    if kind is None:
        raise DeliveryError(
            f"No notifier for channel kind {channel.kind!r}", destination_down=False
        )
    message = Message(**delivery.payload["message"], delivery_id=str(delivery.pk))
    kind.send(channel.target, channel.secret, message)
