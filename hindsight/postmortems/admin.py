from typing import Any

from django.contrib import admin

from hindsight.postmortems.models import PostMortem, PostMortemRevision


class RevisionInline(admin.TabularInline[PostMortemRevision, Any]):
    model = PostMortemRevision
    extra = 0
    readonly_fields = ("version", "author", "created_at")
    fields = readonly_fields
    can_delete = False


@admin.register(PostMortem)
class PostMortemAdmin(admin.ModelAdmin[PostMortem]):
    list_display = ("title", "incident", "status", "due_at", "quality_score", "version")
    list_filter = ("status",)
    inlines = [RevisionInline]
