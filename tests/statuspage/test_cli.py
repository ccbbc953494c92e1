"""`hindsight jobs run maintenance` and `hindsight statuspage publish`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from typer.testing import CliRunner

from hindsight.cli import _register, app
from hindsight.statuspage.models import ScheduledMaintenance


def test_the_maintenance_job_starts_due_maintenance(a_page, checkout):
    now = timezone.now()
    window = ScheduledMaintenance.objects.create(
        page=a_page,
        title="Patch",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    window.components.add(checkout)
    _register()
    result = CliRunner().invoke(app, ["jobs", "run", "maintenance"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("maintenance: 1 done\n")
    window.refresh_from_db()
    checkout.refresh_from_db()
    assert (window.status, checkout.status) == ("in_progress", "under_maintenance")


def test_publish_writes_the_snapshot(a_page, tmp_path: Path, settings: Any):
    settings.DATA_DIR = tmp_path
    _register()
    result = CliRunner().invoke(app, ["statuspage", "publish"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "statuspage" / "acme" / "api" / "v2" / "summary.json").is_file()


def test_head_requests_are_answered_by_django_too(a_page):
    from django.test import Client

    response = Client().head("/status/")
    assert response.status_code == 200
    assert response.content == b""
