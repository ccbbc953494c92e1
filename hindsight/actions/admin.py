from django.contrib import admin

from hindsight.actions.models import (
    ActionItem,
    Recurrence,
    ReminderPreference,
    ReminderSent,
    Tracker,
    TrackerLink,
)


class TrackerLinkInline(admin.StackedInline[TrackerLink, ActionItem]):
    model = TrackerLink
    extra = 0
    readonly_fields = ("marker", "synced", "conflicts", "pushed_at", "pulled_at")


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin[ActionItem]):
    list_display = ("title", "incident", "owner", "due_date", "priority", "kind", "status")
    list_filter = ("status", "priority", "kind", "evidence_kind")
    search_fields = ("title",)
    inlines = [TrackerLinkInline]


@admin.register(Tracker)
class TrackerAdmin(admin.ModelAdmin[Tracker]):
    # The token and webhook secret are write-only: entered on /actions/trackers/, never shown.
    exclude = ("token", "webhook_secret")
    list_display = ("name", "kind", "project", "enabled", "last_pulled_at", "last_error")


@admin.register(TrackerLink)
class TrackerLinkAdmin(admin.ModelAdmin[TrackerLink]):
    list_display = ("item", "tracker", "state", "external_key", "last_error")
    list_filter = ("state",)
    readonly_fields = ("marker",)


@admin.register(Recurrence)
class RecurrenceAdmin(admin.ModelAdmin[Recurrence]):
    list_display = ("incident", "earlier", "reason", "created_at")
    raw_id_fields = ("incident", "earlier")


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin[ReminderPreference]):
    list_display = ("user", "days_before", "after_due", "weekly_digest", "monthly_report")


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin[ReminderSent]):
    list_display = ("key", "user", "created_at")
    search_fields = ("key",)
