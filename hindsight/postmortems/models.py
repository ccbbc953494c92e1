"""Post-mortems: one per incident, Markdown body, optimistic locking, revisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hindsight.incidents.models import Incident


class PostMortemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class PostMortem(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=PostMortemStatus.choices, default=PostMortemStatus.DRAFT
    )
    body = models.TextField(blank=True, help_text="Markdown with YAML front matter")
    public_body = models.TextField(blank=True, help_text="Customer-facing version, as published")
    # The customer version being written: checked on every save, approved on its own.
    public_draft = models.TextField(blank=True, help_text="Customer-facing version being written")
    public_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_approved_at = models.DateTimeField(null=True, blank=True)
    public_published_at = models.DateTimeField(null=True, blank=True)
    public_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When status-page subscribers were told (once)"
    )
    version = models.PositiveIntegerField(default=1)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="postmortems_to_review"
    )
    debrief_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PostMortemRevision(models.Model):
    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True, help_text="How it was saved")
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "version"], name="pm_revision_unique")
        ]


class PostMortemComment(models.Model):
    """A reviewer's comment on one section, open until someone resolves it."""

    postmortem = models.ForeignKey(PostMortem, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=200, help_text="The section's heading")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(help_text="The version commented on")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.section}: {self.text[:60]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ReviewMeeting(models.Model):
    """The post-mortem's review meeting as last sent; `sequence` counts the invites sent."""

    postmortem = models.OneToOneField(
        PostMortem, on_delete=models.CASCADE, related_name="review_meeting"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    attendees = models.JSONField(default=list, help_text='[{"name", "email"}]')
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)
