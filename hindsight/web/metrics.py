"""`GET /metrics`: Prometheus / OpenMetrics text, built with prometheus_client.

Every value is read from the database when scraped, so any web process
answers for the whole installation (several workers share one database).
The check counters are columns of each monitor's region row, raised with the
row's update after every check, so they never go down while the monitor and
region exist; counts by result cover a trailing hour of raw results.

Protected by a bearer token (`HINDSIGHT_METRICS_TOKEN`) or an address
allow-list (`HINDSIGHT_METRICS_ALLOW`); with neither set it is off.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.exposition import choose_encoder

from hindsight.accounts.clientip import client_address
from hindsight.actions.models import ActionItem, ActionStatus
from hindsight.incidents.models import Incident
from hindsight.monitors.models import CheckResult, MonitorRegionState, MonitorState
from hindsight.outbox.models import Delivery, DeliveryState
from hindsight.runner.models import JobSchedule

WINDOW = timedelta(hours=1)
UP_STATES = (MonitorState.UP, MonitorState.DEGRADED)


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


def _lag(now: datetime, due: datetime | None) -> float:
    return max((now - due).total_seconds(), 0.0) if due is not None else 0.0


class HindsightCollector:
    """Collects every metric from the database, once per scrape."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield from self._monitors()
        yield from self._checks()
        yield from self._schedule()
        yield from self._outbox()
        yield from self._incidents()
        yield from self._actions()

    def _monitors(self) -> Iterator[Metric]:
        up = _gauge(
            "hindsight_monitor_up",
            "1 when the monitor is up (or degraded) in the region, else 0.",
            ["monitor", "region"],
        )
        latency = _gauge(
            "hindsight_monitor_response_time_seconds",
            "Response time of the latest check in the region that got an answer.",
            ["monitor", "region"],
        )
        latest = CheckResult.objects.filter(
            monitor=OuterRef("monitor"), region=OuterRef("region"), latency_ms__isnull=False
        ).order_by("-checked_at")
        states = (
            MonitorRegionState.objects.filter(monitor__paused=False)
            .annotate(latency_ms=Subquery(latest.values("latency_ms")[:1]), name=F("monitor__name"))
            .order_by("monitor_id", "region")
        )
        checks = CounterMetricFamily(
            "hindsight_monitor_checks",
            "Checks run in the region since the monitor was created.",
            labels=["monitor", "region"],
        )
        failures = CounterMetricFamily(
            "hindsight_monitor_check_failures",
            "Checks in the region that found the target down.",
            labels=["monitor", "region"],
        )
        for state in states:
            labels = [state.name, state.region]
            up.add_metric(labels, 1.0 if state.state in UP_STATES else 0.0)
            if state.latency_ms is not None:
                latency.add_metric(labels, state.latency_ms / 1000)
            checks.add_metric(labels, float(state.checks_total))
            failures.add_metric(labels, float(state.check_failures_total))
        yield from (up, latency, checks, failures)

    def _checks(self) -> Iterator[Metric]:
        checks = _gauge(
            "hindsight_monitor_checks_last_hour",
            "Checks run in the trailing hour, by result (up, degraded, down).",
            ["monitor", "region", "result"],
        )
        errors = _gauge(
            "hindsight_monitor_check_errors_last_hour",
            "Checks in the trailing hour that ended in an error (no answer, timeout, refused).",
            ["monitor", "region"],
        )
        rows = (
            CheckResult.objects.filter(checked_at__gte=self.now - WINDOW)
            .values("monitor__name", "region", "status")
            .annotate(n=Count("pk"), failed=Count("pk", filter=~Q(error="")))
            .order_by("monitor__name", "region", "status")
        )
        failed: dict[tuple[str, str], float] = {}
        for row in rows:
            key = (row["monitor__name"], row["region"])
            checks.add_metric([*key, row["status"]], float(row["n"]))
            failed[key] = failed.get(key, 0.0) + row["failed"]
        for key, value in failed.items():
            errors.add_metric(list(key), value)
        yield checks
        yield errors

    def _schedule(self) -> Iterator[Metric]:
        jobs = _gauge(
            "hindsight_job_lag_seconds",
            "How far behind its schedule each job is (0 when on time).",
            ["job"],
        )
        for job, due in JobSchedule.objects.order_by("job").values_list("job", "next_attempt_at"):
            jobs.add_metric([job], _lag(self.now, due))
        checks = _gauge(
            "hindsight_check_lag_seconds",
            "How far behind the most overdue check is (0 when every check ran on time).",
        )
        oldest = (
            MonitorRegionState.objects.filter(monitor__paused=False)
            .order_by("next_due_at")
            .values_list("next_due_at", flat=True)
            .first()
        )
        checks.add_metric([], _lag(self.now, oldest))
        yield jobs
        yield checks

    def _outbox(self) -> Iterator[Metric]:
        deliveries = _gauge(
            "hindsight_outbox_deliveries",
            "Outbox deliveries by state: pending (the depth), dead (given up, see /outbox/).",
            ["state"],
        )
        counts = dict(
            Delivery.objects.filter(state__in=(DeliveryState.PENDING, DeliveryState.DEAD))
            .values_list("state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for state in (DeliveryState.PENDING, DeliveryState.DEAD):
            deliveries.add_metric([str(state)], float(counts.get(state, 0)))
        retrying = _gauge(
            "hindsight_outbox_retrying",
            "Pending deliveries whose last attempt failed (waiting to be retried).",
        )
        retrying.add_metric(
            [], float(Delivery.objects.filter(state=DeliveryState.PENDING, attempts__gt=0).count())
        )
        yield deliveries
        yield retrying

    def _incidents(self) -> Iterator[Metric]:
        incidents = _gauge("hindsight_incidents_open", "Open incidents by severity.", ["severity"])
        counts = dict(
            Incident.objects.open().values_list("severity").annotate(n=Count("pk")).order_by()
        )
        for severity in ("SEV1", "SEV2", "SEV3", "SEV4"):
            incidents.add_metric([severity], float(counts.get(severity, 0)))
        yield incidents

    def _actions(self) -> Iterator[Metric]:
        open_items = ActionItem.objects.filter(
            status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        )
        items = _gauge("hindsight_action_items_open", "Action items not done yet.")
        items.add_metric([], float(open_items.count()))
        overdue = _gauge("hindsight_action_items_overdue", "Open action items past their due date.")
        overdue.add_metric([], float(open_items.filter(due_date__lt=self.now.date()).count()))
        yield items
        yield overdue


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = str(request.META.get("HTTP_AUTHORIZATION", ""))
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    address = client_address(request)
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in settings.METRICS_ALLOW)


@login_not_required  # the token or the allow-list is the credential, not a login
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text, or OpenMetrics when the scraper asks for it."""
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOW:
        return JsonResponse(
            {
                "detail": "Metrics are off: set HINDSIGHT_METRICS_TOKEN or HINDSIGHT_METRICS_ALLOW.",
                "code": "forbidden",
            },
            status=403,
        )
    if not _allowed(request):
        return JsonResponse(
            {"detail": "Send the metrics token: 'Authorization: Bearer …'.", "code": "forbidden"},
            status=403,
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HindsightCollector(timezone.now()))
    encoder, content_type = choose_encoder(str(request.META.get("HTTP_ACCEPT", "")))
    response = HttpResponse(encoder(registry), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
