from django.contrib import admin

from hindsight.actions.models import ActionItem


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin[ActionItem]):
    list_display = ("title", "incident", "owner", "due_date", "priority", "kind", "status")
    list_filter = ("status", "priority", "kind")
    search_fields = ("title",)
