"""Measure monitor storage: bytes per monitor per day, on SQLite or PostgreSQL.

Simulates two days of 60 s checks for M monitors (realistic latencies, 1 %
failures), runs the real rollup and pruning steps, then measures each table
and index with SQLite's dbstat or PostgreSQL's pg_total_relation_size and
prints bytes per stored row, what one monitor writes per day, and its
steady-state footprint under the default retention settings.

    .venv/bin/python bench/monitor_storage.py
    .venv/bin/python bench/monitor_storage.py --database postgresql://postgres@127.0.0.1:5432/wt7_bench
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta


def table_bytes(tables: list[str]) -> dict[str, int]:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = %s OR name IN "
                    "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s)",
                    [table, table],
                )
            else:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = int(cursor.fetchone()[0])
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=50)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    os.environ["HINDSIGHT_DATA_DIR"] = tempfile.mkdtemp(prefix="hindsight-storage-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hindsight.settings"
    os.environ["HINDSIGHT_LOG_LEVEL"] = "WARNING"
    if args.database:
        os.environ["HINDSIGHT_DATABASE_URL"] = args.database
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hindsight.monitors import storage
    from hindsight.monitors.models import CheckResult, CheckRollup, Monitor

    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(7)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    monitors = Monitor.objects.bulk_create(
        Monitor(name=f"m{i}", target=f"http://127.0.0.1:9/{i}") for i in range(args.monitors)
    )
    for day in range(2):
        rows = []
        for monitor in monitors:
            for minute in range(1440):
                failed = rng.random() < 0.01
                rows.append(
                    CheckResult(
                        monitor=monitor,
                        checked_at=start + timedelta(days=day, minutes=minute, seconds=13),
                        status="down" if failed else "up",
                        latency_ms=None if failed else rng.lognormvariate(3.5, 0.4),
                        status_code=None if failed else 200,
                        error="Connection refused" if failed else "",
                    )
                )
        CheckResult.objects.bulk_create(rows, batch_size=5000)
    storage.roll_up(now=start + timedelta(days=2, minutes=5))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    tables = [CheckResult._meta.db_table, CheckRollup._meta.db_table]
    sizes = table_bytes(tables)
    raw_rows = CheckResult.objects.count()
    per_raw = sizes[tables[0]] / raw_rows
    rollup_rows = CheckRollup.objects.count()
    per_rollup = sizes[tables[1]] / rollup_rows
    keep = storage.retention()
    per_day = {"raw": 1440, "minute": 1440, "hour": 24, "day": 1}
    kept_rows = {
        "raw": 1440 * keep["raw"] / timedelta(days=1),
        "minute": 1440 * keep["minute"] / timedelta(days=1),
        "hour": 24 * keep["hour"] / timedelta(days=1),
        "day": keep["day"] / timedelta(days=1),
    }
    written = (
        per_day["raw"] * per_raw + sum(per_day[k] for k in ("minute", "hour", "day")) * per_rollup
    )
    footprint = (
        kept_rows["raw"] * per_raw
        + sum(kept_rows[k] for k in ("minute", "hour", "day")) * per_rollup
    )
    print(f"database                 {connection.vendor}, {args.monitors} monitors, 2 days at 60 s")
    print(f"raw result row           {per_raw:.0f} bytes (table + indexes)")
    print(f"rollup row               {per_rollup:.0f} bytes (table + indexes, sparse histogram)")
    print(
        f"written per monitor/day  {written / 1024:.0f} KiB (1440 raw + 1440 minute + 24 hour + 1 day rows)"
    )
    print(
        f"kept per monitor         {footprint / 1024:.0f} KiB steady state "
        f"(raw {keep['raw'] / timedelta(hours=1):g} h, minutes {keep['minute'] / timedelta(hours=1):g} h, "
        f"hours {keep['hour'].days} d, days {keep['day'].days} d)"
    )
    print(
        f"long-term growth         {per_rollup:.0f} bytes per monitor per day (one day rollup row)"
    )


if __name__ == "__main__":
    main()
