"""Timeline entries out of blocks: lists, tables, headings and lines with a time."""

from __future__ import annotations

import datetime as dt
import re

from hindsight.core.blocks import table_rows
from hindsight.core.model import TimelineEntry
from hindsight.core.timeparse import (
    Stamp,
    Year,
    find_datetime,
    iso_cell,
    parse_date_line,
    parse_leading,
)

TIME_HEADER = re.compile(r"^(time|date ?/ ?time|date and time|when|timestamp|at|date)\b", re.I)
_DAY_HEADER = re.compile(r"^(date|day)$", re.I)
_ZONE_IN_HEADER = re.compile(r"\b(utc|gmt|cet|cest|pst|pdt|est|edt|cst|cdt|bst|ist|jst)\b", re.I)


def _joined(row: list[str], date_col: int, time_col: int) -> list[str]:
    """A row whose date and time sit in two columns, with the time cell holding both."""
    joined = list(row) + [""] * (max(date_col, time_col) + 1 - len(row))
    joined[time_col] = f"{joined[date_col]} {joined[time_col]}".strip()
    joined[date_col] = ""
    return joined


ACTOR_HEADER = re.compile(r"^(who|actor|by|person|owner|responder)\b", re.I)
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
        problem=stamp.problem,
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


_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s+")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def entries_from_list(
    block_text: str, line: int, day: dt.date | None, year: Year
) -> list[TimelineEntry] | None:
    """Entries when most bullets start with a time or a date; None when it isn't a timeline.

    A bullet that is only a date ("- 11/25", "- **Feb 24**") sets the day for the
    bullets after it, nested or not; a bullet without a time nested under an entry
    is more of that entry's text.
    """
    lines = _BREAK.sub("\n", block_text).split("\n") if "<br" in block_text else None
    if lines is not None:  # <br> inside items: re-read the list one line per entry
        return entries_from_lines(block_text, line, day, year)
    rows = [(i, m) for i, raw in enumerate(block_text.split("\n")) if (m := _BULLET.match(raw))]
    texts = block_text.split("\n")
    marks = [_mark(texts[i][m.end() :], year) for i, m in rows]
    if not rows or sum(mark is not None for mark in marks) * 2 < len(rows):
        return None
    base = min(len(m.group(1)) for _, m in rows)
    entries: list[TimelineEntry] = []
    follows = {i for i, _ in rows}
    for (index, match), mark in zip(rows, marks, strict=True):
        text = texts[index][match.end() :]
        nested = len(match.group(1)) > base
        if isinstance(mark, dt.date):
            day = mark
            continue
        if mark is None:
            if nested and entries:
                entries[-1].text = " ".join(f"{entries[-1].text} {text}".split())
            else:
                entries.append(TimelineEntry(None, None, " ".join(text.split()), line=line + index))
            continue
        entry = entry_from_stamp(mark, mark.rest, line + index)
        if entry.day is not None:
            day = entry.day
        elif entry.clock is not None:
            entry.day = day
        entries.append(entry)
    for index, raw in enumerate(texts):  # lazy continuation lines belong to the entry above
        if index not in follows and raw.strip() and entries:
            owner = max(
                (e for e in entries if e.line <= line + index), key=lambda e: e.line, default=None
            )
            if owner is not None:
                owner.text = " ".join(f"{owner.text} {raw}".split())
    return entries


def _mark(text: str, year: Year) -> Stamp | dt.date | None:
    """What a bullet starts with: a day it sets, a time stamp, or neither."""
    day = parse_date_line(text, year)
    if day is not None:
        return day
    return parse_leading(text, year) or find_datetime(text, year)


def entries_from_lines(
    text: str, line: int, day: dt.date | None, year: Year
) -> list[TimelineEntry] | None:
    """Entries from text with one entry per line or per `<br>`; None when few lines have times."""
    entries: list[TimelineEntry] = []
    parts: list[tuple[str, int]] = []
    for offset, raw in enumerate(text.split("\n")):
        parts += [(piece, line + offset) for piece in _BREAK.split(raw) if piece.strip()]
    for piece, at in parts:
        piece = _BULLET.sub("", piece).strip()
        mark = _mark(piece, year)
        if isinstance(mark, dt.date):
            day = mark
        elif mark is None:
            if entries:
                entries[-1].text = " ".join(f"{entries[-1].text} {piece}".split())
        else:
            entry = entry_from_stamp(mark, mark.rest, at)
            if entry.day is not None:
                day = entry.day
            elif entry.clock is not None:
                entry.day = day
            entries.append(entry)
    return entries if len(entries) * 2 >= len(parts) else None


def entries_from_table(
    block_text: str, line: int, day: dt.date | None, year: Year
) -> list[TimelineEntry] | None:
    """Entries from a table with a time column; None when the table has none."""
    rows = table_rows(block_text)
    if len(rows) < 1:
        return None
    header = [cell.strip(" *_") for cell in rows[0]]
    time_col = next((i for i, h in enumerate(header) if TIME_HEADER.match(h)), None)
    date_col = next((i for i, h in enumerate(header) if _DAY_HEADER.match(h)), None)
    if date_col is not None and time_col is not None and date_col != time_col:
        rows = [rows[0]] + [_joined(row, date_col, time_col) for row in rows[1:]]
    elif time_col is None:
        time_col = date_col
    found_zone = _ZONE_IN_HEADER.search(header[time_col]) if time_col is not None else None
    zone = found_zone.group(1).upper() if found_zone else ""  # "Time (UTC)"
    if time_col is None:
        if not rows[1:] or parse_leading(rows[1][0], year) is None:
            return None
        time_col = 0
    actor_col = next((i for i, h in enumerate(header) if ACTOR_HEADER.match(h)), None)
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
        text = _BREAK.sub(" ", " ".join(pieces)) if "<" in "".join(pieces) else " ".join(pieces)
        actor = cells[actor_col].strip() if actor_col is not None else ""
        cell = iso_cell(cells[time_col])
        if cell is not None:  # most rows: the entry straight from the cell, no Stamp between
            day, clock, tz, written = cell
            text = " ".join(text.split())
            entries.append(
                TimelineEntry(
                    day, clock, text, actor, tz=tz or zone, time_text=written, line=line + offset
                )
            )
            continue
        stamp = parse_leading(cells[time_col], year)
        if stamp is None:
            entries.append(
                TimelineEntry(None, None, " ".join(text.split()), actor, line=line + offset)
            )
            continue
        entry = entry_from_stamp(stamp, text, line + offset, actor)
        entry.tz = entry.tz or (zone if entry.clock else "")
        if entry.day is not None:
            day = entry.day
        elif entry.clock is not None:
            entry.day = day
        entries.append(entry)
    return entries
