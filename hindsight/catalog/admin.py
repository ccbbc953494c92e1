from django.contrib import admin

from hindsight.catalog.models import Component, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("name", "owner_team", "tier")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin[Component]):
    list_display = ("name", "group", "service", "status", "position")
    list_filter = ("status", "group")
    # The status is computed from its inputs (catalog/status.py): responders set
    # theirs through public updates, monitors and maintenance through their jobs.
    readonly_fields = ("status", "responder_status", "in_maintenance", "monitor_status")
