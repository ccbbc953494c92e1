from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hindsight.accounts.models import ApiToken, RateWindow, User


@admin.register(User)
class HindsightUserAdmin(UserAdmin[User]):
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    # The role alone grants rights: staff and superuser follow it (User.save), and
    # Django's per-user permissions and groups are not used.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role")}),)
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_prefix", "key_hash", "created_at", "last_used_at")


@admin.register(RateWindow)
class RateWindowAdmin(admin.ModelAdmin[RateWindow]):
    """Read-only: rate-limit counters (keys are hashes of addresses and integrations)."""

    list_display = ("window_start", "key", "hits")
    readonly_fields = ("window_start", "key", "hits")
