"""Consistency: the summary, the report's header, the title and the timeline tell one story.

Checked: a report's "Date:" (and "Time:") against the moments its timeline or
incident table gives; the dates the summary and impact give against the title's
date or, failing one, the timeline's days; and, for Hindsight's own front matter, the
summary's date, start and duration against `started` and `resolved`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hindsight.core import extract, textutil
from hindsight.core.context import Context
from hindsight.core.incident import incident_times
from hindsight.core.model import Section, SectionKind
from hindsight.core.registry import Hit, rule
from hindsight.core.timeparse import find_date, parse_leading

_DATE_FIELD = re.compile(r"^\W{0,4}date\W{0,4}:\W*(?P<value>.+?)\W*$", re.IGNORECASE)
_TIME_FIELD = re.compile(r"^\W{0,4}time\W{0,4}:\W*(?P<value>.+?)\s*$", re.IGNORECASE)
_FULL_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|"
    r"apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*,? \d{4}",
    re.IGNORECASE,
)
_SPAN = re.compile(
    r"\bfrom (\d{1,2}:\d{2})\s*(?:[a-z]{2,4})?\s*(?:to|until|-|–)\s*(\d{1,2}:\d{2})", re.I
)
_LASTED = re.compile(
    r"\b(?:for|lasted|lasting|took)\s+(?:about |around |roughly |nearly |almost |over |just over |"
    r"approximately )?(\d+(?:\.\d+)?)\s*(minutes?|mins?|hours?|hrs?|h)\b",
    re.IGNORECASE,
)
_DAY = dt.timedelta(days=1)
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Header:
    day: dt.date
    clock: dt.time | None
    line: int
    scope: Section | None  # the report it heads; None: the whole document


@rule(
    id="summary-consistency",
    category="summary",
    severity="warning",
    message="The summary or the report's header disagrees with the timeline or the title.",
    suggestion="Check the dates and times against the timeline and correct whichever is wrong.",
)
def summary_consistency(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    yield from _header_against_moments(context)
    against_title = list(_summary_against_title(context))
    yield from against_title or _summary_against_timeline(context)
    yield from _summary_against_front_matter(context)


def _headers(context: Context) -> list[Header]:
    """Report dates: "## Date: 15 Dec 2022" headings and "**Date:** 26/11/2019" lines in a
    report's sections (a "Date:" line at the very top is as often the day it was written)."""
    found: list[Header] = []
    if "date" not in context.lowered_source:
        return found
    sections = context.sections
    for index, section in enumerate(sections):
        field = _DATE_FIELD.match(section.title)
        if field and (day := find_date(field.group("value"))):
            following = sections[index + 1].title if index + 1 < len(sections) else ""
            clock = _clock(_TIME_FIELD.match(following))
            found.append(Header(day, clock, section.line, None))
            continue
        for block in section.blocks:
            for offset, text in enumerate(block.text.split("\n")[:3]):
                field = _DATE_FIELD.match(text)
                if field and (day := find_date(field.group("value"))):
                    found.append(Header(day, None, block.line + offset, section))
    return found


def _clock(match: re.Match[str] | None) -> dt.time | None:
    stamp = parse_leading(match.group("value")) if match else None
    return stamp.clock if stamp else None


def _header_against_moments(context: Context) -> Iterator[Hit]:
    for header in _headers(context):
        scope = header.scope.walk() if header.scope else iter(context.sections)
        moments = _moments(list(scope))
        if not moments:
            continue
        same_clock = [
            (day, line)
            for day, clock, line in moments
            if header.clock and clock and clock.replace(second=0) == header.clock.replace(second=0)
        ]
        if same_clock and all(day != header.day for day, _ in same_clock):
            day, _ = same_clock[0]
            yield Hit(
                header.line,
                f"The report is dated {header.day} at {header.clock:%H:%M}, but the table and "
                f"timeline put {header.clock:%H:%M} on {day}.",
            )
        elif not any(abs(day - header.day) <= _DAY for day, _, _ in moments):
            day, _, line = moments[0]
            yield Hit(
                line,
                f"This timeline starts on {day}, but the report is dated {header.day} "
                f"(line {header.line}); one of them is wrong.",
            )


