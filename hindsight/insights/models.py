"""Insights' own tables: the search index, derived factors and metric snapshots.

None of them is a source of truth: the index is written by database triggers
from the other domains' tables (see ``schema``), factors are derived from
post-mortems, and snapshots are computed from everything by a job. Each can be
rebuilt from the other domains at any time.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hindsight.incidents.models import Incident
from hindsight.postmortems.models import PostMortem


class SearchKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    POSTMORTEM = "postmortem", "Post-mortem"
    ACTION_ITEM = "action_item", "Action item"
    EVENT = "event", "Timeline event"


class SearchDocument(models.Model):
    """One searchable thing; rows are written only by the triggers in ``schema``."""

    kind = models.CharField(max_length=16, choices=SearchKind.choices)
    object_id = models.BigIntegerField()
    incident_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField()
    status = models.CharField(max_length=16, blank=True)
    author_id = models.BigIntegerField(null=True)
    # A word per fact the filters read (severity, services, factors, status, authors).
    facets = models.TextField(default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["incident_id"], name="search_document_incident")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class PostMortemFactor(models.Model):
    """A contributing factor tag of a post-mortem, as ``factors.factors_for`` derives it."""

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "tag"], name="postmortem_factor_unique")
        ]
        indexes = [models.Index(fields=["tag", "incident"], name="postmortem_factor_tag")]

    def __str__(self) -> str:
        return f"{self.tag} ({self.postmortem_id})"


class MetricsSnapshot(models.Model):
    """Every insights figure at one moment, computed by the rollup job (never on a GET)."""

    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    include_restricted = models.BooleanField(help_text="For editors (with restricted incidents)")
    took_ms = models.PositiveIntegerField(default=0)
    data = models.JSONField()

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"metrics at {self.computed_at:%Y-%m-%d %H:%M}"
