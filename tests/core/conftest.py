"""Fixtures for the pure-core tests: the shared corpus and the rule docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..system import require_corpus

REPO = Path(__file__).resolve().parents[2]
RULE_DOCS = REPO / "docs" / "rules"


@pytest.fixture
def corpus() -> Path:
    """The real post-mortems beside the repository; skipped (failed in CI) where absent."""
    return require_corpus("postmortems")


def corpus_file(name: str) -> Path:
    return require_corpus("postmortems", name)
