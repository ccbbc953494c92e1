"""Data migrations keep what was there: pending messages, monitor–incident links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def migrate() -> Iterator[Any]:
    """Move the schema to the given migrations; the latest schema is restored afterwards."""

    def to(targets: list[tuple[str, str]]) -> Any:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


BEFORE_OUTBOX = [
    ("outbox", "0001_initial"),
    ("integrations", "0002_encrypted_secrets"),
    ("statuspage", "0003_encrypted_secrets"),
]
AFTER_OUTBOX = [
    ("integrations", "0003_deliveries_move_to_the_outbox"),
    ("statuspage", "0004_publish_requests_notifications_move_to_the_outbox"),
]


def test_undelivered_messages_of_both_old_outboxes_move_to_the_outbox(migrate):
    old = migrate(BEFORE_OUTBOX)
    now = timezone.now()
    channel = old.get_model("integrations", "NotificationChannel").objects.create(
        name="ops", kind="webhook", target="https://hooks.example/ops"
    )
    OldDelivery = old.get_model("integrations", "Delivery")
    OldDelivery.objects.create(
        channel=channel,
        event="incident.opened",
        payload={"title": "Down"},
        attempts=2,
        last_error="HTTP 503",
        next_attempt_at=now,
    )
    OldDelivery.objects.create(channel=channel, event="incident.resolved", delivered_at=now)
    page = old.get_model("statuspage", "StatusPage").objects.create(slug="acme", title="Acme")
    reader = old.get_model("statuspage", "Subscriber").objects.create(
        page=page,
        kind="email",
        email="reader@example.com",
        confirm_token="c",
        unsubscribe_token="u",
    )
    Notification = old.get_model("statuspage", "Notification")
    Notification.objects.create(subscriber=reader, subject="Identified", body="Rolling back")
    Notification.objects.create(
        subscriber=reader, subject="Old", body="x", failed_at=now, attempts=5, last_error="SMTP"
    )
    Notification.objects.create(subscriber=reader, subject="Sent", body="x", delivered_at=now)

    new = migrate(AFTER_OUTBOX)
    moved = new.get_model("outbox", "Delivery").objects.order_by("created_at", "sender")
    rows = [
        (d.sender, d.destination.key, d.event, d.state, d.attempts, d.last_error) for d in moved
    ]
    assert sorted(rows) == sorted(
        [
            ("notification", f"channel:{channel.pk}", "incident.opened", "pending", 2, "HTTP 503"),
            ("subscriber", f"subscriber:{reader.pk}", "statuspage.email", "pending", 0, ""),
            ("subscriber", f"subscriber:{reader.pk}", "statuspage.email", "dead", 5, "SMTP"),
        ]
    )
    opened = moved.get(event="incident.opened")
    assert opened.payload == {"channel": channel.pk, "message": {"title": "Down"}}
    update = moved.get(state="pending", sender="subscriber")
    assert update.payload["subject"] == "Identified" and update.payload["body"] == "Rolling back"


def test_monitors_are_linked_to_the_incidents_their_fingerprints_opened(migrate):
    old = migrate([("monitors", "0006_flip_leases_and_monitor_incidents")])
    monitor = old.get_model("monitors", "Monitor").objects.create(
        name="api", target="https://api.example/health"
    )
    incident = old.get_model("incidents", "Incident").objects.create(title="api is down")
    Fingerprint = old.get_model("incidents", "IncidentFingerprint")
    outage = Fingerprint.objects.create(
        incident=incident, fingerprint=f"monitor:{monitor.pk}", source="monitor"
    )
    Fingerprint.objects.create(
        incident=incident, fingerprint=f"monitor:{monitor.pk}:tls", source="monitor", active=False
    )
    Fingerprint.objects.create(incident=incident, fingerprint="monitor:99999", source="monitor")
    Fingerprint.objects.create(incident=incident, fingerprint="alert:x", source="alertmanager")

    new = migrate([("monitors", "0007_link_monitor_incidents")])
    links = new.get_model("monitors", "MonitorIncident").objects.order_by("tls")
    assert [(lk.monitor_id, lk.incident_id, lk.tls) for lk in links] == [
        (monitor.pk, incident.pk, False),
        (monitor.pk, incident.pk, True),
    ]
    assert links[0].fingerprint_id == outage.pk
