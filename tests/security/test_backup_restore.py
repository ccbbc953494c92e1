"""Backup → wipe → restore → compare, on the database the suite runs on; Markdown export."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from typer.testing import CliRunner

from hindsight.cli import _register, app
from hindsight.incidents import lifecycle
from hindsight.incidents.services import append_event, declare_incident
from hindsight.monitors import services as monitor_services
from hindsight.monitors.models import Monitor
from hindsight.postmortems.models import PostMortem
from hindsight.web.backup import table_counts

runner = CliRunner()
_register()


def run(*args: str, **kwargs: Any) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    (settings.DATA_DIR / "uploads" / "incident-1").mkdir(parents=True)
    (settings.DATA_DIR / "uploads" / "incident-1" / "graph.png").write_bytes(b"\x89PNG fake")
    return settings.DATA_DIR


def _some_data() -> None:
    incident = declare_incident(title="Checkout down", severity="SEV2")
    append_event(incident=incident, text="rolled back deploy 42")
    lifecycle.change_status(incident=incident, status="resolved", note="fixed")
    monitor_services.save_monitor(
        monitor=Monitor(name="web", target="http://ops:pw-9@127.0.0.1:9/")
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_everything_after_a_wipe(data_dir: Path, tmp_path: Path) -> None:
    _some_data()
    before = table_counts()
    archive = tmp_path / "backup.tar.gz"
    made = run("backup", str(archive))
    call_command("flush", interactive=False, verbosity=0)
    (data_dir / "uploads" / "incident-1" / "graph.png").unlink()
    restored = run("restore", str(archive), "--yes")
    monitor = Monitor.objects.get()
    assert (made.exit_code, restored.exit_code, table_counts()) == (0, 0, before)
    assert (
        monitor.credentials["password"],
        PostMortem.objects.get().incident.title,
        (data_dir / "uploads" / "incident-1" / "graph.png").read_bytes(),
    ) == ("pw-9", "Checkout down", b"\x89PNG fake")


@pytest.mark.django_db(transaction=True)
def test_the_archive_is_owner_only_and_holds_no_secret_key_by_default(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    result = run("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert (archive.stat().st_mode & 0o777, "secret_key" in names) == (0o600, False)
    assert "The secret key is not in the archive" in result.output


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_is_replaced(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    run("backup", str(archive))
    _some_data()
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            body = source.extractfile(member)
            data = body.read() if body else b""
            if member.name.startswith("database"):
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    result = run("restore", str(damaged), "--yes")
    assert (result.exit_code, Monitor.objects.count()) == (1, 1)
    assert "The backup is damaged" in result.output


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_another_database_kind_is_refused(data_dir: Path, tmp_path: Path) -> None:
    from django.db import connection

    archive = tmp_path / "other.tar.gz"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    body = json.dumps({"format": 1, "database": other, "files": {}, "tables": {}}).encode()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    result = run("restore", str(archive), "--yes")
    assert (result.exit_code, f"This backup is of a {other} database" in result.output) == (1, True)


@pytest.mark.django_db
def test_every_postmortem_is_exported_as_markdown_the_reviewer_reads(tmp_path: Path) -> None:
    _some_data()
    name = f"{PostMortem.objects.get().incident_id:05d}-post-mortem-checkout-down.md"
    out = tmp_path / "pms"
    exported = run("export", "--markdown", str(out))
    files = sorted(p.name for p in out.iterdir())
    reviewed = run("review", "--format", "json", str(out))
    report = json.loads(reviewed.stdout)
    assert (exported.exit_code, files, reviewed.exit_code in (0, 1)) == (0, [name], True)
    assert [f["path"].endswith(name) for f in report["files"]] == [True]
