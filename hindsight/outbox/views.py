"""The outbox page: what is waiting, what was given up (dead letters), retry or discard."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from hindsight.accounts.permissions import role_required
from hindsight.outbox import services
from hindsight.outbox.models import Delivery, DeliveryState, Destination

SHOWN = 200  # newest deliveries listed per state


@require_safe
@role_required("admin")
def delivery_list(request: HttpRequest) -> HttpResponse:
    """Deliveries in one state (dead letters first), and destinations backing off."""
    state = request.GET.get("state", DeliveryState.DEAD)
    if state not in DeliveryState.values:
        state = DeliveryState.DEAD
    counts = dict(Delivery.objects.values_list("state").annotate(n=Count("pk")).order_by())
    deliveries = (
        Delivery.objects.filter(state=state)
        .select_related("destination")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    backing_off = Destination.objects.filter(
        attempts__gt=0, next_attempt_at__gt=timezone.now()
    ).order_by("next_attempt_at")
    return render(
        request,
        "outbox/deliveries.html",
        {
            "state": state,
            "tabs": [(s, label, counts.get(s, 0)) for s, label in DeliveryState.choices],
            "deliveries": deliveries,
            "backing_off": backing_off,
            "can_act": state in (DeliveryState.DEAD, DeliveryState.PENDING),
        },
    )


@require_POST
@role_required("admin")
def retry(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Queue a dead or waiting delivery again, now."""
    return _act(request, pk, services.retry, "queued again")


@require_POST
@role_required("admin")
def discard(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Give up on a dead or waiting delivery."""
    return _act(request, pk, services.discard, "discarded")


def _act(
    request: HttpRequest, pk: uuid.UUID, action: Callable[..., Delivery], done: str
) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("destination"), pk=pk)
    back = request.POST.get("state", DeliveryState.DEAD)
    try:
        action(delivery=delivery)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{delivery.event} to {delivery.destination.label}: {done}.")
    if back not in DeliveryState.values:
        back = DeliveryState.DEAD
    return redirect(f"{reverse('outbox:list')}?state={back}")
