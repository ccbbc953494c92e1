"""Pages that belong to no single domain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and the demo monitor."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means "not healthy"
        # The error text names hosts, users and paths: only for signed-in users.
        shown = str(exc)[:200] if _signed_in(request) else "unavailable"
        return JsonResponse({"status": "error", "database": shown}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _signed_in(request: HttpRequest) -> bool:
    try:
        return bool(request.user.is_authenticated)
    except Exception:  # the session lives in the database that just failed
        return False


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What a login gets after too many failures (django-axes): 429 and when to retry."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    response = render(
        request,
        "registration/login.html",
        {
            "locked": (
                f"Too many failed logins for this user name or from this address. "
                f"Logins are refused for {minutes} minutes: try again later, or ask an "
                f"admin to unlock your account."
            )
        },
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
