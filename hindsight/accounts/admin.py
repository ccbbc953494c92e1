from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from hindsight.accounts import audit
from hindsight.accounts.models import ApiToken, AuditEntry, RateWindow, User


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


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """The audit log: read-only, filterable, exportable as CSV or JSON."""

    list_display = ("at", "actor_name", "via", "action", "target_type", "target_name", "summary")
    list_filter = ("action", "via", "target_type", "actor_name")
    search_fields = ("actor_name", "action", "target_name", "target_id", "summary")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    actions = ["export_csv", "export_json"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Export selected entries as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEntry]) -> HttpResponse:
        response = HttpResponse(audit.to_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hindsight-audit.csv"'
        return response

    @admin.action(description="Export selected entries as JSON")
    def export_json(self, request: HttpRequest, queryset: QuerySet[AuditEntry]) -> HttpResponse:
        response = HttpResponse(audit.to_json(queryset), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="hindsight-audit.json"'
        return response
