"""Fixtures for the pure-core tests: the shared corpus and the rule docs."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "corpus" / "postmortems").resolve()
RULE_DOCS = REPO / "docs" / "rules"


@pytest.fixture
def corpus() -> Path:
    """The real post-mortems beside the repository; skipped where the corpus isn't checked out."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} not found")
    return path
