"""The post-mortem document model.

Every element keeps the 1-based source line it came from (`line`), so review
findings point at lines. Lines and raw source spellings are excluded from
equality: two documents are equal when they say the same thing, which is what
the parse -> render -> parse property checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SectionKind(StrEnum):
    """What a section is for, whatever its heading says."""

    SUMMARY = "summary"
    IMPACT = "impact"
    TIMELINE = "timeline"
    ROOT_CAUSE = "root-cause"
    WENT_WELL = "went-well"
    IMPROVEMENTS = "improvements"
    LUCKY = "lucky"
    LESSONS = "lessons"
    ACTION_ITEMS = "action-items"
    DETECTION = "detection"
    RESOLUTION = "resolution"
    OTHER = "other"


@dataclass
class Block:
    """One Markdown block (paragraph, list, table, code, html, quote) as written."""

    kind: str
    text: str
    line: int = field(default=0, compare=False)


@dataclass
class TimelineEntry:
    """A timestamped step of the incident: when, who, what."""

    day: dt.date | None
    clock: dt.time | None
    text: str
    actor: str = ""
    end_clock: dt.time | None = None
    tz: str = ""
    time_text: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    problem: str = field(default="", compare=False)  # "13:55 PM mixes a 24-hour time with AM/PM"


@dataclass
class ActionItem:
    """A follow-up: what, who owns it, by when, how urgent, immediate or long-term."""

    text: str
    owner: str = ""
    due: dt.date | None = None
    priority: str = ""
    term: str = ""  # "immediate", "long-term" or "" when the author didn't say
    status: str = ""  # "open", "done" or ""
    due_text: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass
class Section:
    """A heading and what sits under it; unknown sections are kept as OTHER."""

    kind: SectionKind
    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    entries: list[TimelineEntry] = field(default_factory=list)
    items: list[ActionItem] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    line: int = field(default=0, compare=False)
    # Action items written in passing in this section's prose ("Action point: ..."). They
    # stay in their block, so rendering keeps them where they were; derived, not compared.
    inline_items: list[ActionItem] = field(default_factory=list, compare=False, repr=False)

    def walk(self) -> Iterator[Section]:
        """Yield this section and every section below it, in document order."""
        return iter(flatten([self]))

    @property
    def text(self) -> str:
        """The section's own prose (not its subsections')."""
        return "\n\n".join(block.text for block in self.blocks)


@dataclass
class Document:
    """A parsed post-mortem: front matter, title, preamble and a tree of sections."""

    meta: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    preamble: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    title_line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False, repr=False)
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    file_suppressions: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    problems: list[tuple[int, str]] = field(default_factory=list, compare=False, repr=False)
    filename: str = field(default="", compare=False, repr=False)  # dated names tell when written
    # Action items written in passing before the first heading (see Section.inline_items).
    inline_items: list[ActionItem] = field(default_factory=list, compare=False, repr=False)

    def walk(self) -> Iterator[Section]:
        """Every section in document order, nested ones included."""
        return iter(flatten(self.sections))

    def find(self, kind: SectionKind) -> list[Section]:
        """All sections of one kind, in document order."""
        return [section for section in self.walk() if section.kind is kind]

    def timeline(self) -> list[TimelineEntry]:
        """All timeline entries in document order."""
        return [entry for section in self.walk() for entry in section.entries]

    def action_items(self) -> list[ActionItem]:
        """Action items in document order, plus "Action point: ..." lines written elsewhere."""
        sections = flatten(self.sections)
        items = [item for section in sections for item in section.items]
        inline = [item for section in sections for item in section.inline_items]
        return self.inline_items + items + inline

    def meta_list(self, key: str) -> list[str]:
        """A front matter value that may be written as a list or a comma-separated string."""
        value = self.meta.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value if v is not None]
        return [part.strip() for part in str(value).split(",") if part.strip()]

    def meta_time(self, key: str) -> dt.datetime | None:
        """A front matter date or datetime as a naive datetime (dates at midnight)."""
        value = self.meta.get(key)
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else _naive_utc(value)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return parsed if parsed.tzinfo is None else _naive_utc(parsed)
        return None


def flatten(sections: list[Section]) -> list[Section]:
    """Sections and all their subsections in document order, as one list.

    A list built in one go: nested generators cost a frame per level per section,
    and the reviewer walks every document's sections many times.
    """
    flat: list[Section] = []
    for section in sections:
        flat.append(section)
        if section.children:
            flat += flatten(section.children)
    return flat


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)
