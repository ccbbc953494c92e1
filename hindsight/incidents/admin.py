from typing import Any

from django.contrib import admin

from hindsight.incidents.models import (
    Incident,
    IncidentFingerprint,
    TimelineEvent,
    TimelineEventRevision,
)


class TimelineEventInline(admin.TabularInline[TimelineEvent, Any]):
    model = TimelineEvent
    extra = 0
    fields = ("occurred_at", "kind", "source", "actor_name", "text", "visibility", "is_key")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The timeline is append-only through incidents.services.append_event.
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ("id", "title", "severity", "status", "started_at", "resolved_at")
    list_filter = ("severity", "status", "restricted")
    search_fields = ("title", "summary")
    inlines = [TimelineEventInline]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin[TimelineEvent]):
    list_display = ("occurred_at", "incident", "kind", "source", "actor_name", "is_key", "hidden")
    list_filter = ("kind", "source", "visibility", "is_key", "hidden")
    readonly_fields = ("incident", "recorded_at", "idempotency_key", "raw")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TimelineEventRevision)
class TimelineEventRevisionAdmin(admin.ModelAdmin[TimelineEventRevision]):
    list_display = ("event", "changed_by", "changed_at")


@admin.register(IncidentFingerprint)
class IncidentFingerprintAdmin(admin.ModelAdmin[IncidentFingerprint]):
    list_display = ("fingerprint", "incident", "source", "active", "first_seen_at", "recovered_at")
    list_filter = ("source", "active")
    search_fields = ("fingerprint",)
    readonly_fields = ("incident", "fingerprint", "source", "first_seen_at", "last_seen_at")
