"""Logging plumbing shared by every process (web, worker, CLI)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write each record to whatever `sys.stderr` is *now*.

    A plain StreamHandler keeps the stream it was given at configuration time;
    when that was a temporary replacement (a test runner's capture, a CLI
    runner's buffer) that has since been closed, every later record from any
    thread fails with "I/O operation on closed file".
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr
