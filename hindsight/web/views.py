"""Pages that belong to no single domain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from hindsight.web import health


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and the demo monitor."""
    problem = health.database_problem()
    if problem is not None:
        # The reason goes to the log only: error text can name hosts, users and paths.
        return JsonResponse({"status": "error", "database": problem}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
