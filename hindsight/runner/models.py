"""The runner's own rows: worker heartbeats and the schedule of jobs that run on one worker."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LeasedRow(models.Model):
    """A row a worker holds for a while (a lease) while it works on it.

    Any number of workers share such rows: one leases a row with a conditional
    UPDATE (see ``hindsight.runner.leases``), works, then records the outcome
    and drops the lease. A worker that dies holds its lease until
    ``lease_until`` passes; then another worker takes the row over.
    """

    lease_owner = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class JobSchedule(LeasedRow):
    """When a scheduled job next runs, and which worker runs it now (one at a time)."""

    job = models.CharField(max_length=64, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job"]

    def __str__(self) -> str:
        return self.job


class WorkerHeartbeat(models.Model):
    """A running worker; it rewrites ``beat_at`` every few seconds while it lives."""

    worker = models.CharField(max_length=120, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    region = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.worker
