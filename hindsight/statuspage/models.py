"""Public status pages, their incident updates, maintenance and subscribers."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone

from hindsight.accounts.secretbox import EncryptedTextField
from hindsight.catalog.models import Component, ComponentStatus
from hindsight.incidents.models import Incident, IncidentStatus
from hindsight.runner.models import LeasedRow

# Path segments under /status/ that belong to the default page's own routes.
RESERVED_SLUGS = frozenset({"incidents", "history", "subscribe", "api", "subscriptions"})


class StatusPage(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    logo_text = models.CharField(max_length=60, blank=True)
    is_default = models.BooleanField(default=False, help_text="Served at /status/ and /api/v2/")
    custom_domain = models.CharField(max_length=253, blank=True, db_index=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    brand_color = models.CharField(max_length=7, default="#1f6feb")
    custom_css = models.TextField(blank=True)
    header_links = models.JSONField(default=list, blank=True, help_text='[{"label", "url"}]')
    components = models.ManyToManyField(Component, blank=True, related_name="pages")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"{self.slug!r} is reserved for the default page."})
        self.custom_domain = self.custom_domain.strip().lower().rstrip(".")
        app_host = (urlsplit(settings.BASE_URL).hostname or "").lower()
        if self.custom_domain and self.custom_domain == app_host:
            # Requests to a custom domain are answered by the status page before
            # Django: the app itself (login, admin, API) would become unreachable.
            raise ValidationError(
                {
                    "custom_domain": f"{self.custom_domain} is Hindsight's own host "
                    "(HINDSIGHT_BASE_URL); give the status page a host name of its own."
                }
            )


class StatusUpdate(models.Model):
    """A public message about an incident; also written to its timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    message = models.TextField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    posted_at = models.DateTimeField(default=timezone.now)
    automatic = models.BooleanField(
        default=False,
        help_text="Posted by Hindsight (a monitor outage or a resolution), not by a responder",
    )

    class Meta:
        ordering = ["-posted_at", "-id"]


class UpdateComponentStatus(models.Model):
    update = models.ForeignKey(StatusUpdate, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Component, on_delete=models.CASCADE)
    status = models.CharField(max_length=32, choices=ComponentStatus.choices)
    old_status = models.CharField(
        max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL
    )


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFYING = "verifying", "Verifying"
    COMPLETED = "completed", "Completed"


class ScheduledMaintenance(models.Model):
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="maintenances")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=MaintenanceStatus.choices, default=MaintenanceStatus.SCHEDULED
    )
    components = models.ManyToManyField(Component, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]


def _token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class Subscriber(models.Model):
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="subscribers")
    kind = models.CharField(max_length=16, choices=SubscriberKind.choices)
    email = models.EmailField(blank=True)
    webhook_url = models.URLField(max_length=2000, blank=True)
    webhook_secret = EncryptedTextField(default=_token)
    components = models.ManyToManyField(Component, blank=True, help_text="Empty = all")
    confirm_token = models.CharField(max_length=64, default=_token, unique=True)
    unsubscribe_token = models.CharField(max_length=64, default=_token, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "email"],
                condition=models.Q(kind="email"),
                name="subscriber_email_unique",
            )
        ]


class PublishRequest(LeasedRow):
    """Status-page files to rewrite: written with the change, done by a worker.

    ``incident_ids`` names the incident pages to re-render (the page-wide
    documents always are); null means everything. A worker leases all
    waiting requests at once, merges them into one publish, then deletes them.
    """

    incident_ids = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class SubscribeAttempt(models.Model):
    """A sign-up request, kept briefly to rate-limit floods per address and page."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=64, help_text="Hash of the client address")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
