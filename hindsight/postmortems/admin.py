from typing import Any

from django.contrib import admin

from hindsight.postmortems.models import (
    PostMortem,
    PostMortemComment,
    PostMortemRevision,
    ReviewMeeting,
)


class RevisionInline(admin.TabularInline[PostMortemRevision, Any]):
    model = PostMortemRevision
    extra = 0
    readonly_fields = ("version", "author", "created_at", "note", "score")
    fields = readonly_fields
    can_delete = False


class CommentInline(admin.TabularInline[PostMortemComment, Any]):
    model = PostMortemComment
    extra = 0
    readonly_fields = ("section", "text", "author", "version", "created_at", "resolved_at")
    fields = readonly_fields
    can_delete = False


class ReviewMeetingInline(admin.StackedInline[ReviewMeeting, Any]):
    model = ReviewMeeting
    extra = 0
    readonly_fields = ("starts_at", "ends_at", "attendees", "organizer", "sequence", "sent_at")
    fields = readonly_fields
    can_delete = False


@admin.register(PostMortem)
class PostMortemAdmin(admin.ModelAdmin[PostMortem]):
    """For the rare manual fix; the workspace (/postmortems/<id>/) is where people write."""

    list_display = ("title", "incident", "status", "due_at", "quality_score", "version")
    list_filter = ("status",)
    readonly_fields = ("body", "version", "quality_score")
    inlines = [RevisionInline, CommentInline, ReviewMeetingInline]
