"""Inbound alert integrations and outbound notification channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hindsight import egress
from hindsight.accounts.secretbox import EncryptedTextField
from hindsight.catalog.models import Service
from hindsight.runner.models import LeasedRow


def alert_sources() -> list[tuple[str, str]]:
    """The integration kinds: every alert source registered in ``webhooks.registry``."""
    from hindsight.integrations.webhooks.registry import source_choices

    return source_choices()


def channel_kinds() -> list[tuple[str, str]]:
    """The channel kinds: every notifier registered in ``notifiers``."""
    from hindsight.integrations.notifiers import channel_kind_choices

    return channel_kind_choices()


class Integration(models.Model):
    """An alert source with its own secret token (stored hashed)."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=alert_sources)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_received_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class NotificationChannel(models.Model):
    """Where incident notifications go, routed by service and severity."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=channel_kinds)
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

        from hindsight.integrations.notifiers import channel_kind

        known = channel_kind(self.kind)
        if known is None or known.url:
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


class ImportState(models.TextChoices):
    WAITING = "waiting", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Nothing imported"


class ChatImport(LeasedRow):
    """An uploaded chat export waiting for, or being imported by, the ``chat-imports`` job.

    The upload is stored in the database (``ChatImportPart`` rows of 1 MiB), so any
    worker on any machine can import it; the parts are deleted once it is done.
    The row carries the progress the page shows and, at the end, the result.
    """

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="chat_imports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=16, default="slack")
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    options = models.JSONField(default=dict)  # the form's choices: channel, window, …
    state = models.CharField(
        max_length=16, choices=ImportState.choices, default=ImportState.WAITING, db_index=True
    )
    phase = models.CharField(max_length=16, blank=True)  # "checking", then "importing"
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} into incident {self.incident_id}"

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)

    @property
    def already_there(self) -> int:
        return self.messages - self.imported if self.state == ImportState.DONE else 0


class ChatImportPart(models.Model):
    """One piece (at most 1 MiB) of an uploaded export, in upload order."""

    chat_import = models.ForeignKey(ChatImport, on_delete=models.CASCADE, related_name="parts")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat_import", "seq"], name="chat_import_part_seq")
        ]
