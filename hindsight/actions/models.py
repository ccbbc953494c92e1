"""Action items: the follow-ups a post-mortem commits to, tracked to done."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from hindsight.accounts.secretbox import EncryptedTextField
from hindsight.incidents.models import Incident
from hindsight.integrations.models import Integration
from hindsight.monitors.models import Monitor
from hindsight.postmortems.models import PostMortem


class Priority(models.TextChoices):
    P1 = "P1", "P1 · urgent"
    P2 = "P2", "P2 · high"
    P3 = "P3", "P3 · normal"
    P4 = "P4", "P4 · low"


# Closing one of these needs evidence that the fix works.
NEEDS_EVIDENCE = (Priority.P1, Priority.P2)


class ActionKind(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate fix"
    LONG_TERM = "long_term", "Long-term"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class EvidenceKind(models.TextChoices):
    """How a closed item's effect was verified."""

    LINK = "link", "Merged pull request or closed issue"
    MONITOR = "monitor", "A monitor now covers the failure"
    NOTE = "note", "Test note"
    TRACKER = "tracker", "Closed in the issue tracker"


class ActionItem(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="action_items")
    postmortem = models.ForeignKey(
        PostMortem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    due_date = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    kind = models.CharField(max_length=16, choices=ActionKind.choices, default=ActionKind.IMMEDIATE)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    # The tracker issue or pull request the work happens in.
    external_url = models.URLField(max_length=2000, blank=True)
    # Proof of done: what verified the fix (one kind, with its link, monitor or note).
    evidence_kind = models.CharField(max_length=16, choices=EvidenceKind.choices, blank=True)
    evidence_url = models.URLField(max_length=2000, blank=True)
    evidence_monitor = models.ForeignKey(
        Monitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Or an alert rule of one of the alert sources (its name in verification_note).
    evidence_integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_note = models.TextField(blank=True, help_text="The test note (evidence)")
    wont_do_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set by the recurrence watch: the failure this item was meant to prevent came back.
    recurred_at = models.DateTimeField(null=True, blank=True)
    recurred_in = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "priority", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status in (ActionStatus.DONE, ActionStatus.WONT_DO)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_kind)

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_date is not None and self.due_date < today


class Recurrence(models.Model):
    """A new incident that looks like an earlier one whose action items were all done."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="recurrences_of")
    earlier = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="recurred_as")
    reason = models.CharField(max_length=300, help_text='e.g. "same monitor: Checkout"')
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "earlier"], name="recurrence_once")
        ]

    def __str__(self) -> str:
        return f"#{self.incident_id} recurs #{self.earlier_id}"


class ReminderPreference(models.Model):
    """How one person wants to be reminded of their action items (email)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    days_before = models.PositiveSmallIntegerField(
        default=2, help_text="Email this many days before an item is due (0: never)"
    )
    after_due = models.BooleanField(default=True, help_text="Email on the day after it is due")
    weekly_digest = models.BooleanField(default=True)
    monthly_report = models.BooleanField(default=False)


class ReminderSent(models.Model):
    """One reminder written to the outbox, so it is written once whatever runs twice."""

    key = models.CharField(max_length=200, unique=True, help_text='e.g. "before:12:2026-03-05"')
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub Issues"
    JIRA_CLOUD = "jira_cloud", "Jira Cloud (REST v3)"
    JIRA_SERVER = "jira_server", "Jira Server / Data Center (REST v2)"


class Tracker(models.Model):
    """One issue-tracker integration: a GitHub repository or a Jira project."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=TrackerKind.choices)
    base_url = models.URLField(
        max_length=500, help_text="https://api.github.com, or the Jira site's address"
    )
    project = models.CharField(max_length=200, help_text='"owner/repo", or a Jira project key')
    issue_type = models.CharField(max_length=60, default="Task", help_text="Jira only")
    user = models.CharField(max_length=200, blank=True, help_text="Jira Cloud: the account email")
    # Encrypted at rest (accounts.secretbox); never rendered, only "set".
    token = EncryptedTextField(help_text="API token (encrypted)")
    webhook_secret = EncryptedTextField(blank=True, help_text="Checks incoming webhooks")
    enabled = models.BooleanField(default=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class LinkState(models.TextChoices):
    PENDING = "pending", "Being created upstream"
    LINKED = "linked", "Linked"
    GONE = "gone", "Deleted upstream"


class TrackerLink(models.Model):
    """An action item's issue in a tracker, and the values both sides agreed on last."""

    item = models.OneToOneField(ActionItem, on_delete=models.CASCADE, related_name="tracker_link")
    tracker = models.ForeignKey(Tracker, on_delete=models.CASCADE, related_name="links")
    # Written into the upstream issue, so a create that was sent but not recorded is found.
    marker = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=16, choices=LinkState.choices, default=LinkState.PENDING)
    external_key = models.CharField(max_length=100, blank=True, help_text="Issue number or key")
    external_url = models.URLField(max_length=2000, blank=True)
    synced = models.JSONField(default=dict, blank=True, help_text="Values at the last sync")
    conflicts = models.JSONField(default=dict, blank=True, help_text='{field: {"here", "there"}}')
    last_error = models.CharField(max_length=500, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.external_key or f"pending ({self.marker})"
