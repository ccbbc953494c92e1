"""Action items: the follow-ups a post-mortem commits to, tracked to done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hindsight.incidents.models import Incident
from hindsight.postmortems.models import PostMortem


class Priority(models.TextChoices):
    P1 = "P1", "P1 · urgent"
    P2 = "P2", "P2 · high"
    P3 = "P3", "P3 · normal"
    P4 = "P4", "P4 · low"


class ActionKind(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate fix"
    LONG_TERM = "long_term", "Long-term"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


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
    external_url = models.URLField(max_length=2000, blank=True)
    verification_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "priority", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status in (ActionStatus.DONE, ActionStatus.WONT_DO)
