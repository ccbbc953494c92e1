"""When the incident happened and when its post-mortem was written, from what the document says.

Hindsight's own front matter (`started`, `resolved`, `written`) when present;
otherwise what other tools and teams write: a status page's `date` and
`resolvedWhen`, a blog's `date` (YAML or TOML `+++` front matter), a
"Date:" or "Last modified:" line at the top, a dated file name
(`2021-09-24-travis-security.md`) or title, the timeline's days and the dates
the summary and resolution give.

A date that could be either the incident's or the writing's is the writing's
only when it falls after the incident ended: blog posts are dated when
published, status-page incidents and incident reports by the incident.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hindsight.core.model import Document, SectionKind
from hindsight.core.sections import is_narrative
from hindsight.core.timeparse import find_date

_META_WRITTEN = ("published", "publishdate", "pubdate", "date", "lastmod", "updated")
_DATED_LINE = re.compile(
    r"^\W{0,4}(?:date|last modified|last updated|updated|published|written)\W{0,4}:\W*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_ANY_DAY = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r",? \d{4}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class IncidentTimes:
    """When the incident started and ended, as far as the document says (None when it doesn't)."""

    started: dt.datetime | None
    resolved: dt.datetime | None


@dataclass(frozen=True)
class Written:
    """When the post-mortem was written, and the line that says so (0: the file name)."""

    day: dt.date
    line: int


def incident_times(document: Document) -> IncidentTimes:
    """Start and end from the front matter: `started`/`resolved`, or a status page's
    `date`/`resolvedWhen`."""
    resolved = document.meta_time("resolved") or _meta(document, "resolvedwhen")
    started = document.meta_time("started")
    if started is None and resolved is not None:
        started = document.meta_time("date")
    return IncidentTimes(started, resolved)


def _meta(document: Document, key: str) -> dt.datetime | None:
    for name in document.meta:
        if name.lower() == key:
            return document.meta_time(name)
    return None


def incident_end(document: Document) -> dt.date | None:
    """The last day of the incident: the front matter's end, else the timeline's last dated
    entry, else the latest date the summary, impact or resolution give."""
    times = incident_times(document)
    if times.resolved:
        return times.resolved.date()
    days = [entry.day for entry in document.timeline() if entry.day]
    if days:
        return max(days)
    telling = (SectionKind.SUMMARY, SectionKind.IMPACT, SectionKind.RESOLUTION)
    texts = [b.text for b in document.preamble]
    texts += [
        b.text
        for s in document.walk()
        if s.kind in telling or is_narrative(s.title)
        for b in s.blocks
    ]
    found = [day for text in texts for day in _days(text)]
    return max(found) if found else None


def _days(text: str) -> list[dt.date]:
    return [day for match in _ANY_DAY.finditer(text) if (day := find_date(match.group(0)))]


def written(document: Document, filename: str = "") -> Written | None:
    """When the post-mortem was written, if the document shows it (see the module doc)."""
    stated = document.meta_time("written")
    if stated:
        return Written(stated.date(), _meta_line(document, "written"))
    end = incident_end(document)
    if end is None:
        return None
    for key in _META_WRITTEN:
        value = _meta(document, key)
        if value and value.date() > end:
            return Written(value.date(), _meta_line(document, key))
    head = "\n".join(b.text for b in document.preamble[:6])
    for match in _DATED_LINE.finditer(head):
        day = find_date(match.group(1))
        if day and day > end:
            return Written(day, _line_of(document, match.group(0)))
    for source, line in ((document.title, document.title_line), (filename, 0)):
        named = _FILE_DATE.search(source) if source is filename else None
        day = _file_day(named) if named else (find_date(source) if source else None)
        if day and day > end:
            return Written(day, line)
    return None


def _file_day(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _meta_line(document: Document, key: str) -> int:
    for index, line in enumerate(document.source.split("\n")[1:], start=2):
        if line.lower().startswith(f"{key}:") or line.lower().startswith(f"{key} ="):
            return index
        if line.strip() in {"---", "+++"}:
            break
    return 1


def _line_of(document: Document, text: str) -> int:
    at = document.source.find(text)
    return document.source.count("\n", 0, at) + 1 if at >= 0 else 1
