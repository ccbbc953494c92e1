from django.contrib import admin

from hindsight.monitors.models import (
    CheckResult,
    CheckRollup,
    Flip,
    MaintenanceWindow,
    Monitor,
    MonitorIncident,
    MonitorRegionState,
)


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin[Monitor]):
    list_display = ("name", "kind", "target", "state", "interval_seconds", "paused")
    list_filter = ("kind", "state", "paused")
    search_fields = ("name", "target")


@admin.register(Flip)
class FlipAdmin(admin.ModelAdmin[Flip]):
    list_display = (
        "created_at",
        "monitor",
        "old_state",
        "new_state",
        "region",
        "processed_at",
        "attempts",
        "last_error",
    )


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin[CheckResult]):
    list_display = ("checked_at", "monitor", "region", "status", "latency_ms", "error")


@admin.register(CheckRollup)
class CheckRollupAdmin(admin.ModelAdmin[CheckRollup]):
    list_display = ("monitor", "period", "bucket_start", "region", "checks", "up_checks")


admin.site.register(MonitorRegionState)
admin.site.register(MaintenanceWindow)


@admin.register(MonitorIncident)
class MonitorIncidentAdmin(admin.ModelAdmin[MonitorIncident]):
    list_display = ("created_at", "monitor", "incident", "tls")
