"""Incidents and their timeline: one event table for every source."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hindsight.catalog.models import Service
from hindsight.core.metrics import IncidentMetrics, incident_metrics, span


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 · critical"
    SEV2 = "SEV2", "SEV2 · major"
    SEV3 = "SEV3", "SEV3 · minor"
    SEV4 = "SEV4", "SEV4 · low"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
)

# The lifecycle's key moments, in the order they normally happen.
KEY_MOMENTS = ("started", "detected", "acknowledged", "mitigated", "resolved", "closed")


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, user: object) -> IncidentQuerySet:
        """Restricted incidents are shown to editors and admins only."""
        return self if sees_restricted(user) else self.filter(restricted=False)


def sees_restricted(user: object) -> bool:
    """Whether the user may open restricted incidents (editors and admins)."""
    has_role = getattr(user, "has_role", None)
    return has_role is not None and bool(has_role("editor"))


class Incident(models.Model):
    title = models.CharField(max_length=200)
    public_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",  # rows written by older code (and data migrations) get it too
        help_text="The title customers see on the status page (the title when empty)",
    )
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV3)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    summary = models.TextField(blank=True)
    customer_impact = models.TextField(blank=True)
    restricted = models.BooleanField(default=False, help_text="Visible to editors and admins only")
    services = models.ManyToManyField(Service, blank=True, related_name="incidents")
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commanded_incidents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="declared_incidents",
    )
    started_at = models.DateTimeField(default=timezone.now)
    detected_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    mitigated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-started_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def shown_title(self) -> str:
        """What customers read as this incident's title on the status page."""
        return self.public_title or self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def duration(self) -> timedelta | None:
        end = self.resolved_at or (None if self.is_open else self.closed_at)
        return span(self.started_at, end)

    def metrics(self, now: datetime | None = None) -> IncidentMetrics:
        """Time to detect, acknowledge, mitigate, resolve and the customer-facing duration."""
        return incident_metrics(
            started=self.started_at,
            detected=self.detected_at,
            acknowledged=self.acknowledged_at,
            mitigated=self.mitigated_at,
            resolved=self.resolved_at,
            now=now or timezone.now(),
        )


class EventKind(models.TextChoices):
    NOTE = "note", "Note"
    DECLARED = "declared", "Declared"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    STATUS_CHANGE = "status_change", "Status change"
    SEVERITY_CHANGE = "severity_change", "Severity change"
    COMMANDER_CHANGE = "commander_change", "Commander change"
    FIELD_CHANGE = "field_change", "Field change"
    KEY_MOMENT = "key_moment", "Key moment"
    ALERT_FIRING = "alert_firing", "Alert firing"
    ALERT_RESOLVED = "alert_resolved", "Alert resolved"
    MONITOR_DOWN = "monitor_down", "Monitor down"
    MONITOR_UP = "monitor_up", "Monitor up"
    STATUS_UPDATE = "status_update", "Public status update"
    CHAT_MESSAGE = "chat_message", "Chat message"
    POSTMORTEM = "postmortem", "Post-mortem"
    ACTION_ITEM = "action_item", "Action item"


class EventSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    SYSTEM = "system", "Hindsight"
    MONITOR = "monitor", "Monitor"
    ALERTMANAGER = "alertmanager", "Alertmanager"
    GRAFANA = "grafana", "Grafana"
    PAGERDUTY = "pagerduty", "PagerDuty"
    WEBHOOK = "webhook", "Webhook"
    SLACK = "slack", "Slack"
    STATUSPAGE = "statuspage", "Status page"
    API = "api", "API"


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal"
    PUBLIC = "public", "Public"


class TimelineEvent(models.Model):
    """One thing that happened during an incident.

    Rows are only ever added through ``incidents.services.append_event``; an
    edit keeps the earlier text as a ``TimelineEventRevision``, hiding keeps
    the row.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32, choices=EventKind.choices, default=EventKind.NOTE)
    source = models.CharField(
        max_length=32, choices=EventSource.choices, default=EventSource.MANUAL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="timeline_events",
    )
    actor_name = models.CharField(max_length=200, blank=True, help_text="Who acted, as shown")
    text = models.TextField()
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    is_key = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    thread_key = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["incident", "occurred_at"]),
            # Deliveries are deduplicated across incidents (a re-sent alert must
            # not open a second one), so the key alone is looked up too.
            models.Index(fields=["idempotency_key"], name="timeline_event_idem_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="timeline_event_idempotency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind}: {self.text[:60]}"

    @property
    def remembered_later(self) -> bool:
        """Written down after the fact with a time in the past (the API's marker)."""
        return isinstance(self.raw, dict) and self.raw.get("remembered_later") is True


class TimelineEventRevision(models.Model):
    """An earlier version of an edited or hidden event; history is never lost."""

    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    occurred_at = models.DateTimeField()
    is_key = models.BooleanField()
    hidden = models.BooleanField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]


class IncidentFingerprint(models.Model):
    """An alert or monitor fingerprint attached to an incident.

    At most one *active* row exists per fingerprint (a partial unique index),
    which is what makes "attach to the open incident for this fingerprint"
    exact and race-safe: a second concurrent opener fails on the index and
    retries as an attach. Resolving the incident deactivates its rows, so the
    next firing opens a new incident; the rows stay as history.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="fingerprints")
    fingerprint = models.CharField(max_length=200)
    source = models.CharField(max_length=32, choices=EventSource.choices)
    active = models.BooleanField(default=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    recovered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(active=True),
                name="one_open_incident_per_fingerprint",
            ),
        ]
        indexes = [models.Index(fields=["incident", "active"])]

    def __str__(self) -> str:
        return f"{self.fingerprint} → #{self.incident_id}"
