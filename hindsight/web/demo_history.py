"""Ninety days of demo uptime history, so the demo status page's bars mean something.

Each component gets a paused monitor marked "(demo history)" with one daily
rollup per day: a few short blips, and the demo outage on its day. Paused
monitors are never checked, so the demo sends no traffic anywhere.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from hindsight.catalog.models import Component
from hindsight.monitors import storage
from hindsight.monitors.models import CheckRollup, Monitor, MonitorKind, MonitorState
from hindsight.probe.rollup import HISTOGRAM_SLOTS, Rollup, latency_slot

CHECKS_PER_DAY = 1440
SAMPLES = 144  # latencies drawn per day; each stands for ten checks


def _day(rng: random.Random, start: datetime, base_ms: float, down: int) -> Rollup:
    histogram = [0] * HISTOGRAM_SLOTS
    latencies = [max(1.0, rng.lognormvariate(0, 0.35) * base_ms) for _ in range(SAMPLES)]
    for latency in latencies:
        histogram[latency_slot(latency)] += CHECKS_PER_DAY // SAMPLES
    up = CHECKS_PER_DAY - down
    scale = up / CHECKS_PER_DAY
    return Rollup(
        start=start,
        resolution="day",
        checks=CHECKS_PER_DAY,
        up=up,
        down=down,
        latency_count=up,
        latency_sum_ms=sum(latencies) * (CHECKS_PER_DAY / SAMPLES) * scale,
        latency_min_ms=min(latencies),
        latency_max_ms=max(latencies),
        histogram=tuple(round(count * scale) for count in histogram),
    )


def seed_history(
    *, components: dict[str, Component], outages: dict[str, tuple[date, int]], today: date
) -> None:
    """Create a paused history monitor per component with 90 daily rollups."""
    rng = random.Random(20261129)  # the same demo every time
    rows: list[CheckRollup] = []
    for slug, component in components.items():
        monitor = Monitor.objects.create(
            name=f"{component.name} (demo history)",
            kind=MonitorKind.HTTP,
            target=f"https://{slug}.example.com/healthz",
            paused=True,
            state=MonitorState.PAUSED,
            service=component.service,
            component=component,
        )
        base_ms = rng.uniform(60, 180)
        for offset in range(90, 0, -1):
            day = today - timedelta(days=offset)
            down = rng.choice((0,) * 40 + (1, 3))
            outage = outages.get(slug)
            if outage and outage[0] == day:
                down += outage[1]
            start = datetime.combine(day, time.min, tzinfo=UTC)
            rows.append(storage.to_row(monitor.pk, "", _day(rng, start, base_ms, down)))
    CheckRollup.objects.bulk_create(rows)