def _moments(sections: list[Section]) -> list[tuple[dt.date, dt.time | None, int]]:
    """Dated timeline entries; failing those, dated rows of tables with a time column."""
    entries = [(e.day, e.clock, e.line) for s in sections for e in s.entries if e.day]
    if entries:
        return entries
    rows = []
    for section in sections:
        for block in section.blocks:
            if block.kind == "table":
                found = extract.entries_from_table(block.text, block.line, None, None) or []
                rows += [(e.day, e.clock, e.line) for e in found if e.day]
    return rows


def _dated_lines(context: Context) -> list[tuple[int, dt.date]]:
    """Full dates the summary and the top-level impact give, with their lines."""
    found: list[tuple[int, dt.date]] = context.memo("dated_lines", lambda: _find_dated(context))
    return found


def _find_dated(context: Context) -> list[tuple[int, dt.date]]:
    lines = [
        (b.line + offset, text)
        for b in context.summary_blocks
        for offset, text in enumerate(b.text.split("\n"))
    ]
    lines += [
        (line, text)
        for s in context.find(SectionKind.IMPACT)
        if s.level <= 2
        for line, text in _section_lines(s)
    ]
    found = []
    for line, text in lines:
        if not _YEAR.search(text):
            continue  # every full date has a four-digit year
        for match in _FULL_DATE.finditer(textutil.plain(text)):
            day = find_date(match.group(0))
            if day:
                found.append((line, day))
    return found


def _section_lines(section: Section) -> Iterator[tuple[int, str]]:
    for block in section.blocks:
        if block.kind in {"paragraph", "list"}:
            for offset, text in enumerate(block.text.split("\n")):
                yield block.line + offset, text


def _summary_against_title(context: Context) -> Iterator[Hit]:
    title_day = (
        find_date(context.document.title) if _FULL_DATE.search(context.document.title) else None
    )
    dated = _dated_lines(context)
    if title_day is None or not dated:
        return
    if all(abs(day - title_day) > _DAY for _, day in dated):
        line, day = dated[0]
        yield Hit(
            line,
            f"The summary gives {day}, but the title dates the incident {title_day}.",
        )


def _summary_against_timeline(context: Context) -> Iterator[Hit]:
    days = [entry.day for entry in context.entries if entry.day]
    dated = _dated_lines(context)
    if not days or not dated:
        return
    first, last = min(days), max(days)
    if all(day < first - _DAY or day > last + _DAY for _, day in dated):
        line, day = dated[0]
        yield Hit(
            line,
            f"The summary gives {day}, but the timeline runs from {first} to {last}.",
        )


def _summary_against_front_matter(context: Context) -> Iterator[Hit]:
    times = incident_times(context.document)
    if times.started is None:
        return
    dated = _dated_lines(context)
    if dated and all(abs(day - times.started.date()) > _DAY for _, day in dated):
        line, day = dated[0]
        yield Hit(
            line,
            f"The summary gives {day}, but the front matter says it started on "
            f"{times.started.date()}.",
        )
    text = " ".join(textutil.plain(b.text) for b in context.summary_blocks)
    span = _SPAN.search(text)
    if span and times.resolved:
        start, end = (parse_leading(value) for value in span.groups())
        stated = (times.started.time().replace(second=0), times.resolved.time().replace(second=0))
        if start and end and (start.clock, end.clock) != stated:
            yield Hit(
                context.summary_blocks[0].line,
                f"The summary says {span.group(1)} to {span.group(2)}, but the front matter says "
                f"{stated[0]:%H:%M} to {stated[1]:%H:%M}.",
            )
    lasted = _LASTED.search(text)
    if lasted and times.resolved:
        unit = lasted.group(2).lower()
        minutes = float(lasted.group(1)) * (1 if unit.startswith("min") else 60)
        actual = (times.resolved - times.started).total_seconds() / 60
        # "Customers felt it for 31 min" may be the impact until mitigation, shorter
        # than start to resolution; only "lasted"/"took", or a longer figure, must agree.
        loose = lasted.group(0).lower().startswith("for") and minutes < actual
        if actual > 0 and not loose and abs(minutes - actual) > max(10, 0.25 * actual):
            yield Hit(
                context.summary_blocks[0].line,
                f"The summary says it lasted {lasted.group(1)} {lasted.group(2)}, but the front "
                f"matter's start and end are {actual:.0f} minutes apart.",
            )
