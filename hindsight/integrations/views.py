"""The webhook endpoint (public, token in the URL) and the integrations page (editors)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hindsight.accounts import ratelimit
from hindsight.accounts.clientip import client_address
from hindsight.accounts.permissions import role_required
from hindsight.catalog.models import Service
from hindsight.integrations import services
from hindsight.integrations.models import Integration, alert_sources
from hindsight.integrations.webhooks.common import WebhookError
from hindsight.integrations.webhooks.registry import SOURCES

MINUTE = timedelta(minutes=1)
# Deliveries per integration per minute: an alert storm fits, a flood does not.
ALERT_POST_LIMIT = 600
# Wrong tokens per client address per minute before the endpoint stops answering it.
BAD_TOKEN_LIMIT = 20


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _too_many(wait: int) -> JsonResponse:
    response = _error(429, "rate_limited", f"Too many requests; retry in {wait} s.")
    response["Retry-After"] = str(wait)
    return response


@csrf_exempt
@login_not_required
def receive(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """Accept one alert post: 202 with what happened, or a 4xx JSON error."""
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Deliver alerts with POST.")
    if kind not in SOURCES:
        return _error(
            404,
            "unknown_kind",
            f"Unknown integration kind {kind!r}; use one of {', '.join(SOURCES)}.",
        )
    client = client_address(request)
    integration = services.integration_for_token(kind=kind, token=token)
    if integration is None:
        # Guessing tokens: a few wrong ones per address, then a pause.
        wait = ratelimit.hit(key=f"hook-miss:{client}", limit=BAD_TOKEN_LIMIT, window=MINUTE)
        if wait:
            return _too_many(wait)
        return _error(401, "unauthorized", "Unknown or disabled integration token for this kind.")
    wait = ratelimit.hit(key=f"hook:{integration.pk}", limit=ALERT_POST_LIMIT, window=MINUTE)
    if wait:
        return _too_many(wait)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "bad_request", "Content-Length is not a number.")
    if length > services.MAX_BODY_BYTES:
        return _error(413, "too_large", f"The body is larger than {services.MAX_BODY_BYTES} bytes.")
    body = request.read(services.MAX_BODY_BYTES + 1)
    try:
        result = services.receive_alerts(integration=integration, body=body)
    except WebhookError as exc:
        return _error(exc.status, exc.code, exc.detail)
    return JsonResponse(result.as_json(), status=202)


class IntegrationForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=alert_sources)
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(),
        required=False,
        empty_label="(none: alerts name their service, or open service-less incidents)",
    )


_CREATED = "integrations.created"


def _hook_url(request: HttpRequest, integration: Integration, token: str) -> str:
    path = reverse("integrations:receive", kwargs={"kind": integration.kind, "token": token})
    return request.build_absolute_uri(path)


def integration_list(request: HttpRequest) -> HttpResponse:
    """List the alert integrations; editors create new ones here."""
    form = IntegrationForm()
    can_edit = request.user.has_role("editor")  # type: ignore[union-attr]
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("This needs the editor role.")
        form = IntegrationForm(request.POST)
        if form.is_valid():
            integration, token = services.create_integration(**form.cleaned_data)
            # Kept in the session for exactly one page view, then dropped: the
            # token is stored hashed, and a reload must not create another.
            request.session[_CREATED] = {
                "pk": integration.pk,
                "token": token,
                "url": _hook_url(request, integration, token),
            }
            return redirect("integrations:list")
    created = request.session.pop(_CREATED, None)
    if created is not None:
        created["integration"] = Integration.objects.filter(pk=created["pk"]).first()
    return render(
        request,
        "integrations/list.html",
        {
            "integrations": Integration.objects.select_related("service").order_by("name"),
            "form": form,
            "created": created if created and created["integration"] else None,
            "can_edit": can_edit,
        },
    )


@require_POST
@role_required("editor")
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable or disable an integration; a disabled one refuses alert posts."""
    integration = get_object_or_404(Integration, pk=pk)
    services.set_enabled(integration=integration, enabled=not integration.enabled)
    state = "enabled" if integration.enabled else "disabled"
    messages.success(request, f"{integration.name} is {state}.")
    return redirect("integrations:list")
