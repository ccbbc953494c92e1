from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.incidents import lifecycle
from hindsight.incidents.models import (
    KEY_MOMENTS,
    Incident,
    IncidentFingerprint,
    TimelineEvent,
    TimelineEventRevision,
)


class TimelineEventInline(admin.TabularInline[TimelineEvent, Any]):
    model = TimelineEvent
    extra = 0
    fields = ("occurred_at", "kind", "source", "actor_name", "text", "visibility", "is_key")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The timeline is append-only through incidents.services.append_event.
        return False


# Changed only through the lifecycle services, which lock the row and record
# the change on the timeline, exactly as the incident page does.
LIFECYCLE_FIELDS = frozenset(
    {"status", "severity", "commander", "services", *(f"{m}_at" for m in KEY_MOMENTS)}
)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ("id", "title", "severity", "status", "started_at", "resolved_at")
    list_filter = ("severity", "status", "restricted")
    search_fields = ("title", "summary")
    inlines = [TimelineEventInline]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # The form carries the values it was opened with, so "changed"
            # means changed by this admin, not by someone else since.
            field.show_hidden_initial = True
        return field

    def save_model(
        self, request: HttpRequest, obj: Incident, form: forms.ModelForm[Incident], change: bool
    ) -> None:
        """Save only what the admin changed; lifecycle fields go through the lifecycle services.

        Writing every field back would revert a status or severity change made
        after the admin opened the form, with no timeline record.
        """
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = set(form.changed_data)
        actor = request.user if isinstance(request.user, User) else None
        try:
            with transaction.atomic():
                plain = sorted(changed - LIFECYCLE_FIELDS)
                if plain:
                    obj.updated_at = timezone.now()
                    obj.save(update_fields=[*plain, "updated_at"])
                self._apply_lifecycle(obj, changed, actor)
        except lifecycle.LifecycleError as exc:
            self.message_user(request, f"Nothing was saved: {exc}", level=messages.ERROR)

    def _apply_lifecycle(self, obj: Incident, changed: set[str], actor: User | None) -> None:
        if "severity" in changed:
            lifecycle.change_severity(incident=obj, severity=obj.severity, actor=actor)
        if "status" in changed:
            lifecycle.change_status(
                incident=obj, status=obj.status, actor=actor, note="Changed in the admin."
            )
        if "commander" in changed:
            lifecycle.change_commander(incident=obj, commander=obj.commander, actor=actor)
        for moment in KEY_MOMENTS:
            if f"{moment}_at" in changed and actor is not None:
                lifecycle.correct_moment(
                    incident=obj,
                    moment=moment,
                    at=getattr(obj, f"{moment}_at"),
                    actor=actor,
                    reason="Corrected in the admin.",
                )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Incident], formsets: Any, change: bool
    ) -> None:
        if change and "services" in form.changed_data:
            actor = request.user if isinstance(request.user, User) else None
            lifecycle.change_services(
                incident=form.instance, services=list(form.cleaned_data["services"]), actor=actor
            )
        super().save_related(request, form, formsets, change)


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin[TimelineEvent]):
    list_display = ("occurred_at", "incident", "kind", "source", "actor_name", "is_key", "hidden")
    list_filter = ("kind", "source", "visibility", "is_key", "hidden")
    readonly_fields = ("incident", "recorded_at", "idempotency_key", "raw")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TimelineEventRevision)
class TimelineEventRevisionAdmin(admin.ModelAdmin[TimelineEventRevision]):
    list_display = ("event", "changed_by", "changed_at")


@admin.register(IncidentFingerprint)
class IncidentFingerprintAdmin(admin.ModelAdmin[IncidentFingerprint]):
    list_display = ("fingerprint", "incident", "source", "active", "first_seen_at", "recovered_at")
    list_filter = ("source", "active")
    search_fields = ("fingerprint",)
    readonly_fields = ("incident", "fingerprint", "source", "first_seen_at", "last_seen_at")
