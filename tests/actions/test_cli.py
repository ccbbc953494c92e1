"""`hindsight actions export|import`: the board's CSV from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem
from hindsight.cli import _register, app
from hindsight.incidents.models import Incident

from .conftest import item

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_export_prints_every_item(incident: Incident) -> None:
    alert = item(incident, "Alert on 502s")
    code, output = _run("actions", "export")
    assert (code, output.splitlines()[1]) == (
        0,
        f"{alert.pk},{incident.pk},Alert on 502s,,,P3,immediate,open,,,",
    )


def test_import_applies_the_file_as_the_named_user(
    incident: Incident, an_editor: User, tmp_path: Path
) -> None:
    alert = item(incident, "Alert")
    path = tmp_path / "items.csv"
    path.write_text(f"id,incident,title,owner\n{alert.pk},{incident.pk},Alert on 502s,ed-editor\n")
    code, output = _run("actions", "import", str(path), "--by", "ed-editor")
    alert.refresh_from_db()
    assert (code, output.strip().splitlines()[-1], alert.title, alert.owner) == (
        0,
        "Imported: 1 updated, 0 added.",
        "Alert on 502s",
        an_editor,
    )


def test_a_refused_import_lists_each_line_and_exits_1(
    incident: Incident, an_editor: User, tmp_path: Path
) -> None:
    alert = item(incident, "Alert")
    path = tmp_path / "items.csv"
    path.write_text(f"id,incident,title,owner\n{alert.pk},{incident.pk},Alert,nobody\n")
    code, output = _run("actions", "import", str(path), "--by", "ed-editor")
    assert code == 1 and "line 2: No active user named 'nobody' to own the item." in output
    assert ActionItem.objects.get().owner is None
