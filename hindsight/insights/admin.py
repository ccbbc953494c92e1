"""Insights' tables are derived from the other domains: the admin shows them read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hindsight.insights.models import MetricsSnapshot, PostMortemFactor, SearchDocument


class DerivedAdmin(admin.ModelAdmin[Any]):
    """Rows rebuilt from other tables; editing them here would only be overwritten."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SearchDocument)
class SearchDocumentAdmin(DerivedAdmin):
    list_display = ("kind", "object_id", "incident_id", "title", "status")
    list_filter = ("kind",)


@admin.register(PostMortemFactor)
class PostMortemFactorAdmin(DerivedAdmin):
    list_display = ("tag", "postmortem", "incident")
    list_filter = ("tag",)


@admin.register(MetricsSnapshot)
class MetricsSnapshotAdmin(DerivedAdmin):
    list_display = ("computed_at", "took_ms")
    exclude = ("data",)
