"""90-day uptime per component, from the monitors' daily rollups.

A day without any rollup is "no data", never assumed up: an install that has
only monitored for a week shows 83 grey days, not 90 green ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.monitors.models import CheckRollup, RollupPeriod
from hindsight.probe.rollup import uptime_percent

DAYS = 90


@dataclass
class UptimeDay:
    day: date
    checks: int = 0
    up_checks: int = 0
    degraded_checks: int = 0
    incidents: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        # The same rule as /monitors/ and the API: degraded counts as up.
        return uptime_percent(self.checks, self.up_checks, self.degraded_checks)

    @property
    def level(self) -> str:
        """A CSS class: nodata, up, minor (< 99.9 %), major (< 99 %), down (< 95 %)."""
        pct = self.percent
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
        if self.incidents:
            text += "; incidents: " + "; ".join(self.incidents)
        return text


@dataclass
class UptimeBar:
    days: list[UptimeDay]

    @property
    def percent(self) -> float | None:
        return uptime_percent(
            sum(d.checks for d in self.days),
            sum(d.up_checks for d in self.days),
            sum(d.degraded_checks for d in self.days),
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
    today = today or timezone.now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    rows = (
        CheckRollup.objects.filter(
            period=RollupPeriod.DAY,
            bucket_start__gte=since,
            monitor__component__in=[c.pk for c in components],
        )
        .annotate(day=TruncDate("bucket_start", tzinfo=UTC))
        .values("monitor__component_id", "day")
        .annotate(checks=Sum("checks"), up=Sum("up_checks"), degraded=Sum("degraded_checks"))
    )
    counts: dict[tuple[int, date], tuple[int, int, int]] = {}
    for row in rows:
        key = (row["monitor__component_id"], row["day"])
        counts[key] = (row["checks"], row["up"], row["degraded"])
    titles = _incident_days(components, incidents, first, today)
    bars = {}
    for component in components:
        series = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            checks, up, degraded = counts.get((component.pk, day), (0, 0, 0))
            touched = titles.get((component.pk, day), [])
            series.append(UptimeDay(day, checks, up, degraded, touched))
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
