"""90-day uptime per component, counted as /monitors/ counts it.

The counts come from ``monitors.storage.check_counts``: rollups, then the raw
checks not rolled up yet, so today's cell includes the latest checks. A
component with a monitor that is down right now has a "down" cell today, and
neither today nor the 90-day figure reads 100 % (shown to two decimals, a
percentage with any failed check is at most 99.99).

A day without any check is "no data", never assumed up: an install that has
only monitored for a week shows 83 grey days, not 90 green ones. Rendering
only reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.monitors.models import Monitor, MonitorState
from hindsight.monitors.storage import check_counts
from hindsight.probe.rollup import uptime_percent

DAYS = 90
# The highest figure shown (to two decimals) when any check failed or a monitor is down.
BELOW_FULL = 99.99


def shown_percent(checks: int, up: int, degraded: int, *, down_now: bool) -> float | None:
    """The uptime rule of /monitors/, never rounding up to 100 % over a failure."""
    pct = uptime_percent(checks, up, degraded)
    if pct is not None and (down_now or up + degraded < checks):
        return min(pct, BELOW_FULL)
    return pct


@dataclass
class UptimeDay:
    day: date
    checks: int = 0
    up_checks: int = 0
    degraded_checks: int = 0
    incidents: list[str] = field(default_factory=list)
    # Today only: a monitor of the component is down right now.
    down_now: bool = False

    @property
    def percent(self) -> float | None:
        # The same rule as /monitors/ and the API: degraded counts as up.
        return shown_percent(
            self.checks, self.up_checks, self.degraded_checks, down_now=self.down_now
        )

    @property
    def level(self) -> str:
        """A CSS class: nodata, up, minor (< 99.9 %), major (< 99 %), down (< 95 % or
        down right now)."""
        pct = self.percent
        if self.down_now:
            return "down"
        if pct is None:
            return "nodata" if not self.incidents else "minor"
        if pct >= 99.9:
            return "minor" if self.incidents else "up"
        if pct >= 99.0:
            return "minor"
        return "major" if pct >= 95.0 else "down"

    @property
    def label(self) -> str:
        pct = self.percent
        text = f"{self.day:%b %d}: " + ("no data" if pct is None else f"{pct:.2f}% uptime")
        if self.down_now:
            text += "; down now"
        if self.incidents:
            text += "; incidents: " + "; ".join(self.incidents)
        return text


@dataclass
class UptimeBar:
    days: list[UptimeDay]

    @property
    def percent(self) -> float | None:
        return shown_percent(
            sum(d.checks for d in self.days),
            sum(d.up_checks for d in self.days),
            sum(d.degraded_checks for d in self.days),
            down_now=any(d.down_now for d in self.days),
        )

    @property
    def days_with_data(self) -> int:
        return sum(1 for d in self.days if d.checks)

    @property
    def notable_days(self) -> list[UptimeDay]:
        """Days worth listing for people who cannot hover: incidents or below 100 %."""
        return [
            d
            for d in reversed(self.days)
            if d.incidents or (d.percent is not None and d.percent < 100.0)
        ]


def uptime_bars(
    components: list[Component],
    incidents: list[Incident],
    *,
    today: date | None = None,
    days: int = DAYS,
) -> dict[int, UptimeBar]:
    """Return each component's last ``days`` days of uptime (UTC days), oldest first."""
    now = timezone.now()
    today = today or now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    monitors = list(
        Monitor.objects.filter(component__in=[c.pk for c in components]).values_list(
            "pk", "component_id", "state", "paused"
        )
    )
    component_of = {pk: component_id for pk, component_id, _, _ in monitors}
    down_now = {
        component_id
        for _, component_id, state, paused in monitors
        if state == MonitorState.DOWN and not paused
    }
    counts: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    by_monitor = check_counts(monitor_ids=component_of, since=since, now=now, by_day=True)
    for (monitor_id, day), (checks, up, degraded) in by_monitor.items():
        if day is None:  # by_day always gives a day
            continue
        total = counts[(component_of[monitor_id], day)]
        total[0] += checks
        total[1] += up
        total[2] += degraded
    titles = _incident_days(components, incidents, first, today)
    bars = {}
    for component in components:
        series = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            checks, up, degraded = counts.get((component.pk, day), (0, 0, 0))
            touched = titles.get((component.pk, day), [])
            now_down = day == today and component.pk in down_now
            series.append(UptimeDay(day, checks, up, degraded, touched, now_down))
        bars[component.pk] = UptimeBar(series)
    return bars


def _incident_days(
    components: list[Component], incidents: list[Incident], first: date, last: date
) -> dict[tuple[int, date], list[str]]:
    """Map (component, day) to the titles of incidents that touched it that day."""
    by_service: dict[int, list[int]] = defaultdict(list)
    for component in components:
        if component.service_id:
            by_service[component.service_id].append(component.pk)
    wanted = {c.pk for c in components}
    result: dict[tuple[int, date], list[str]] = defaultdict(list)
    for incident in incidents:
        touched = {
            row.component_id
            for update in incident.status_updates.all()
            for row in update.components.all()
        }
        for service in incident.services.all():
            touched.update(by_service.get(service.pk, ()))
        start = incident.started_at.astimezone(UTC).date()
        end_at = incident.resolved_at or incident.closed_at or timezone.now()
        end = end_at.astimezone(UTC).date()
        day = max(start, first)
        while day <= min(end, last):
            for component_id in touched & wanted:
                result[(component_id, day)].append(incident.shown_title)
            day += timedelta(days=1)
    return result
