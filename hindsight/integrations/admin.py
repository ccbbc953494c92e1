from urllib.parse import urlsplit

from django import forms
from django.contrib import admin

from hindsight.integrations.models import (
    ChatImport,
    ChatImportPart,
    EarlyRecovery,
    Integration,
    NotificationChannel,
)
from hindsight.integrations.notifiers import channel_kind


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin[Integration]):
    list_display = ("name", "kind", "service", "enabled", "last_received_at")
    readonly_fields = ("token_hash", "token_prefix")


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    """The HMAC secret is write-only: never filled in, empty keeps the stored one."""

    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Signing secret for webhooks (Standard Webhooks): paste the receiver's whsec_… "
            "secret, or any text (its whsec_ form is the same key). "
            "Leave empty to keep the stored one."
        ),
    )
    clear_secret = forms.BooleanField(required=False, label="Remove the stored secret")

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "target", "secret", "services", "enabled"]

    def clean_secret(self) -> str:
        given = str(self.cleaned_data.get("secret") or "")
        if self.data.get("clear_secret"):
            return ""
        return given or self.instance.secret


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin[NotificationChannel]):
    form = ChannelForm
    list_display = ("name", "kind", "destination", "secret_set", "enabled")

    @admin.display(description="Destination")
    def destination(self, channel: NotificationChannel) -> str:
        # A chat webhook URL is itself a credential: show where it goes, not the whole of it.
        kind = channel_kind(channel.kind)
        if kind is not None and not kind.url:
            return str(channel.target)
        parts = urlsplit(str(channel.target))
        return f"{parts.scheme}://{parts.hostname or ''}/…"

    @admin.display(description="Secret", boolean=True)
    def secret_set(self, channel: NotificationChannel) -> bool:
        return bool(channel.secret)


@admin.register(EarlyRecovery)
class EarlyRecoveryAdmin(admin.ModelAdmin[EarlyRecovery]):
    list_display = ("fingerprint", "occurred_at", "source", "received_at")
    search_fields = ("fingerprint",)


class ChatImportPartInline(admin.TabularInline[ChatImportPart, ChatImport]):
    model = ChatImportPart
    fields = ("seq",)
    readonly_fields = ("seq",)
    extra = 0
    can_delete = False


@admin.register(ChatImport)
class ChatImportAdmin(admin.ModelAdmin[ChatImport]):
    list_display = ("filename", "incident", "kind", "state", "phase", "imported", "messages")
    list_filter = ("state", "kind")
    raw_id_fields = ("incident", "requested_by")
    inlines = (ChatImportPartInline,)
