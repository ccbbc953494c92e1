"""Only children of `hindsight serve` tie their life to it."""

from __future__ import annotations

import os

from hindsight import lifeline


def test_a_process_not_started_by_serve_is_left_alone(monkeypatch):
    monkeypatch.delenv(lifeline.ENV, raising=False)
    assert lifeline.die_with_serve() is False


def test_serve_itself_is_left_alone(monkeypatch):
    monkeypatch.setenv(lifeline.ENV, str(os.getpid()))
    assert lifeline.die_with_serve() is False
