"""Storage that stays small: roll raw results up per minute/hour/day, prune by retention.

Rollups use the probe's mergeable buckets (counts, latency sum/min/max and a
fixed histogram), so hours are built from minutes and days from hours without
the raw rows. Each level resumes after its newest stored bucket, so running
the step twice adds nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from hindsight import probe
from hindsight.monitors.models import CheckResult, CheckRollup, MonitorState, RollupPeriod
from hindsight.probe import Status
from hindsight.probe.rollup import RESOLUTIONS, bucket_start

log = logging.getLogger(__name__)

# Results are stamped when a check starts and stored when it ends: wait this
# long after a minute closes before rolling it up, so late results are in.
SETTLE = timedelta(seconds=90)
_FIELDS = [
    "checks",
    "up_checks",
    "degraded_checks",
    "down_checks",
    "latency_count",
    "latency_sum_ms",
    "latency_min_ms",
    "latency_max_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_histogram",
]
Key = tuple[int, str]


def to_row(monitor_id: int, region: str, item: probe.Rollup) -> CheckRollup:
    """A probe bucket as a CheckRollup row."""
    return CheckRollup(
        monitor_id=monitor_id,
        region=region,
        period=item.resolution,
        bucket_start=item.start,
        checks=item.checks,
        up_checks=item.up,
        degraded_checks=item.degraded,
        down_checks=item.down,
        latency_count=item.latency_count,
        latency_sum_ms=item.latency_sum_ms,
        latency_min_ms=item.latency_min_ms,
        latency_max_ms=item.latency_max_ms,
        latency_p50_ms=item.p50,
        latency_p95_ms=item.p95,
        latency_p99_ms=item.p99,
        latency_histogram=item.to_dict()["histogram"],
    )


def from_row(row: CheckRollup) -> probe.Rollup:
    """A stored CheckRollup as a probe bucket."""
    histogram = row.latency_histogram if isinstance(row.latency_histogram, dict) else {}
    return probe.Rollup.from_dict(
        {
            "start": row.bucket_start.astimezone(UTC).isoformat(),
            "resolution": row.period,
            "checks": row.checks,
            "up": row.up_checks,
            "degraded": row.degraded_checks,
            "down": row.down_checks,
            "latency_count": row.latency_count,
            "latency_sum_ms": row.latency_sum_ms,
            "latency_min_ms": row.latency_min_ms,
            "latency_max_ms": row.latency_max_ms,
            "histogram": histogram,
        }
    )


def roll_up(*, now: datetime | None = None) -> dict[str, int]:
    """Build the minute, hour and day buckets that have closed; return rows written per level."""
    now = now or timezone.now()
    written = {"minute": _minutes(now)}
    written["hour"] = _coarsen(RollupPeriod.MINUTE, RollupPeriod.HOUR, now)
    written["day"] = _coarsen(RollupPeriod.HOUR, RollupPeriod.DAY, now)
    return written


def _resume_point(period: str) -> datetime | None:
    newest = CheckRollup.objects.filter(period=period).aggregate(m=Max("bucket_start"))["m"]
    return newest + RESOLUTIONS[period] if newest else None  # type: ignore[index]


def _minutes(now: datetime) -> int:
    end = bucket_start(now - SETTLE, "minute")
    start = _resume_point(RollupPeriod.MINUTE)
    if start is None:
        first = CheckResult.objects.aggregate(m=Max("checked_at"))["m"]
        if first is None:
            return 0
        oldest = CheckResult.objects.order_by("checked_at").values_list("checked_at", flat=True)
        start = bucket_start(oldest[0], "minute")
    if start >= end:
        return 0
    grouped: dict[Key, list[probe.ProbeResult]] = defaultdict(list)
    rows = CheckResult.objects.filter(checked_at__gte=start, checked_at__lt=end).values_list(
        "monitor_id", "region", "checked_at", "status", "latency_ms"
    )
    for monitor_id, region, checked_at, status, latency in rows.iterator(chunk_size=5000):
        grouped[(monitor_id, region)].append(
            probe.ProbeResult(status=Status(status), checked_at=checked_at, latency_ms=latency)
        )
    return _store(
        (key, item) for key, results in grouped.items() for item in probe.rollup(results, "minute")
    )


def _coarsen(finer: str, coarser: str, now: datetime) -> int:
    end = bucket_start(now - SETTLE, coarser)  # type: ignore[arg-type]
    start = _resume_point(coarser)
    if start is None:
        oldest = (
            CheckRollup.objects.filter(period=finer)
            .order_by("bucket_start")
            .values_list("bucket_start", flat=True)
            .first()
        )
        if oldest is None:
            return 0
        start = bucket_start(oldest, coarser)  # type: ignore[arg-type]
    if start >= end:
        return 0
    grouped: dict[Key, list[probe.Rollup]] = defaultdict(list)
    rows = CheckRollup.objects.filter(
        period=finer, bucket_start__gte=start, bucket_start__lt=end
    ).order_by("monitor_id", "region", "bucket_start")
    for row in rows.iterator(chunk_size=2000):
        grouped[(row.monitor_id, row.region)].append(from_row(row))
    return _store(
        (key, item)
        for key, items in grouped.items()
        for item in probe.coarsen(items, coarser)  # type: ignore[arg-type]
    )


def _store(items: Iterable[tuple[Key, probe.Rollup]]) -> int:
    rows = [to_row(monitor_id, region, item) for (monitor_id, region), item in items]
    CheckRollup.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["monitor", "period", "bucket_start", "region"],
        update_fields=_FIELDS,
    )
    return len(rows)


def retention() -> dict[str, timedelta]:
    """How long each level is kept, from settings."""
    return {
        "raw": timedelta(hours=settings.MONITOR_RAW_RETENTION_HOURS),
        RollupPeriod.MINUTE: timedelta(hours=settings.MONITOR_MINUTE_RETENTION_HOURS),
        RollupPeriod.HOUR: timedelta(days=settings.MONITOR_HOUR_RETENTION_DAYS),
        RollupPeriod.DAY: timedelta(days=settings.MONITOR_DAY_RETENTION_DAYS),
    }


def prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete raw results and rollups older than their retention; return rows deleted."""
    now = now or timezone.now()
    keep = retention()
    deleted = {}
    # Never delete raw rows that are not rolled up yet, however old.
    rolled_until = _resume_point(RollupPeriod.MINUTE) or datetime.min.replace(tzinfo=UTC)
    raw_cutoff = min(now - keep["raw"], rolled_until)
    deleted["raw"] = CheckResult.objects.filter(checked_at__lt=raw_cutoff).delete()[0]
    for period in (RollupPeriod.MINUTE, RollupPeriod.HOUR, RollupPeriod.DAY):
        old = CheckRollup.objects.filter(period=period, bucket_start__lt=now - keep[period])
        deleted[str(period)] = old.delete()[0]
    return deleted


