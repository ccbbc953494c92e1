"""Log records reach the current stderr, even after the one seen at start-up was closed."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from hindsight.logconfig import StderrHandler


def test_records_go_to_the_current_stderr_after_the_first_one_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    first.close()  # e.g. a test runner's capture buffer, gone after its test
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    handler.emit(logging.LogRecord("hindsight", logging.WARNING, __file__, 1, "late", None, None))
    assert now.getvalue() == "WARNING late\n"


def test_the_configured_console_handler_is_the_one_that_follows_stderr() -> None:
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["class"] == "hindsight.logconfig.StderrHandler"
