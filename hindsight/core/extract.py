"""Structured content out of blocks: timeline entries and action items."""

from __future__ import annotations

import datetime as dt
import re

from hindsight.core.blocks import list_items, table_rows
from hindsight.core.model import ActionItem, Block, TimelineEntry
from hindsight.core.timeparse import (
    Stamp,
    Year,
    find_date,
    find_datetime,
    iso_cell,
    parse_leading,
)

TIME_HEADER = re.compile(r"^(date|time|when|timestamp|date ?/ ?time|date and time|at)\b", re.I)
ACTOR_HEADER = re.compile(r"^(who|actor|by|person|owner|responder)\b", re.I)
_TEXT_HEADER = re.compile(r"^(event|what|description|action|details?|activity|text|entry)", re.I)

_ITEM_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("owner", re.compile(r"^(owner|assignee|assigned( to)?|who|responsible|dri)\b", re.I)),
    ("due", re.compile(r"^(due|deadline|by when|target|eta|date|when)\b", re.I)),
    ("priority", re.compile(r"^(priority|prio|p|severity|urgency)$", re.I)),
    ("term", re.compile(r"^(type|term|kind|horizon|category)$", re.I)),
    ("status", re.compile(r"^(status|state|done|progress)$", re.I)),
    ("text", re.compile(r"^(action|item|task|description|what|title|summary|follow.?up)", re.I)),
)
_CHECKBOX = re.compile(r"^\[([ xX])\]\s*")
_DONE = re.compile(r"\((done|completed?|fixed)\)\s*$|^~~.*~~$", re.I)
_OWNER = re.compile(r"(?:^|[\s(,])(?:owner:?\s*|assignee:?\s*|@)(?P<who>@?[\w.\-/]+(?: [A-Z]\w+)?)")
_DUE = re.compile(
    r"\b(?:due|deadline|by|until|before|eta)\s*:?\s*(?P<when>\d{4}-\d{2}-\d{2}|[A-Za-z]+\.? \d{1,2}"
    r"(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Za-z]+,? \d{4}|[a-z]+ (?:week|month|quarter|sprint)"
    r"|q[1-4](?: \d{4})?)",
    re.I,
)
_PRIORITY = re.compile(
    r"\b(?P<p>P[0-4]|SEV[0-4]|(?:priority:?\s*)(?:high|medium|low|urgent|critical))\b", re.I
)
_TERM = re.compile(
    r"\b(?P<t>long[- ]term|short[- ]term|immediate(?:ly)?|preventive|preventative|quick fix)\b",
    re.I,
)
# A piece of every _TERM alternative, in lower case, to skip the search for most items. Pieces
# avoid "i" and "s": only those letters have case-insensitive matches that lower() keeps apart
# ("ı", "İ", "ſ"), so any text _TERM matches contains a piece once lower-cased.
_TERM_PIECES = ("term", "mmed", "vent", "ck f")
_ACTION_POINT = re.compile(r"^\W{0,4}(?:action (?:point|item)|follow.?up|todo)\W{0,4}:\s*", re.I)


def term_of(text: str) -> str:
    """Normalise "long-term", "preventive", "immediate", "short term"... to two values."""
    lowered = text.lower()
    if re.search(r"\blong[- ]?term|\bprevent|\bstrategic|\blater\b", lowered):
        return "long-term"
    if re.search(r"\bimmediate|\bshort[- ]?term|\bmitigation|\bquick|\bnow\b", lowered):
        return "immediate"
    return ""


_PRIORITY_LABEL = re.compile(r"^priority:?\s*", re.I)
_PRIORITY_LEVEL = re.compile(r"(p|sev)[0-4]", re.I)


def normalise_priority(text: str) -> str:
    value = _PRIORITY_LABEL.sub("", text.strip())
    return value.upper() if _PRIORITY_LEVEL.fullmatch(value) else value.lower()


def normalise_status(text: str) -> str:
    lowered = text.strip().lower()
    if not lowered:
        return ""
    if re.search(r"\b(done|complete|completed|closed|fixed|resolved|yes|x)\b", lowered):
        return "done"
    return "open"


