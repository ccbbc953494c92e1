"""System parts (PostgreSQL, Chromium, …) that some tests need.

Without them a test skips with the reason; with HINDSIGHT_REQUIRE_SYSTEM_PARTS
set (CI sets it) a missing part fails the test instead, so nothing skips in CI.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CORPUS = (Path(__file__).resolve().parents[1].parent / "shared" / "corpus").resolve()


def require(available: bool, reason: str) -> None:
    """Skip (or, in CI, fail) when a system part is missing."""
    if available:
        return
    if os.environ.get("HINDSIGHT_REQUIRE_SYSTEM_PARTS", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"required system part missing: {reason}")
    pytest.skip(reason)


def require_chromium() -> str:
    require(
        os.path.exists(CHROMIUM),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    return CHROMIUM


def require_command(name: str, package: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} not found (apt-get install {package})")
    assert path is not None
    return path


def require_corpus(*parts: str) -> Path:
    """A path in the shared corpus of real third-party data (skipped, or failed in CI, when absent)."""
    path = CORPUS.joinpath(*parts)
    require(path.exists(), f"shared corpus not found at {path}")
    return path


def corpus_postmortems() -> list[Path]:
    """Every post-mortem (templates included) that SOURCES.md lists, checked against the folder.

    Counting from SOURCES.md rather than a number in a test keeps the tests in
    step when the corpus grows, and still fails when a listed file goes missing.
    """
    folder = require_corpus("postmortems")
    listed = re.findall(r"^\| (postmortems/\S+\.md) \|", (CORPUS / "SOURCES.md").read_text(), re.M)
    present = sorted(folder.rglob("*.md"))
    assert sorted(CORPUS / name for name in listed) == present, "SOURCES.md and the folder differ"
    return present
