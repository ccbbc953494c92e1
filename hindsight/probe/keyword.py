"""Keyword patterns on google-re2: matching time is linear in the body, whatever the pattern.

Python's `re` backtracks, so one monitor with a pattern like `(a+)+$` could hold the
worker's event loop for minutes; RE2 has no backtracking and refuses the few
constructs (backreferences, lookaround) that would need it.
"""

from __future__ import annotations

from typing import Any

import re2

# Compiled programs are capped so a huge pattern fails to compile instead of eating memory.
MAX_PROGRAM_BYTES = 8 * 1024 * 1024

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors come back as exceptions, not lines on stderr
_OPTIONS.max_mem = MAX_PROGRAM_BYTES


class KeywordError(ValueError):
    """A keyword pattern RE2 cannot compile; the message is for the monitor's owner."""


def compile_keyword(keyword: str, *, is_regex: bool) -> Any:
    """Compile a monitor's keyword (literal text or a regular expression) with RE2."""
    try:
        return re2.compile(keyword if is_regex else re2.escape(keyword), _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise KeywordError(
            f"Invalid keyword regex {keyword!r}: {reason} (patterns use RE2 syntax: "
            "no backreferences or lookaround)"
        ) from None
