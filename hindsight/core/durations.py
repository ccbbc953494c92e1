"""The one way Hindsight writes a duration for people: pages, drafts, summaries, the API's text.

Short and unambiguous: "42 s", "5 min 03 s", "1 h 05 min", "3 d 4 h". Every
page, document and message that shows a length of time calls ``format_duration``
so the same incident reads the same everywhere.
"""

from __future__ import annotations

from datetime import timedelta

UNKNOWN = "—"


def format_duration(value: timedelta | float | None, *, unknown: str = UNKNOWN) -> str:
    """A short human duration from a timedelta or a number of seconds; ``unknown`` for None."""
    if value is None:
        return unknown
    seconds = round(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 0:
        return "-" + format_duration(-seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"
