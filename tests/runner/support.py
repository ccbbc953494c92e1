"""Helpers for tests that start real `hindsight` processes on the test database."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database as a HINDSIGHT_DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `hindsight` process working on the test database."""
    return {
        **os.environ,
        "HINDSIGHT_DATABASE_URL": database_url(),
        "HINDSIGHT_DATA_DIR": str(data_dir),
        # The same key: secrets stored encrypted by this process must open in that one.
        "HINDSIGHT_SECRET_KEY": settings.SECRET_KEY,
        "HINDSIGHT_LOG_LEVEL": "WARNING",
        **extra,
    }
