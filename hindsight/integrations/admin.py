from django.contrib import admin

from hindsight.integrations.models import (
    Delivery,
    EarlyRecovery,
    Integration,
    NotificationChannel,
)


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ("name", "kind", "service", "enabled", "last_received_at")
    readonly_fields = ("token_hash", "token_prefix")


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin[NotificationChannel]):
    list_display = ("name", "kind", "target", "enabled")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("channel", "event", "attempts", "delivered_at", "last_error")


@admin.register(EarlyRecovery)
class EarlyRecoveryAdmin(admin.ModelAdmin[EarlyRecovery]):
    list_display = ("fingerprint", "occurred_at", "source", "received_at")
    search_fields = ("fingerprint",)
