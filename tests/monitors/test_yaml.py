"""Monitors as code: `hindsight monitors export` and `import`, all or nothing."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from hindsight.catalog.models import Component, Service
from hindsight.cli import _register, app
from hindsight.monitors.models import MaintenanceWindow, Monitor
from tests.monitors.support import make_monitor

pytestmark = pytest.mark.django_db
_register()
runner = CliRunner()

GOOD = """
monitors:
  - name: checkout health
    target: https://checkout.example.test/health
    interval: 30
    timeout: 5
    service: checkout
    component: Checkout API
    config: {status_codes: [200, 204], severity: SEV1}
    maintenance:
      - {starts_at: "2026-12-06T02:00:00+00:00", ends_at: "2026-12-06T03:00:00+00:00",
         recurrence: weekly, reason: Sunday deploys}
  - name: search tls
    kind: tls
    target: search.example.test:443
    interval: 3600
    config: {tls_warning_days: 21}
  - name: db port
    kind: tcp
    target: 127.0.0.1:5432
    paused: true
"""


@pytest.fixture
def catalog() -> None:
    service = Service.objects.create(name="Checkout", slug="checkout")
    Component.objects.create(name="Checkout API", service=service)


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_import_creates_monitors_and_export_round_trips(catalog, tmp_path):
    path = tmp_path / "monitors.yaml"
    path.write_text(GOOD)
    result = run("monitors", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "Created 3 monitor(s)" in result.output
    checkout = Monitor.objects.get(name="checkout health")
    assert (checkout.interval_seconds, checkout.service.slug, checkout.component.name) == (
        30,
        "checkout",
        "Checkout API",
    )
    assert checkout.config == {"status_codes": [200, 204], "severity": "SEV1"}
    assert MaintenanceWindow.objects.get().reason == "Sunday deploys"
    assert Monitor.objects.get(name="db port").state == "paused"

    exported = run("monitors", "export")
    assert exported.exit_code == 0
    path.write_text(exported.output)
    again = run("monitors", "import", str(path))
    assert "Created 0" in again.output and "Updated 3" in again.output
    assert yaml.safe_load(run("monitors", "export").output) == yaml.safe_load(exported.output)
    assert Monitor.objects.count() == 3
    assert MaintenanceWindow.objects.count() == 1


def test_a_dry_run_changes_nothing(catalog, tmp_path):
    path = tmp_path / "monitors.yaml"
    path.write_text(GOOD)
    result = run("monitors", "import", str(path), "--dry-run")
    assert result.exit_code == 0
    assert "Would create 3 monitor(s)" in result.output
    assert Monitor.objects.count() == 0


def test_one_bad_entry_imports_nothing_and_each_problem_names_entry_and_field(catalog, tmp_path):
    kept = make_monitor("kept", "http://127.0.0.1:9/kept", interval_seconds=60)
    bad = (
        GOOD
        + """
  - name: kept
    target: http://127.0.0.1:9/kept
    interval: 5
  - name: no such service
    target: http://127.0.0.1:9/x
    service: nope
  - target: http://127.0.0.1:9/nameless
  - name: broken window
    target: http://127.0.0.1:9/w
    maintenance: [{starts_at: "2026-12-06T03:00:00+00:00", ends_at: "2026-12-06T02:00:00+00:00"}]
  - name: tcp without port
    kind: tcp
    target: db.internal
"""
    )
    path = tmp_path / "monitors.yaml"
    path.write_text(bad)
    result = run("monitors", "import", str(path))
    assert result.exit_code == 1
    assert "Nothing imported: 6 problem(s)" in result.output
    assert "entry 4 ('kept'): field 'interval': must be at least 20 seconds" in result.output
    assert (
        "entry 4 ('kept'): field 'timeout': must be more than 0 and at most the interval"
        in result.output
    )
    assert (
        "entry 5 ('no such service'): field 'service': no service with slug 'nope'" in result.output
    )
    assert "entry 6: field 'name': required" in result.output
    assert (
        "entry 7 ('broken window'): field 'maintenance' window 1: ends_at must be after starts_at"
        in result.output
    )
    assert (
        "entry 8 ('tcp without port'): field 'target': A TCP target is host:port" in result.output
    )
    assert list(Monitor.objects.values_list("name", "interval_seconds")) == [("kept", 60)]
    assert kept.region_states.count() == 1


def test_a_file_that_is_not_yaml_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "monitors.yaml"
    path.write_text("monitors: [name: x\n")
    result = run("monitors", "import", str(path))
    assert result.exit_code == 1
    assert "The file is not valid YAML" in result.output
