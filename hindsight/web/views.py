"""Pages that belong to no single domain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hindsight.runner.services import worker_health
from hindsight.web import health


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker check for load balancers and the demo monitor.

    503 when the database file is gone, does not answer or misses migrations, or
    when no worker has sent a heartbeat recently (background work has stopped).
    Anonymous callers get states, never error text; the reason goes to the log.
    """
    problem = health.database_problem()
    if problem is not None:
        word, detail = problem
        # The error text names hosts, users and paths: only for signed-in users.
        shown = detail if _signed_in(request) else word
        return JsonResponse({"status": "error", "database": shown, "worker": "unknown"}, status=503)
    worker = worker_health().state
    healthy = worker == "ok"
    body = {"status": "ok" if healthy else "error", "database": "ok", "worker": worker}
    return JsonResponse(body, status=200 if healthy else 503)


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
