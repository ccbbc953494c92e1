"""System parts (PostgreSQL, Chromium, …) that some tests need.

Without them a test skips with the reason; with HINDSIGHT_REQUIRE_SYSTEM_PARTS
set (CI sets it) a missing part fails the test instead, so nothing skips in CI.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


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
