from django.contrib import admin

from hindsight.outbox.models import Delivery, Destination


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin[Destination]):
    list_display = ("label", "key", "attempts", "next_attempt_at", "last_error")
    search_fields = ("label", "key")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("id", "event", "destination", "state", "attempts", "created_at", "last_error")
    list_filter = ("state", "sender", "event")
    readonly_fields = ("id",)
