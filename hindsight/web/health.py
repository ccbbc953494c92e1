"""What /healthz checks: the database is there, answers, and has every migration applied."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader

log = logging.getLogger(__name__)


@functools.cache
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.disk_migrations)


def database_problem() -> tuple[str, str] | None:
    """What is wrong with the database as (a public word, the detail), or None when healthy."""
    name = str(connection.settings_dict.get("NAME") or "")
    # SQLite creates a missing file on connect, and SELECT 1 then succeeds on
    # an empty database: look for the file first.
    on_disk = connection.vendor == "sqlite" and ":memory:" not in name and "mode=memory" not in name
    if on_disk and not Path(name).is_file():
        log.error("health: the database file %s is missing", name)
        return "missing", f"the database file {name} is missing"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, migration) for app, migration in cursor.fetchall()}
    except Exception as exc:  # any database failure means "not healthy"
        log.exception("health: the database does not answer")
        return "unavailable", str(exc)[:200]
    missing = _migrations_on_disk() - applied
    if missing:
        log.error("health: %s migrations not applied, e.g. %s", len(missing), min(missing))
        return "migrations missing", f"{len(missing)} not applied, e.g. {'.'.join(min(missing))}"
    return None
