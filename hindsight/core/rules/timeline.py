"""Timeline: times on every entry, in order, key moments present, who acted, no silent gaps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.context import Context
from hindsight.core.model import TimelineEntry
from hindsight.core.registry import Hit, rule

# Key moments in ordinary wording. Matched against lower-cased text.
DETECTION = re.compile(
    r"\b(alert\w*|paged?|paging|detect\w*|notic\w*|report\w*|discover\w*|warning|aware|pinged|"
    r"spotted|flagged|first (sign|seen)|triggered|declared|fired|observ\w*|"
    r"escalat\w*|(was|were|got) (notified|informed|told)|"
    r"notified|raised|opened (an? )?(incident|issue|ticket)|ack(nowledg\w*)?\b|"
    r"started (looking|working)|complain\w*|support (ticket|request)|seen|notif\w*|"
    r"became aware|made aware)|検知|発見|報告|通知|アラート|投稿|指摘|发现|告警|报告",
)
RESTORATION = re.compile(
    r"\b(resolv\w*|restor\w*|recover\w*|back to (normal|working)|back up|mitigat\w*|fixed|"
    r"operational|healthy|working again|back online|now back|are back|is back|normal levels|"
    r"repaired|rolled back|roll(ed)?-?back|reverted|up and running|outage ends|completed|"
    r"responding again|functional again|succe(ed|eded|ss\w*)|stable|stabili[sz]\w*|"
    r"unpublished|taken down|disabled|finali[sz]\w*|returns? to normal|returned|resum\w*|"
    r"fix (was |is )?(deployed|released|applied|merged)|deployed (a|the) fix|re-?opened|"
    r"as expected|no (more|further) (errors|failures|issues|action)|green again|patched|"
    r"(made|pushed|merged|committed) (a |the )?(commit to )?fix|stopped serving|shut ?down)"
    r"|復旧|解決|解消|回復|恢复|修复|解决",
)
CLOSURE = re.compile(
    r"\b(clos(ed|ure|ing)|all.clear|post-?mortem|incident (is )?(over|ended|complete)|"
    r"stand(ing)? down|retro\w*|follow.?up|monitoring ended|announces?|"
    r"(notified|informed|updated) (of|about)|status page updated)\b",
)


def ordered_moments(entries: list[TimelineEntry]) -> list[tuple[TimelineEntry, dt.datetime]]:
    """Timed entries with full datetimes: days carried forward, midnight crossings allowed."""
    result = []
    day = dt.date(2000, 1, 1)
    previous: dt.datetime | None = None
    for entry in entries:
        if entry.clock is None:
            continue
        explicit = entry.day is not None
        day = entry.day or day
        moment = dt.datetime.combine(day, entry.clock)
        if not explicit and previous and moment <= previous - dt.timedelta(hours=6):
            day = previous.date() + dt.timedelta(days=1)  # 23:50 then 00:10: the next day
            moment = dt.datetime.combine(day, entry.clock)
        result.append((entry, moment))
        previous = moment
    return result


# A time still as the template wrote it, or with the hour unknown ("HH:mm", "2X:XX", "??:??").
_PLACEHOLDER_TIME = re.compile(
    r"^[~*_(\[]*(?:\d{4}-\d{2}-\d{2}\s+)?(?:hh|[0-9]?[x?]|[x?]{2})\s*:", re.I
)
_UNFINISHED = re.compile(r"\?{3,}|\b(?:TODO|TBD)\b")


def timelines(context: Context) -> list[list[TimelineEntry]]:
    """Each timeline's entries on their own: a page of several reports has several timelines."""
    found: list[list[TimelineEntry]] = context.memo(
        "timelines", lambda: [s.entries for s in context.sections if s.entries]
    )
    return found


@rule(
    id="timeline-entry-time",
    category="timeline",
    severity="warning",
    message="A timeline entry has no usable time, so durations and delays around it can't be "
    "measured.",
    suggestion="Give the entry its time (`14:02`, `2026-03-01 14:02 UTC`); mark an estimate "
    "with `~`.",
)
def entry_time(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for entry in context.entries:
        if entry.problem:
            yield Hit(entry.line, f"{entry.problem}, so the entry can't be placed in time.")
        elif entry.clock is None and _PLACEHOLDER_TIME.match(entry.time_text or ""):
            yield Hit(
                entry.line,
                f'"{entry.time_text}" is a placeholder, not a time: the entry was never filled in.',
            )
        elif _UNFINISHED.search(entry.text):
            yield Hit(
                entry.line,
                'This entry was left unfinished (it still holds a placeholder such as "???").',
                "Finish the entry or remove it.",
            )


@rule(
    id="timeline-order",
    category="timeline",
    severity="warning",
    message="A timeline entry is earlier than the one before it.",
    suggestion="Put entries in chronological order, or fix the time or date.",
)
def timeline_order(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for entries in timelines(context):
        moments = ordered_moments(entries)
        for (_, before), (entry, moment) in zip(moments, moments[1:], strict=False):
            if moment < before:
                yield Hit(
                    entry.line,
                    f"This entry ({_when(entry, moment)}) comes after one at "
                    f"{_when(entry, before)}; out-of-order entries hide the real sequence of "
                    "events.",
                )


def _when(entry: TimelineEntry, moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if entry.day else f"{moment:%H:%M}"


_SAME_ZONE = {"Z": "UTC", "GMT": "UTC", "+00:00": "UTC", "+0000": "UTC"}
_STATED_ZONE = re.compile(
    r"\b(?:[Aa]ll times?|[Tt]imes (?:are|in)|[Tt]ime ?zone:?)\s*(?:are |is )?(?:in |shown in |given "
    r"in )?\(?([A-Z]{2,5}\b|[A-Z][a-z]+/[A-Z][a-z_]+|(?:Pacific|Eastern|Central|Mountain)\b)"
)
_TWELVE_HOUR = re.compile(r"^[~*_(\[]*(\d{1,2}):\d{2}\s*[ap]\.?m\b", re.I)
_BARE_HOUR = re.compile(r"^[~*_(\[]*([1-9]):\d{2}(?!\s*[ap]\.?m)", re.I)


@rule(
    id="timeline-time-zone",
    category="timeline",
    severity="warning",
    message="The timeline switches time zone or clock format part-way, so its entries can't be "
    "lined up.",
    suggestion="Give every entry in one time zone (UTC is usual) and one clock format, and say "
    'which once: "All times UTC".',
)
def time_zone(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for section in context.sections:
        if not section.entries:
            continue
        stated = _STATED_ZONE.search(section.text)
        first_zone = _zone(stated.group(1)) if stated else ""
        for entry in section.entries:
            zone = _zone(entry.tz)
            if zone and not first_zone:
                first_zone = zone
            elif zone and zone != first_zone:
                yield Hit(
                    entry.line,
                    f"This entry is in {entry.tz} while the timeline so far is in {first_zone}; "
                    "a switch of time zone inside one timeline puts events in the wrong order.",
                )
                break
        twelve = [e for e in section.entries if _TWELVE_HOUR.match(e.time_text or "")]
        bare = [e for e in section.entries if _BARE_HOUR.match(e.time_text or "")]
        if twelve and bare:
            yield Hit(
                bare[0].line,
                f'"{bare[0].time_text}" has no AM/PM while other entries in this timeline are '
                "12-hour times, so it can be read two ways.",
            )


def _zone(text: str) -> str:
    value = text.strip().upper()
    return _SAME_ZONE.get(value, value)
