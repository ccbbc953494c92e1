"""Monitor definitions, their state flips, raw results and rollups."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hindsight.accounts.secretbox import EncryptedJSONField
from hindsight.catalog.models import Component, Service
from hindsight.incidents.models import Incident, IncidentFingerprint
from hindsight.probe.rollup import uptime_percent
from hindsight.runner.models import LeasedRow


class MonitorKind(models.TextChoices):
    HTTP = "http", "HTTP(S)"
    KEYWORD = "keyword", "Keyword"
    TLS = "tls", "TLS certificate"
    TCP = "tcp", "TCP connect"


class MonitorState(models.TextChoices):
    PENDING = "pending", "Pending"
    UP = "up", "Up"
    DOWN = "down", "Down"
    DEGRADED = "degraded", "Degraded"
    MAINTENANCE = "maintenance", "Maintenance"
    PAUSED = "paused", "Paused"


class Monitor(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=MonitorKind.choices, default=MonitorKind.HTTP)
    target = models.CharField(max_length=2000, help_text="URL, or host:port for TCP")
    config = models.JSONField(default=dict, blank=True, help_text="Check options by kind")
    # User name, password and request headers: encrypted, write-only (monitors/credentials.py).
    credentials = EncryptedJSONField(default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(default=60)
    timeout_seconds = models.FloatField(default=10.0)
    confirmations_down = models.PositiveSmallIntegerField(default=2)
    confirmations_up = models.PositiveSmallIntegerField(default=1)
    regions = models.JSONField(default=list, blank=True, help_text="Empty = any region")
    quorum = models.PositiveSmallIntegerField(default=1)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="monitors"
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.SET_NULL, related_name="monitors"
    )
    paused = models.BooleanField(default=False)
    state = models.CharField(
        max_length=16, choices=MonitorState.choices, default=MonitorState.PENDING
    )
    state_since = models.DateTimeField(default=timezone.now)
    flapping = models.BooleanField(default=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(null=True, blank=True)
    # The probe's `ProbeState` across regions (confirmations, flapping, what was alerted).
    engine_state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MonitorRegionState(models.Model):
    """One monitor as checked from one region: the unit workers schedule and lease.

    Region "" means "any region" (a monitor without listed regions); a worker
    of region R claims rows of region R and "".
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="region_states")
    region = models.CharField(max_length=64)
    state = models.CharField(
        max_length=16, choices=MonitorState.choices, default=MonitorState.PENDING
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(null=True, blank=True)
    engine_state = models.JSONField(default=dict, blank=True)
    next_due_at = models.DateTimeField(default=timezone.now)
    lease_owner = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Counters for /metrics (never pruned, never go down): every check, and the failed (down) ones.
    checks_total = models.PositiveBigIntegerField(default=0)
    check_failures_total = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "region"], name="monitor_region_unique")
        ]
        indexes = [models.Index(fields=["next_due_at"], name="region_state_due")]


class Flip(LeasedRow):
    """A change of a monitor's state; feeds incidents, the status page and reports.

    A monitor's own flip (region "") that alerts or moves a component is
    processed by the ``flips`` job: a worker leases it, opens or updates the
    incident and the component, and sets ``processed_at``. One that fails is
    retried with back-off (``attempts``, ``last_error``, ``next_attempt_at``)
    without holding up newer flips, and given up (``failed_at``) after the
    last attempt. Flips that need nothing are processed when written.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="flips")
    created_at = models.DateTimeField(default=timezone.now)
    old_state = models.CharField(max_length=16, choices=MonitorState.choices)
    new_state = models.CharField(max_length=16, choices=MonitorState.choices)
    region = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["monitor", "-created_at"]),
            # The flips job's queue: only the few flips still waiting are in it.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(processed_at__isnull=True, failed_at__isnull=True),
                name="flip_waiting",
            ),
        ]


class MonitorIncident(models.Model):
    """The incident a monitor opened or joined, through the fingerprint it holds there.

    Written when a monitor's alerting flip is processed; the monitor's
    recovery and the quiet-period resolution find the incident through it.
    """

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="incidents")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="monitors")
    fingerprint = models.OneToOneField(
        IncidentFingerprint, on_delete=models.CASCADE, related_name="monitor_link"
    )
    tls = models.BooleanField(default=False, help_text="A certificate warning, not an outage")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class CheckResult(models.Model):
    """A raw check result, kept for a short window and then rolled up."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results")
    checked_at = models.DateTimeField(default=timezone.now)
    region = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=MonitorState.choices)
    latency_ms = models.FloatField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["monitor", "checked_at"]),
            # the rollup step reads each closed minute of all monitors by time
            models.Index(fields=["checked_at"], name="result_checked_at"),
        ]


class RollupPeriod(models.TextChoices):
    MINUTE = "minute", "Minute"
    HOUR = "hour", "Hour"
    DAY = "day", "Day"


class CheckRollup(models.Model):
    """Aggregated results for one monitor and period; bounded bytes per day."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="rollups")
    period = models.CharField(max_length=8, choices=RollupPeriod.choices)
    bucket_start = models.DateTimeField()
    region = models.CharField(max_length=64, blank=True)
    checks = models.PositiveIntegerField(default=0)
    up_checks = models.PositiveIntegerField(default=0)
    degraded_checks = models.PositiveIntegerField(default=0)
    down_checks = models.PositiveIntegerField(default=0)
    latency_count = models.PositiveIntegerField(default=0)
    latency_sum_ms = models.FloatField(default=0.0)
    latency_min_ms = models.FloatField(null=True, blank=True)
    latency_max_ms = models.FloatField(null=True, blank=True)
    latency_p50_ms = models.FloatField(null=True, blank=True)
    latency_p95_ms = models.FloatField(null=True, blank=True)
    latency_p99_ms = models.FloatField(null=True, blank=True)
    # Sparse {slot: count} over probe.rollup.LATENCY_BOUNDS_MS, so buckets merge exactly.
    latency_histogram = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "period", "bucket_start", "region"], name="rollup_unique"
            )
        ]
        # The unique constraint's index serves (monitor, period, bucket_start) lookups too;
        # a second index would add a third of each row's bytes.
        indexes = [models.Index(fields=["period", "bucket_start"], name="rollup_period_start")]

    @property
    def uptime_percent(self) -> float | None:
        return uptime_percent(self.checks, self.up_checks, self.degraded_checks)


class MaintenanceWindow(models.Model):
    """A window in which a monitor's alerts are suppressed (one-off or weekly)."""

    monitor = models.ForeignKey(
        Monitor, null=True, blank=True, on_delete=models.CASCADE, related_name="maintenance"
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    recurrence = models.CharField(
        max_length=16, blank=True, choices=[("", "Once"), ("weekly", "Weekly"), ("daily", "Daily")]
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    reason = models.CharField(max_length=300, blank=True)
