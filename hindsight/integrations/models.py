"""Inbound alert integrations and outbound notification channels."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hindsight import egress
from hindsight.accounts.secretbox import EncryptedTextField
from hindsight.catalog.models import Service


class IntegrationKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana alerting"
    PAGERDUTY = "pagerduty", "PagerDuty v3 webhook"
    GENERIC = "generic", "Generic JSON"


class Integration(models.Model):
    """An alert source with its own secret token (stored hashed)."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=IntegrationKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_received_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook (HMAC-signed JSON)"
    SLACK = "slack", "Slack / Mattermost incoming webhook"
    TEAMS = "teams", "Microsoft Teams incoming webhook"


class NotificationChannel(models.Model):
    """Where incident notifications go, routed by service and severity."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    # Encrypted: a Slack or Teams webhook URL is a credential in itself.
    target = EncryptedTextField(help_text="Email address(es) or URL")
    secret = EncryptedTextField(blank=True, help_text="HMAC key for webhooks (encrypted)")
    services = models.ManyToManyField(Service, blank=True, help_text="Empty = all services")
    severities = models.JSONField(
        default=list, blank=True, help_text='Severities to send, e.g. ["SEV1", "SEV2"]; empty = all'
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind != ChannelKind.EMAIL:
            refused = egress.refusal(self.target)
            if refused:
                raise ValidationError({"target": refused})


class EarlyRecovery(models.Model):
    """A resolved alert that arrived before its firing; applied when the firing comes.

    Senders retry and reorder: Alertmanager may deliver an alert's "resolved"
    before its "firing". Dropping it would leave the incident open forever.
    """

    fingerprint = models.CharField(max_length=200, db_index=True)
    source = models.CharField(max_length=32)
    text = models.TextField()
    occurred_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    raw = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.fingerprint} resolved at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
