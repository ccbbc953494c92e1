from django.contrib import admin

from hindsight.actions.models import ActionItem, Recurrence, ReminderPreference, ReminderSent


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin[ActionItem]):
    list_display = ("title", "incident", "owner", "due_date", "priority", "kind", "status")
    list_filter = ("status", "priority", "kind")
    search_fields = ("title",)


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