# An @handle: "@" first and the look-behind after it, which lets the regex engine jump between
# "@"s; the same as (?<![\w/])@[\w.-]+.
_HANDLE = re.compile(r"@(?<![\w/]@)[\w.-]+")
_TAIL = re.compile(r"\s+(?:—|–|--)\s+[^—–]*$")


def strip_metadata(text: str) -> str:
    """The action itself, without "— @maria, due 2026-12-01, P1" and "(DONE)" bookkeeping."""
    text = _TAIL.sub("", text)
    text = _DUE.sub("", _DONE.sub("", text))
    return _PRIORITY.sub("", _HANDLE.sub("", text)).strip(" ,;")


def parse_item(text: str, line: int, term: str = "") -> ActionItem:
    """An action item from a bullet: "[ ] Add CPU alerts at 80% — @maria, due 2026-12-01, P1"."""
    status = ""
    checkbox = _CHECKBOX.match(text)
    if checkbox:
        status = "open" if checkbox.group(1) == " " else "done"
        text = text[checkbox.end() :]
    if (")" in text or text[:2] == "~~") and _DONE.search(text):  # what _DONE needs
        status = "done"
    owner = due_text = priority = ""
    owner_match = _OWNER.search(text)
    if owner_match:
        owner = owner_match.group("who").strip()
        if not owner.startswith("@") and owner_match.group(0).lstrip(" (,").startswith("@"):
            owner = "@" + owner
    due_match = _DUE.search(text)
    if due_match:
        due_text = due_match.group("when")
    priority_match = _PRIORITY.search(text)
    if priority_match:
        priority = normalise_priority(priority_match.group("p"))
    lowered = text.lower()
    term_match = any(piece in lowered for piece in _TERM_PIECES) and _TERM.search(text)
    if term_match:
        term = term_of(term_match.group("t"))
    due = find_date(due_text) if due_text else None
    return ActionItem(
        text=text.strip(),
        owner=owner,
        due=due,
        priority=priority,
        term=term,
        status=status,
        due_text=due_text,
        line=line,
    )


def items_from_list(block_text: str, line: int, term: str) -> list[ActionItem]:
    return [parse_item(text, at, term) for text, at in list_items(block_text, line) if text]


def items_from_table(block_text: str, line: int, term: str) -> list[ActionItem]:
    """Action items from a table whose columns may come in any order under any synonym."""
    rows = table_rows(block_text)
    if not rows:
        return []
    roles: dict[int, str] = {}
    for index, header in enumerate(rows[0]):
        for role, pattern in _ITEM_HEADERS:
            if pattern.match(header.strip(" *_")) and role not in roles.values():
                roles[index] = role
                break
    if "text" not in roles.values():
        free = [i for i in range(len(rows[0])) if i not in roles]
        if not free:
            return []
        roles[free[0]] = "text"
    items = []
    for offset, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {role: row[i] if i < len(row) else "" for i, role in roles.items()}
        extras = [
            f"{rows[0][i]}: {cell}"
            for i, cell in enumerate(row)
            if i not in roles and i < len(rows[0]) and cell.strip()
        ]
        text = " ".join([values.get("text", "")] + [f"({extra})" for extra in extras]).strip()
        due_text = values.get("due", "").strip()
        items.append(
            ActionItem(
                text=text,
                owner=values.get("owner", "").strip(),
                due=find_date(due_text) if due_text else None,
                priority=normalise_priority(values.get("priority", "")),
                term=term_of(values.get("term", "")) or term,
                status=normalise_status(values.get("status", "")),
                due_text=due_text,
                line=line + offset,
            )
        )
    return items


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
    time_col = next((i for i, h in enumerate(header) if TIME_HEADER.match(h)), None)
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


def inline_action_points(blocks: list[Block]) -> list[ActionItem]:
    """Items written in passing ("Action point: create a geth-announce list") in any section.

    They stay in their block (so rendering keeps them where they were) and are
    derived again on every read instead of being stored twice.
    """
    items = []
    for block in blocks:
        if block.kind != "paragraph":
            continue
        for offset, line in enumerate(block.text.split("\n")):
            found = _ACTION_POINT.match(line)
            if found:
                items.append(parse_item(line[found.end() :], block.line + offset))
    return items
