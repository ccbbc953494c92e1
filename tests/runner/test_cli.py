"""`hindsight jobs list|run`: the registry, last errors and live workers, from the command line."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from hindsight.cli import _register, app
from hindsight.runner.models import JobSchedule
from hindsight.runner.services import beat

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_list_shows_every_job_its_last_error_and_the_live_workers():
    JobSchedule.objects.create(job="rollups", last_error="OperationalError: disk I/O error")
    beat(worker="host-1:42:abc", region="eu-west")
    code, output = _run("jobs", "list")
    assert code == 0
    assert "│ rollups " in output and "OperationalError: disk I/O error" in output
    assert re.search(r"worker host-1:42:abc \(eu-west\): last heartbeat \d+ s ago", output)


def test_running_an_unknown_job_names_the_ones_there_are():
    code, output = _run("jobs", "run", "reminders")
    assert code == 2
    assert "No job 'reminders'; there are: deliveries, checks, flips" in output


def test_the_check_engine_cannot_be_run_by_hand():
    code, output = _run("jobs", "run", "checks")
    assert code == 2
    assert "Job 'checks' runs continuously inside `hindsight worker` only" in output
