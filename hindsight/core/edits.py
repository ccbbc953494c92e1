"""Structured edits to a section's Markdown: timeline rows and action items.

The editor offers the incident's events to pick into the Timeline and edits
action items as rows; both end up as Markdown the parser reads back (the
CLI's tables), so the document stays the single source of truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hindsight.core import extract
from hindsight.core.blocks import RawBlock, list_items, scan, split_row
from hindsight.core.items import items_from_list, items_from_table, strip_metadata, term_of
from hindsight.core.model import ActionItem, TimelineEntry
from hindsight.core.render import entry_time, items_table, timeline_table


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _entries(lines: list[str], year: dt.date | None) -> list[tuple[RawBlock, TimelineEntry]]:
    found = []
    day = None
    for block in scan(lines):
        entries = None
        if block.kind == "table":
            entries = extract.entries_from_table(block.text, block.line, day, year)
        elif block.kind == "list":
            entries = extract.entries_from_list(block.text, block.line, day, year)
        for entry in entries or []:
            day = entry.day or day
            found.append((block, entry))
    return found


def _same_moment(entry: TimelineEntry, at: dt.datetime) -> bool:
    if entry.clock is None or (entry.clock.hour, entry.clock.minute) != (at.hour, at.minute):
        return False
    return entry.day is None or entry.day == at.date()


def find_entry(body: str, *, at: dt.datetime, text: str) -> TimelineEntry | None:
    """The timeline entry in `body` for a moment (same UTC minute) and text, if written."""
    wanted = _norm(text)
    for _, entry in _entries(body.split("\n"), at.date()):
        if _same_moment(entry, at) and wanted and wanted in _norm(entry.text):
            return entry
    return None


def add_entry(body: str, *, at: dt.datetime, actor: str, text: str) -> str:
    """`body` with a row for this moment in its timeline table, in time order.

    The row goes into the first table of the section (a new table at the end
    when there is none); a moment already written is not added twice.
    """
    if find_entry(body, at=at, text=text) is not None:
        return body
    entry = TimelineEntry(
        at.date(), at.time().replace(second=0, microsecond=0), text, actor, tz="UTC"
    )
    lines = body.split("\n")
    tables = [b for b in scan(lines) if b.kind == "table"]
    table = next(
        (
            b
            for b in tables
            if extract.entries_from_table(b.text, b.line, None, at.date()) is not None
        ),
        None,
    )
    if table is None:
        tail = "\n".join(timeline_table([entry]))
        return (body.rstrip("\n") + "\n\n" + tail) if body.strip() else tail
    rows = extract.entries_from_table(table.text, table.line, None, at.date()) or []
    position = table.line + len(table.text.split("\n")) - 1  # after the last row
    for existing in rows:
        if existing.day and existing.clock:
            moment = dt.datetime.combine(existing.day, existing.clock)
            if moment > at.replace(tzinfo=None):
                position = existing.line - 1
                break
    lines.insert(position, _row(split_row(table.text.split("\n")[0]), entry))
    return "\n".join(lines)


def _row(header: list[str], entry: TimelineEntry) -> str:
    """A row for `entry` under this table's own columns (time, optional actor, text)."""
    names = [cell.strip(" *_") for cell in header]
    time_col = next((i for i, h in enumerate(names) if extract.TIME_HEADER.match(h)), 0)
    actor_col = next((i for i, h in enumerate(names) if extract.ACTOR_HEADER.match(h)), None)
    others = [i for i in range(len(names)) if i not in (time_col, actor_col)]
    cells = [""] * max(len(names), 2)
    cells[time_col] = entry_time(entry)
    text = entry.text if actor_col is not None else f"{entry.actor}: {entry.text}"
    if actor_col is not None:
        cells[actor_col] = entry.actor
    cells[others[0] if others else len(cells) - 1] = text
    return "| " + " | ".join(" ".join(c.replace("|", "\\|").split()) for c in cells) + " |"


def remove_entry(body: str, *, at: dt.datetime, text: str) -> str:
    """`body` without the row or bullet written for this moment; unchanged when absent."""
    lines = body.split("\n")
    wanted = _norm(text)
    for block, entry in _entries(lines, at.date()):
        if not (_same_moment(entry, at) and wanted and wanted in _norm(entry.text)):
            continue
        start = entry.line - 1
        end = start + 1
        if block.kind == "list":
            items = [line for _, line in list_items(block.text, block.line)]
            last = block.line + len(block.text.split("\n"))
            following = [line for line in items if line > entry.line]
            end = (following[0] if following else last) - 1
        del lines[start:end]
        return "\n".join(lines)
    return body


def _item_blocks(lines: list[str]) -> list[tuple[RawBlock, list[ActionItem]]]:
    """Lists and tables of items; a sub-heading such as "Long-term" sets the term under it."""
    found = []
    term = ""
    for block in scan(lines):
        if block.kind == "heading":
            term = term_of(block.text)
            continue
        if block.kind == "list":
            items = items_from_list(block.text, block.line, term)
            for item in items:
                item.text = strip_metadata(item.text)
        elif block.kind == "table":
            items = items_from_table(block.text, block.line, term)
        else:
            continue
        if items:
            found.append((block, items))
    return found


def action_items(body: str) -> list[ActionItem]:
    """The action items written in an Action items section's Markdown, in order."""
    return [item for _, items in _item_blocks(body.split("\n")) for item in items]


def set_action_items(body: str, items: Sequence[ActionItem]) -> str:
    """`body` with its action items replaced by one table of `items`, other prose kept.

    The table takes the place of the first list or table of items; notes and
    guidance comments around it stay as written.
    """
    lines = body.split("\n")
    blocks = _item_blocks(lines)
    table = items_table(list(items)) if items else []
    if not blocks:
        if not table:
            return body
        return (body.rstrip("\n") + "\n\n" if body.strip() else "") + "\n".join(table)
    first = blocks[0][0].line - 1
    for block, _ in reversed(blocks):
        start = block.line - 1
        del lines[start : start + len(block.text.split("\n"))]
    lines[first:first] = table
    text = "\n".join(lines)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text.strip("\n")
