"""The pure layers stay pure, and SQLite runs the way the docs promise."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def test_core_and_probe_import_no_django_and_build_nothing_at_import():
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in ("core", "probe")
        for path in (REPO / "hindsight" / package).rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.django_db
def test_the_database_runs_as_documented():
    if connection.vendor == "postgresql":
        # Workers on several machines claim work with SKIP LOCKED.
        assert connection.features.has_select_for_update_skip_locked
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
        return
    # SQLite: WAL, a busy timeout, and BEGIN IMMEDIATE so writers queue.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.transaction_mode == "IMMEDIATE"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's import contract (pyproject.toml) over the package copy at ``root``."""
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def _package_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "hindsight", tmp_path / "hindsight", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_import_contract_holds_for_the_code_as_it_is(tmp_path: Path):
    result = _lint_imports(_package_copy(tmp_path))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "complaint"),
    [
        (
            "incidents/models.py",
            "import hindsight.postmortems.drafting  # wrong way",
            "hindsight.incidents is not allowed to import hindsight.postmortems",
        ),
        (
            "core/model.py",
            "import django  # not in the pure core",
            "hindsight.core is not allowed to import django",
        ),
        (
            "statuspage/models.py",
            "import hindsight.cli  # a domain app never imports the CLI",
            "hindsight.statuspage is not allowed to import hindsight.cli",
        ),
    ],
)
def test_the_import_contract_fails_on_a_wrong_way_import(
    tmp_path: Path, module: str, line: str, complaint: str
):
    root = _package_copy(tmp_path)
    path = root / "hindsight" / module
    path.write_text(path.read_text() + f"\n{line}\n")
    result = _lint_imports(root)
    assert result.returncode == 1
    assert complaint in result.stdout
