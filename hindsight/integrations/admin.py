from django.contrib import admin

from hindsight.integrations.models import Integration, NotificationChannel


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ("name", "kind", "service", "enabled", "last_received_at")
    readonly_fields = ("token_hash", "token_prefix")


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin[NotificationChannel]):
    list_display = ("name", "kind", "target", "enabled")
