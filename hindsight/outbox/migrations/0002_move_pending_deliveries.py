"""Move what the two old outboxes still had to send into the one outbox.

Incident notifications (integrations.Delivery) and status-page subscriber
messages (statuspage.Notification) that were not delivered become outbox
deliveries with their attempts and errors; ones already given up become dead
letters an admin can retry. Delivered rows are history and are not copied.
"""

from typing import Any

from django.db import migrations

MAX_ATTEMPTS = 8


def _destination(Destination: Any, key: str, label: str) -> Any:
    place, _ = Destination.objects.get_or_create(key=key, defaults={"label": label[:300]})
    return place


def move(apps: Any, schema_editor: Any) -> None:
    Destination = apps.get_model("outbox", "Destination")
    Delivery = apps.get_model("outbox", "Delivery")
    OldDelivery = apps.get_model("integrations", "Delivery")
    Notification = apps.get_model("statuspage", "Notification")
    for old in OldDelivery.objects.filter(delivered_at__isnull=True).select_related("channel"):
        channel = old.channel
        Delivery.objects.create(
            destination=_destination(
                Destination, f"channel:{channel.pk}", f"{channel.name} ({channel.kind})"
            ),
            sender="notification",
            event=old.event,
            payload={"channel": channel.pk, "message": old.payload},
            state="dead" if old.attempts >= MAX_ATTEMPTS else "pending",
            attempts=old.attempts,
            next_attempt_at=old.next_attempt_at,
            last_error=old.last_error,
            created_at=old.created_at,
        )
    pending = Notification.objects.filter(delivered_at__isnull=True).select_related(
        "subscriber", "subscriber__page"
    )
    for old in pending:
        subscriber = old.subscriber
        where = subscriber.email or subscriber.webhook_url
        webhook = subscriber.kind == "webhook"
        Delivery.objects.create(
            destination=_destination(
                Destination,
                f"subscriber:{subscriber.pk}",
                f"{where} (subscriber of {subscriber.page.title})",
            ),
            sender="subscriber",
            event="statuspage.webhook" if webhook else "statuspage.email",
            payload={
                "subscriber": subscriber.pk,
                "subject": old.subject,
                "body": old.body,
                "json": old.payload if webhook else None,
            },
            state="dead" if old.failed_at is not None else "pending",
            attempts=old.attempts,
            next_attempt_at=old.next_attempt_at,
            last_error=old.last_error,
            created_at=old.created_at,
            finished_at=old.failed_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("integrations", "0002_encrypted_secrets"),
        ("statuspage", "0003_encrypted_secrets"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
