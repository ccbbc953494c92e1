"""docs/probes.md documents every fault class and every status users can see."""

from __future__ import annotations

from pathlib import Path

import pytest

from hindsight.probe.model import ErrorClass, Status

DOC = Path(__file__).resolve().parents[2] / "docs" / "probes.md"


@pytest.mark.parametrize("error_class", list(ErrorClass))
def test_every_fault_class_has_a_documented_reason(error_class: ErrorClass) -> None:
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    assert any(row.startswith(f"| `{error_class.value}` |") for row in rows)


@pytest.mark.parametrize("status", list(Status))
def test_every_status_is_documented(status: Status) -> None:
    assert f"`{status.value}`" in DOC.read_text()
