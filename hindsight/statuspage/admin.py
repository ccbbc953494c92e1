from django.contrib import admin

from hindsight.statuspage.models import (
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    Subscriber,
    UpdateComponentStatus,
)


@admin.register(StatusPage)
class StatusPageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_default", "custom_domain")
    prepopulated_fields = {"slug": ("title",)}


class UpdateComponentStatusInline(admin.TabularInline):
    model = UpdateComponentStatus
    extra = 0


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ("posted_at", "incident", "status", "posted_by")
    inlines = [UpdateComponentStatusInline]


@admin.register(ScheduledMaintenance)
class ScheduledMaintenanceAdmin(admin.ModelAdmin):
    list_display = ("title", "page", "starts_at", "ends_at", "status")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("page", "kind", "email", "webhook_url", "confirmed_at", "disabled_at")
    exclude = ("webhook_secret", "confirm_token", "unsubscribe_token")
