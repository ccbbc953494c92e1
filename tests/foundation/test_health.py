"""/healthz tells the truth: a missing database file or migration is a 503, with no error text."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.db import OperationalError, connection

from tests.foundation.test_serve import Server


def test_it_fails_when_a_migration_is_missing(client, db):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'incidents'")
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {
        "status": "error",
        "database": "migrations missing",
        "worker": "unknown",
    }


def test_it_shows_no_error_text_when_the_database_does_not_answer(client, db, monkeypatch):
    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError('connection to server at "db.internal" failed for user "hindsight"')

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refused)
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "unavailable", "worker": "unknown"}


@pytest.mark.slow
def test_it_fails_when_the_sqlite_file_is_gone(tmp_path, free_port):
    server = Server(tmp_path, free_port, "--no-worker", "--no-demo")
    try:
        server.wait_ready()
        (tmp_path / "hindsight.sqlite3").rename(tmp_path / "moved-away.sqlite3")
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(server.base + "/healthz", timeout=15)
    finally:
        server.stop()
    assert failed.value.code == 503
    assert json.loads(failed.value.read()) == {
        "status": "error",
        "database": "missing",
        "worker": "unknown",
    }
