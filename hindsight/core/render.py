"""Canonical Markdown for a Document.

Timelines and action items come out as tables with fixed columns, every other
block exactly as written, so parse(render(doc)) == doc.
"""

from __future__ import annotations

import datetime as dt

import yaml

from hindsight.core.model import ActionItem, Block, Document, Section, TimelineEntry
from hindsight.core.timeparse import format_clock


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def entry_time(entry: TimelineEntry) -> str:
    """The canonical spelling of an entry's time: `2023-02-14 10:29 - 10:45 UTC`."""
    parts = []
    if entry.day is not None:
        parts.append(entry.day.isoformat())
    if entry.clock is not None:
        clock = format_clock(entry.clock)
        if entry.end_clock is not None:
            clock += " - " + format_clock(entry.end_clock)
        parts.append(clock)
    elif entry.day is not None:
        parts.append("--:--")
    if entry.tz and entry.clock is not None:
        parts.append(entry.tz)
    return " ".join(parts)


def _due(item: ActionItem) -> str:
    return item.due.isoformat() if isinstance(item.due, dt.date) else item.due_text


def timeline_table(entries: list[TimelineEntry]) -> list[str]:
    lines = [_row(["Time", "Actor", "Event"]), "| --- | --- | --- |"]
    lines += [_row([entry_time(e), e.actor, e.text]) for e in entries]
    return lines


def items_table(items: list[ActionItem]) -> list[str]:
    lines = [
        _row(["Action", "Owner", "Due", "Priority", "Term", "Status"]),
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_row([i.text, i.owner, _due(i), i.priority, i.term, i.status]) for i in items]
    return lines


def _blocks(blocks: list[Block], out: list[str]) -> None:
    previous = ""
    for block in blocks:
        if previous == "list" and block.kind == "list":
            out.append("")  # two blank lines keep two lists from merging into one
        out += [block.text, ""]
        previous = block.kind


def _section(section: Section, out: list[str]) -> None:
    out += ["#" * max(1, min(section.level, 6)) + " " + section.title, ""]
    _blocks(section.blocks, out)
    if section.entries:
        out += timeline_table(section.entries) + [""]
    if section.items:
        out += items_table(section.items) + [""]
    for child in section.children:
        _section(child, out)


def render(document: Document) -> str:
    """The document as canonical Markdown with YAML front matter."""
    out: list[str] = []
    if document.meta:
        dumped = yaml.safe_dump(
            document.meta, sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        out += ["---", dumped.rstrip("\n"), "---", ""]
    if document.title:
        out += ["# " + document.title, ""]
    _blocks(document.preamble, out)
    for section in document.sections:
        _section(section, out)
    return "\n".join(out).rstrip("\n") + "\n"
