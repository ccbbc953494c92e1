"""Timeline entries out of blocks: lists, tables, headings and lines with a time."""

from __future__ import annotations

import datetime as dt
import re

from hindsight.core.blocks import list_items, table_rows
from hindsight.core.model import TimelineEntry
from hindsight.core.timeparse import (
    Stamp,
    Year,
    find_datetime,
    iso_cell,
    parse_leading,
)

_TIME_HEADER = re.compile(r"^(date|time|when|timestamp|date ?/ ?time|date and time|at)\b", re.I)
_ACTOR_HEADER = re.compile(r"^(who|actor|by|person|owner|responder)\b", re.I)
_TEXT_HEADER = re.compile(r"^(event|what|description|action|details?|activity|text|entry)", re.I)


def entry_from_stamp(stamp: Stamp, text: str, line: int, actor: str = "") -> TimelineEntry:
    return TimelineEntry(
        day=stamp.day,
        clock=stamp.clock,
        text=" ".join(text.split()),
        actor=actor,
        end_clock=stamp.end_clock,
        tz=stamp.tz,
        time_text=stamp.matched,
        line=line,
    )


def entry_from_text(text: str, line: int, day: dt.date | None, year: Year) -> TimelineEntry:
    """A timeline entry from "10:29 UTC: alert fired" or "First detected 2020-09-21 18:27"."""
    stamp = parse_leading(text, year) or find_datetime(text, year)
    if stamp is None:
        return TimelineEntry(day=None, clock=None, text=" ".join(text.split()), line=line)
    entry = entry_from_stamp(stamp, stamp.rest, line)
    if entry.day is None and entry.clock is not None:
        entry.day = day
    return entry


def entries_from_list(
    block_text: str, line: int, day: dt.date | None, year: Year
) -> list[TimelineEntry] | None:
    """Entries when most items of the list start with a time; None when it isn't a timeline."""
    items = list_items(block_text, line)
    stamps = [parse_leading(text, year) or find_datetime(text, year) for text, _ in items]
    if not items or sum(stamp is not None for stamp in stamps) * 2 < len(items):
        return None
    entries = []
    for text, at in items:
        entry = entry_from_text(text, at, day, year)
        if entry.day is not None:
            day = entry.day
        elif entry.clock is not None:
            entry.day = day
        entries.append(entry)
    return entries


def entries_from_table(
    block_text: str, line: int, day: dt.date | None, year: Year
) -> list[TimelineEntry] | None:
    """Entries from a table with a time column; None when the table has none."""
    rows = table_rows(block_text)
    if len(rows) < 1:
        return None
    header = [cell.strip(" *_") for cell in rows[0]]
    time_col = next((i for i, h in enumerate(header) if _TIME_HEADER.match(h)), None)
    if time_col is None:
        if not rows[1:] or parse_leading(rows[1][0], year) is None:
            return None
        time_col = 0
    actor_col = next((i for i, h in enumerate(header) if _ACTOR_HEADER.match(h)), None)
    text_col = next(
        (i for i, h in enumerate(header) if _TEXT_HEADER.match(h) and i != time_col), None
    )
    entries = []
    for offset, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        pieces = [
            cells[i]
            for i in ([text_col] if text_col is not None else range(len(cells)))
            if i not in (time_col, actor_col) and cells[i].strip()
        ]
        text = " ".join(pieces)
        actor = cells[actor_col].strip() if actor_col is not None else ""
        cell = iso_cell(cells[time_col])
        if cell is not None:  # most rows: the entry straight from the cell, no Stamp between
            day, clock, tz, written = cell
            text = " ".join(text.split())
            entries.append(
                TimelineEntry(day, clock, text, actor, tz=tz, time_text=written, line=line + offset)
            )
            continue
        stamp = parse_leading(cells[time_col], year)
        if stamp is None:
            entries.append(
                TimelineEntry(None, None, " ".join(text.split()), actor, line=line + offset)
            )
            continue
        entry = entry_from_stamp(stamp, text, line + offset, actor)
        if entry.day is not None:
            day = entry.day
        elif entry.clock is not None:
            entry.day = day
        entries.append(entry)
    return entries