UPTIME_WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}


Counts = tuple[int, int, int]  # checks, up, degraded


def check_counts(
    *, monitor_ids: Iterable[int], since: datetime, now: datetime, by_day: bool = False
) -> dict[tuple[int, date | None], Counts]:
    """Checks, up and degraded checks per monitor since ``since`` (per UTC day with
    ``by_day``, else under the key ``None``), from the rollups and the latest raw checks.

    Days cover the window up to the newest day bucket, hours from there to the
    newest hour bucket, minutes from there to the newest minute bucket, and the
    raw results not rolled up yet after that (so a monitor that is down now
    never reads 100 %): no check is counted twice, and the cost is a few
    grouped queries however many monitors are asked for. /monitors/, the API and
    the status page's 90-day strip all count through here.
    """
    ids = list(monitor_ids)
    totals: dict[tuple[int, date | None], list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(rows: QuerySet[Any], at: str, **sums: Any) -> None:
        """Add the sums of ``rows`` per monitor (and per UTC day of ``at``)."""
        if by_day:
            rows = rows.annotate(day=TruncDate(at, tzinfo=UTC))
        keys = ["monitor_id", "day"] if by_day else ["monitor_id"]
        for row in rows.values(*keys).annotate(**sums):
            total = totals[(row["monitor_id"], row["day"] if by_day else None)]
            total[0] += row["c"] or 0
            total[1] += row["u"] or 0
            total[2] += row["d"] or 0

    covered = since
    for period in (RollupPeriod.DAY, RollupPeriod.HOUR, RollupPeriod.MINUTE):
        edge = _resume_point(period)
        rows = CheckRollup.objects.filter(
            monitor_id__in=ids, period=period, bucket_start__gte=covered
        )
        if edge is not None:
            rows = rows.filter(bucket_start__lt=edge)
        add(rows, "bucket_start", c=Sum("checks"), u=Sum("up_checks"), d=Sum("degraded_checks"))
        if edge is not None and edge > covered:
            covered = edge
    raw = CheckResult.objects.filter(
        monitor_id__in=ids, checked_at__gte=covered, checked_at__lte=now
    )
    add(
        raw,
        "checked_at",
        c=Count("id"),
        u=Count("id", filter=Q(status=MonitorState.UP)),
        d=Count("id", filter=Q(status=MonitorState.DEGRADED)),
    )
    return {key: (t[0], t[1], t[2]) for key, t in totals.items()}


def uptime(
    *, monitor_ids: Iterable[int], now: datetime | None = None
) -> dict[int, dict[str, float | None]]:
    """Uptime percent over 24h, 7d, 30d and 90d per monitor (``check_counts``)."""
    now = now or timezone.now()
    ids = list(monitor_ids)
    out: dict[int, dict[str, float | None]] = {pk: {} for pk in ids}
    for name, span in UPTIME_WINDOWS.items():
        totals = check_counts(monitor_ids=ids, since=now - span, now=now)
        for pk in ids:
            out[pk][name] = probe.uptime_percent(*totals.get((pk, None), (0, 0, 0)))
    return out


def latency_series(
    *, monitor_id: int, since: datetime, period: str = RollupPeriod.MINUTE
) -> list[probe.Rollup]:
    """Buckets of one monitor since `since`, oldest first, for the latency chart."""
    rows = CheckRollup.objects.filter(
        monitor_id=monitor_id, period=period, bucket_start__gte=since
    ).order_by("bucket_start")
    return [from_row(r) for r in rows]


def recent_results(*, monitor_ids: list[int], count: int = 30) -> dict[int, list[CheckResult]]:
    """The last `count` raw results of each monitor, oldest first, in one query."""
    rows = (
        CheckResult.objects.filter(monitor_id__in=monitor_ids)
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("monitor_id")],
                order_by=[F("checked_at").desc(), F("id").desc()],
            )
        )
        .filter(newest__lte=count)
        .only("monitor_id", "checked_at", "status", "latency_ms", "status_code", "error")
    )
    found: dict[int, list[CheckResult]] = {pk: [] for pk in monitor_ids}
    for row in rows:
        found[row.monitor_id].append(row)
    for results in found.values():
        results.sort(key=lambda r: (r.checked_at, r.pk))
    return found
