"""Pages that belong to no single domain."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from hindsight.runner.services import worker_health

log = logging.getLogger(__name__)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker check for load balancers and the demo monitor.

    503 when the database does not answer or no worker has sent a heartbeat
    recently (background work has stopped). Anonymous callers get states,
    never error text; the reason goes to the log.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        worker = worker_health().state
    except Exception:  # any database failure means "not healthy"
        log.exception("health check: the database did not answer")
        return JsonResponse(
            {"status": "error", "database": "error", "worker": "unknown"}, status=503
        )
    healthy = worker == "ok"
    body = {"status": "ok" if healthy else "error", "database": "ok", "worker": worker}
    return JsonResponse(body, status=200 if healthy else 503)
