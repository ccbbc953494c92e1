"""Monitor pages: the list with uptime, one monitor with its chart, flips and results."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from hindsight import probe
from hindsight.accounts.permissions import role_required
from hindsight.formerrors import form_errors
from hindsight.incidents.models import Incident
from hindsight.monitors import credentials, services, storage
from hindsight.monitors.charts import latency_svg, sparkline_svg
from hindsight.monitors.forms import MonitorForm, WindowForm
from hindsight.monitors.models import CheckResult, Monitor

PAGE_SIZE = 100
HEARTBEATS = 30  # check results in each list row's heartbeat strip and sparkline


def _sparkline(results: list[CheckResult]) -> SafeString:
    known = [r.latency_ms for r in results if r.latency_ms is not None]
    if not known:
        return SafeString("")
    label = (
        f"Response time of the last {len(results)} checks: {min(known):.0f} to {max(known):.0f} ms"
    )
    return sparkline_svg([r.latency_ms for r in results], label=label)


def monitor_list(request: HttpRequest) -> HttpResponse:
    """List monitors with their state and uptime, 100 a page."""
    monitors = Monitor.objects.select_related("service")
    state = request.GET.get("state", "")
    if state:
        monitors = monitors.filter(state=state)
    page = Paginator(monitors, PAGE_SIZE).get_page(request.GET.get("page"))
    uptime = storage.uptime(monitor_ids=[m.pk for m in page])
    recent = storage.recent_results(monitor_ids=[m.pk for m in page], count=HEARTBEATS)
    rows = [(m, uptime[m.pk], recent[m.pk], _sparkline(recent[m.pk])) for m in page]
    return render(
        request,
        "monitors/list.html",
        {
            "rows": rows,
            "page": page,
            "state": state,
            "can_edit": request.user.has_role("editor"),  # type: ignore[union-attr]
        },
    )


def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One monitor: state, uptime, latency chart, 90-day bars, flips and recent results."""
    monitor = get_object_or_404(Monitor.objects.select_related("service", "component"), pk=pk)
    now = timezone.now()
    hours = storage.latency_series(monitor_id=pk, since=now - timedelta(hours=48), period="hour")
    after = hours[-1].start + timedelta(hours=1) if hours else now - timedelta(hours=48)
    series = hours + storage.latency_series(monitor_id=pk, since=after)
    if len(series) >= 2:
        points = [(m.start, m.p50) for m in series]
    else:  # a new monitor: draw its raw results until they are rolled up
        recent = monitor.results.order_by("-checked_at")[:120]
        points = [(r.checked_at, r.latency_ms) for r in reversed(recent)]
    days = storage.latency_series(monitor_id=pk, since=now - timedelta(days=90), period="day")
    return render(
        request,
        "monitors/detail.html",
        {
            "monitor": monitor,
            "secrets": credentials.summary(monitor),
            "uptime": storage.uptime(monitor_ids=[pk], now=now)[pk],
            "chart": latency_svg(points, label="Median response time, last 48 hours"),
            "bars": probe.uptime_bars(days, today=now.date()),
            "flips": monitor.flips.all()[:50],
            "incidents": monitor.incidents.filter(
                incident__in=Incident.objects.visible_to(request.user)
            ).select_related("incident")[:20],
            "results": monitor.results.order_by("-checked_at")[:50],
            "windows": monitor.maintenance.order_by("starts_at"),
            "window_form": WindowForm(initial={"time_zone": "UTC"}),
            "can_edit": request.user.has_role("editor"),  # type: ignore[union-attr]
        },
    )


@role_required("editor")
def monitor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a monitor, or edit one (editors and up)."""
    monitor = get_object_or_404(Monitor, pk=pk) if pk else Monitor()
    form = MonitorForm(request.POST or None, instance=monitor)
    if request.method == "POST" and form.is_valid():
        saved = services.save_monitor(monitor=form.instance)
        messages.success(request, f"Saved monitor {saved.name!r}.")
        return redirect("monitors:detail", saved.pk)
    return render(request, "monitors/edit.html", {"form": form, "monitor": monitor})


@require_POST
@role_required("editor")
def monitor_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause a monitor: no checks, no alerts."""
    monitor = get_object_or_404(Monitor, pk=pk)
    services.pause_monitor(monitor=monitor)
    messages.success(request, f"Paused {monitor.name!r}.")
    return redirect("monitors:detail", pk)


@require_POST
@role_required("editor")
def monitor_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a paused monitor; it is checked straight away."""
    monitor = get_object_or_404(Monitor, pk=pk)
    services.resume_monitor(monitor=monitor)
    messages.success(request, f"Resumed {monitor.name!r}.")
    return redirect("monitors:detail", pk)


@require_POST
@role_required("editor")
def add_window(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a maintenance window that suppresses the monitor's alerts."""
    monitor = get_object_or_404(Monitor, pk=pk)
    form = WindowForm(request.POST)
    if form.is_valid():
        form.instance.monitor = monitor
        services.add_maintenance(window=form.instance)
        messages.success(request, "Maintenance window added.")
    else:
        messages.error(request, f"Maintenance window not added: {form_errors(form)}")
    return redirect("monitors:detail", pk)
