"""The Notifications page: create channels, route them by service and severity,
send a test through the outbox and see how it went."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hindsight.accounts import audit
from hindsight.accounts.permissions import role_required
from hindsight.formerrors import form_errors
from hindsight.incidents.models import Severity
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.notifiers import TEST_EVENT
from hindsight.integrations.notify import SENDER, enqueue_test
from hindsight.outbox.models import Delivery


class ChannelForm(forms.ModelForm[NotificationChannel]):
    severities = forms.MultipleChoiceField(
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every severity",
    )

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "target", "secret", "services", "severities"]
        widgets = {
            "target": forms.TextInput(),
            "secret": forms.TextInput(),
            "services": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "target": "An email address (several: comma-separated) or the webhook URL",
            "secret": "Webhooks only: the key that signs each request (Standard Webhooks)",
            "services": "None ticked: every service",
        }


def smtp_missing() -> bool:
    """Email channels cannot send: no SMTP server is configured (HINDSIGHT_SMTP_HOST)."""
    return not settings.EMAIL_HOST


def _last_tests() -> dict[int, Delivery]:
    latest: dict[int, Delivery] = {}
    tests = Delivery.objects.filter(sender=SENDER, event=TEST_EVENT).order_by("created_at")
    for delivery in tests:
        channel = delivery.payload.get("channel")
        if isinstance(channel, int):
            latest[channel] = delivery
    return latest


def channel_list(request: HttpRequest) -> HttpResponse:
    """List the notification channels; editors create new ones here."""
    can_edit = request.user.has_role("editor")  # type: ignore[union-attr]
    form = ChannelForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("This needs the editor role.")
        form = ChannelForm(request.POST)
        if form.is_valid():
            channel = form.save()
            audit.record(
                action="notification_channel.created",
                target=channel,
                actor=request.user,  # type: ignore[arg-type]
                summary=f"{channel.name} ({channel.kind})",
            )
            messages.success(request, f"Channel {channel.name} created. Send it a test.")
            return redirect("integrations:channels")
        messages.error(request, f"The channel was not created: {form_errors(form)}")
    channels = NotificationChannel.objects.prefetch_related("services").order_by("name")
    tests = _last_tests()
    rows = [(channel, tests.get(channel.pk)) for channel in channels]
    email_channels = any(c.kind == "email" for c in channels)
    return render(
        request,
        "integrations/channels.html",
        {
            "rows": rows,
            "form": form,
            "can_edit": can_edit,
            "smtp_missing": smtp_missing(),
            "email_channels": email_channels,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required("editor")
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a test message to one channel; the page shows how the delivery went."""
    channel = get_object_or_404(NotificationChannel, pk=pk)
    try:
        channel.full_clean()
    except ValidationError as exc:
        messages.error(request, f"No test sent: {' '.join(exc.messages)}")
        return redirect("integrations:channels")
    enqueue_test(channel=channel)
    audit.record(action="notification_channel.tested", target=channel, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Test queued for {channel.name}; its result shows below.")
    return redirect("integrations:channels")
