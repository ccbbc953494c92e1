from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from hindsight.integrations import signing
from hindsight.statuspage.models import (
    PublishRequest,
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    SubscribeAttempt,
    Subscriber,
    SubscriberKind,
    UpdateComponentStatus,
)


@admin.register(StatusPage)
class StatusPageAdmin(admin.ModelAdmin[StatusPage]):
    list_display = ("title", "slug", "is_default", "custom_domain")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("components",)


class UpdateComponentStatusInline(admin.TabularInline[UpdateComponentStatus, Any]):
    model = UpdateComponentStatus
    extra = 0


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin[StatusUpdate]):
    list_display = ("posted_at", "incident", "status", "posted_by")
    inlines = [UpdateComponentStatusInline]


@admin.register(ScheduledMaintenance)
class ScheduledMaintenanceAdmin(admin.ModelAdmin[ScheduledMaintenance]):
    list_display = ("title", "page", "starts_at", "ends_at", "status")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = (
        "page",
        "kind",
        "email",
        "webhook_url",
        "confirmed_at",
        "disabled_at",
    )
    list_filter = ("kind", "page")
    exclude = ("confirm_token", "unsubscribe_token", "webhook_secret")
    # Webhook receivers need the secret to check webhook-signature (Standard Webhooks).
    readonly_fields = ("signing_secret",)

    @admin.display(description="Signing secret")
    def signing_secret(self, subscriber: Subscriber) -> str:
        return signing.shown(subscriber.webhook_secret) if subscriber.webhook_secret else ""

    def save_model(self, request: HttpRequest, obj: Subscriber, form: object, change: bool) -> None:
        # An admin adding a webhook is the opt-in; email addresses confirm by link.
        if obj.kind == SubscriberKind.WEBHOOK and obj.confirmed_at is None:
            obj.confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(PublishRequest)
class PublishRequestAdmin(admin.ModelAdmin[PublishRequest]):
    """Snapshot rewrites waiting for a worker (normally gone within a second)."""

    list_display = ("created_at", "incident_ids", "lease_owner", "attempts", "last_error")


@admin.register(SubscribeAttempt)
class SubscribeAttemptAdmin(admin.ModelAdmin[SubscribeAttempt]):
    """Read-only: the rate limiter's recent sign-up attempts (client addresses hashed)."""

    list_display = ("created_at", "page", "client")
    readonly_fields = ("created_at", "page", "client")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
