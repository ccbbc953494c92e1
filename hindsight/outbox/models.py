"""The outbox: every message that leaves Hindsight, and the places they go."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from hindsight.runner.models import LeasedRow


class Destination(LeasedRow):
    """Where deliveries go (a channel, a subscriber): the unit of back-off and of leasing.

    A worker leases a destination and sends its due deliveries in order. When
    the destination itself fails (no answer, a 5xx), it backs off as a whole:
    ``attempts`` counts its failures in a row and ``next_attempt_at`` is when
    it is tried again, so one unreachable endpoint never delays deliveries to
    any other.
    """

    key = models.CharField(max_length=200, unique=True, help_text='e.g. "channel:3"')
    label = models.CharField(max_length=300, help_text="What people see: name and address")
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter"
    DISCARDED = "discarded", "Discarded"


class Delivery(models.Model):
    """One message to one destination. Its id is stable across retries, so a
    receiver that sees it twice (a worker died after sending) can tell."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="deliveries"
    )
    sender = models.CharField(max_length=64, help_text="The registered sender that sends it")
    event = models.CharField(max_length=64, help_text='What it announces, e.g. "incident.opened"')
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["destination", "next_attempt_at"],
                condition=Q(state="pending"),
                name="delivery_pending",
            ),
            models.Index(fields=["state", "-created_at"], name="delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.destination_id} ({self.state})"
