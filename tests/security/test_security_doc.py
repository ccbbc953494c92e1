"""docs/security.md names the tests that cover each defence; each must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
REFERENCES = sorted(set(re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", DOC)))


def test_the_security_doc_names_its_tests() -> None:
    assert len(REFERENCES) >= 10


@pytest.mark.parametrize(("path", "name"), REFERENCES)
def test_every_test_the_security_doc_names_exists(path: str, name: str) -> None:
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert name == "" or name in functions


def test_every_security_test_file_is_in_the_doc() -> None:
    named = {path for path, _ in REFERENCES}
    files = sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "tests/security").glob("test_*.py")
    )
    assert [f for f in files if f not in named] == []
