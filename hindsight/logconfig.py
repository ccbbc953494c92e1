"""Logging plumbing shared by every process (web, worker, CLI)."""

from __future__ import annotations

import logging
import re
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


# Secrets that travel in URLs: integration hook tokens, API tokens, and the
# confirm/unsubscribe tokens of status-page subscribers. Django logs the path
# of every 4xx/5xx request, so without this a valid token would be in the log.
_SECRETS = re.compile(
    r"(?P<keep>/hooks/[^/\s]+/|/subscriptions/(?:confirm|unsubscribe)/)[^/\s?\"']+"
    r"|\b(?P<prefix>hsi?_)[A-Za-z0-9_-]{8,}"
)


def redact(text: str) -> str:
    """The text with tokens replaced by '[redacted]'."""

    def replace(match: re.Match[str]) -> str:
        return (match.group("keep") or match.group("prefix") or "") + "[redacted]"

    return _SECRETS.sub(replace, text)


class RedactSecrets(logging.Filter):
    """Rewrite each record's message so no token reaches a log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
