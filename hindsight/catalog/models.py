"""The service catalog and the components shown on status pages."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Service(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner_team = models.CharField(max_length=120, blank=True)
    tier = models.PositiveSmallIntegerField(default=2, help_text="1 = most critical")
    runbook_url = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded_performance", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"
    MAINTENANCE = "under_maintenance", "Under maintenance"


class Component(models.Model):
    """A customer-visible part of the product, as listed on a status page."""

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    group = models.CharField(max_length=120, blank=True, help_text="Group heading on the page")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )
    status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL
    )
    # The inputs the status is computed from (catalog/status.py); only that module writes them.
    responder_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, blank=True, editable=False
    )
    in_maintenance = models.BooleanField(default=False, editable=False)
    monitor_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, blank=True, editable=False
    )
    auto_public_incident = models.BooleanField(
        default=True,
        help_text="When a monitor puts this component in outage, show customers an incident "
        "text on the status page",
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "position", "name"]

    def __str__(self) -> str:
        return self.name
