"""Raw results roll up into minute, hour and day buckets; retention prunes each level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hindsight.monitors import storage
from hindsight.monitors.models import CheckResult, CheckRollup, Monitor

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 1, tzinfo=UTC)


def _results(monitor: Monitor, hours: int, *, down_every: int = 0) -> None:
    rows = []
    for minute in range(hours * 60):
        down = down_every and minute % down_every == 0
        rows.append(
            CheckResult(
                monitor=monitor,
                checked_at=START + timedelta(minutes=minute, seconds=7),
                status="down" if down else "up",
                latency_ms=None if down else 10.0 + minute % 50,
                error="refused" if down else "",
            )
        )
    CheckResult.objects.bulk_create(rows)


def test_it_rolls_up_minutes_hours_and_days_and_keeps_the_counts():
    monitor = Monitor.objects.create(name="web", target="http://127.0.0.1:9/")
    _results(monitor, 48, down_every=100)
    now = START + timedelta(days=2, minutes=5)
    written = storage.roll_up(now=now)
    assert written == {"minute": 48 * 60, "hour": 48, "day": 2}
    day = CheckRollup.objects.get(period="day", bucket_start=START)
    assert (day.checks, day.down_checks) == (1440, 15)
    assert day.up_checks == 1425
    assert 30 <= day.latency_p50_ms <= 40
    assert 55 <= day.latency_p99_ms <= 59
    # a second run writes nothing new
    assert storage.roll_up(now=now) == {"minute": 0, "hour": 0, "day": 0}
    assert CheckRollup.objects.filter(period="day").count() == 2


def test_uptime_counts_each_check_once_across_levels():
    monitor = Monitor.objects.create(name="web", target="http://127.0.0.1:9/")
    _results(monitor, 30, down_every=10)  # 10 % down
    now = START + timedelta(hours=30, minutes=5)
    storage.roll_up(now=now)
    uptime = storage.uptime(monitor_ids=[monitor.pk], now=now)[monitor.pk]
    assert uptime["24h"] == pytest.approx(90.0, abs=0.2)
    assert uptime["90d"] == pytest.approx(90.0, abs=0.1)
    total = CheckRollup.objects.filter(period="minute").count()
    assert total == 30 * 60


def test_pruning_keeps_rollups_for_their_retention_and_never_drops_unrolled_rows(settings):
    settings.MONITOR_RAW_RETENTION_HOURS = 6
    settings.MONITOR_MINUTE_RETENTION_HOURS = 25
    monitor = Monitor.objects.create(name="web", target="http://127.0.0.1:9/")
    _results(monitor, 48)
    now = START + timedelta(days=2, minutes=5)
    assert storage.prune(now=now)["raw"] == 0, "nothing is rolled up yet, so nothing is lost"
    storage.roll_up(now=now)
    deleted = storage.prune(now=now)
    assert CheckResult.objects.filter(checked_at__lt=now - timedelta(hours=6)).count() == 0
    assert deleted["raw"] == 42 * 60 + 5  # minutes 0 .. 42h04m
    assert CheckRollup.objects.filter(period="minute").count() == 25 * 60 - 5
    assert CheckRollup.objects.filter(period="day").count() == 2
