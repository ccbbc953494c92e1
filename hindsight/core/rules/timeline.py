"""Timeline: times on every entry, in order, key moments present, who acted, no silent gaps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.context import Context
from hindsight.core.model import SectionKind, TimelineEntry
from hindsight.core.registry import Hit, rule

# Key moments in ordinary wording. Matched against lower-cased text.
DETECTION = re.compile(
    r"\b(alert\w*|paged?|paging|detect\w*|notic\w*|report\w*|discover\w*|warning|aware|pinged|"
    r"spotted|flagged|first (sign|seen)|triggered|declared|fired|observ\w*|identif\w*|"
    r"confirm\w*|investigat\w*|escalat\w*|(was|were|got) (notified|informed|told)|"
    r"notified|raised|opened (an? )?(incident|issue|ticket)|ack(nowledg\w*)?\b|"
    r"started (looking|working)|complain\w*|support (ticket|request))",
)
RESTORATION = re.compile(
    r"\b(resolv\w*|restor\w*|recover\w*|back to (normal|working)|back up|mitigat\w*|fixed|"
    r"operational|healthy|working again|back online|now back|are back|is back|normal levels|"
    r"repaired|rolled back|roll(ed)?-?back|reverted|up and running|outage ends|completed|"
    r"responding again|functional again|succe(ed|eded|ss\w*)|stable|stabili[sz]\w*|"
    r"unpublished|taken down|disabled|finali[sz]\w*|returns? to normal|returned|resum\w*|"
    r"fix (was |is )?(deployed|released|applied|merged)|deployed (a|the) fix|re-?opened|"
    r"as expected|no (more|further) (errors|failures|issues)|green again)",
)
CLOSURE = re.compile(
    r"\b(clos(ed|ure|ing)|all.clear|post-?mortem|incident (is )?(over|ended|complete)|"
    r"stand(ing)? down|retro\w*|follow.?up|monitoring ended|announces?|"
    r"(notified|informed|updated) (of|about)|status page updated)\b",
)
_WAITING = re.compile(r"\b(wait\w*|monitor\w*|observ\w*|overnight|next (day|morning)|continu\w*)\b")
# "by @maria", "by Maria" or an @handle. Each alternative starts with a letter and checks the
# boundary before it with a look-behind, so the regex engine can jump between "b"s and "@"s
# instead of trying every position: exactly \bby ... | (?<![\w/])@...
_BY = re.compile(r"b(?<!\wb)y @?[A-Z@][\w-]*|@(?<![\w/]@)[A-Za-z][\w-]+")
_SUBJECT = re.compile(
    r"^(@[\w-]+|we|i|they|[A-Z][\w.-]*(?: [A-Z][\w.-]*)?:|the (team|on-?call|engineer|sre)|"
    r"[A-Z][\w.-]+ (\w+ed|\w+s|is|was|were|has|had)\b)",
)


def timeline_line(context: Context) -> int:
    sections = context.find(SectionKind.TIMELINE)
    return sections[0].line if sections else (context.document.title_line or 1)


def _moments(context: Context) -> list[tuple[TimelineEntry, dt.datetime]]:
    moments: list[tuple[TimelineEntry, dt.datetime]] = context.memo(
        "ordered_moments", lambda: ordered_moments(context.entries)
    )
    return moments


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
        if not explicit and previous and moment < previous - dt.timedelta(hours=12):
            day = previous.date() + dt.timedelta(days=1)  # 23:50 then 00:10: the next day
            moment = dt.datetime.combine(day, entry.clock)
        result.append((entry, moment))
        previous = moment
    return result


@rule(
    id="timeline-entry-time",
    category="timeline",
    severity="warning",
    message="A timeline entry has no exact time, so durations and delays around it can't be "
    "measured.",
    suggestion="Give the entry a time (`14:02`, `2026-03-01 14:02 UTC`); mark estimates with `~`.",
)
def entry_time(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for entry in context.entries:
        if entry.clock is None:
            yield Hit(entry.line)


@rule(
    id="timeline-order",
    category="timeline",
    severity="warning",
    message="A timeline entry is earlier than the one before it.",
    suggestion="Put entries in chronological order, or fix the time or date.",
)
def timeline_order(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    moments = _moments(context)
    for (_, before), (entry, moment) in zip(moments, moments[1:], strict=False):
        if moment < before:
            yield Hit(
                entry.line,
                f"This entry ({moment:%Y-%m-%d %H:%M}) comes after one at "
                f"{before:%Y-%m-%d %H:%M}; out-of-order entries hide the real sequence of events.",
            )


@rule(
    id="timeline-key-moments",
    category="timeline",
    severity="warning",
    message="The timeline is missing key moments.",
    suggestion="Add entries for when the problem was detected and when service was restored.",
)
def key_moments(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    entries = context.entries
    if not entries:
        return
    text = "\n".join(e.text for e in entries).lower()  # one search per moment, not per entry
    missing = [
        name
        for name, pattern in (("detection", DETECTION), ("restoration", RESTORATION))
        if not pattern.search(text)
    ]
    if missing:
        yield Hit(
            timeline_line(context),
            "The timeline has no " + " or ".join(missing) + " entry; time to detect and time to "
            "restore can't be read from it.",
        )


def names_actor(entry: TimelineEntry, names: frozenset[str] | tuple[str, ...]) -> bool:
    if entry.actor:
        return True
    text = entry.text.strip("*_ ")
    return bool(text.startswith(tuple(names)) or _SUBJECT.match(text) or _BY.search(text))


def _first_entry(pattern: re.Pattern[str], texts: list[str], begin: int, default: int) -> int:
    """Index of the first of `texts` from `begin` on that `pattern` finds, else `default`.

    One search of the texts joined by newlines instead of one per text: no moment pattern
    matches a newline, so the first match lies in the first text that has one.
    """
    match = pattern.search("\n".join(texts[begin:]))
    if match is None:
        return default
    at = match.start()
    for index in range(begin, len(texts)):
        at -= len(texts[index]) + 1
        if at < 0:
            return index
    return default


@rule(
    id="timeline-actor",
    category="timeline",
    severity="info",
    message="Most timeline entries don't say who (or what system) acted.",
    suggestion='Start entries with the actor: "Alertmanager paged on-call", "@maria rolled '
    'back the deploy".',
    options={"min_share": 0.5, "min_entries": 3},
)
def timeline_actor(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    entries = [e for e in context.entries if e.text]
    if len(entries) < options["min_entries"]:
        return
    names = tuple(context.names)  # str.startswith takes them all at once
    named = sum(names_actor(entry, names) for entry in entries)
    if named / len(entries) < options["min_share"]:
        yield Hit(
            timeline_line(context),
            f"Only {named} of {len(entries)} timeline entries say who acted; without actors the "
            "response can't be reconstructed or improved.",
        )


@rule(
    id="timeline-gap",
    category="timeline",
    severity="info",
    message="A long gap in the timeline may hide a response delay.",
    suggestion="Add what happened in between, or say the team was waiting or monitoring.",
    options={"minutes": 60},
)
def timeline_gap(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    moments = _moments(context)
    lowered = [e.text.lower() for e, _ in moments]
    start = _first_entry(DETECTION, lowered, 0, 0)
    end = _first_entry(RESTORATION, lowered, start + 1, len(moments) - 1)
    limit = dt.timedelta(minutes=options["minutes"])
    for index in range(start + 1, end + 1):
        (first, before), (entry, moment) = moments[index - 1], moments[index]
        gap = moment - before
        if entry.day is not None and first.day is not None and entry.day != first.day:
            continue  # the author moved to another day on purpose: a slow incident, not a delay
        if gap > limit and not (
            _WAITING.search(lowered[index - 1]) or _WAITING.search(lowered[index])
        ):
            minutes = int(gap.total_seconds() // 60)
            yield Hit(
                entry.line,
                f"{minutes} minutes pass between this entry and the one before, during the "
                "response, with nothing recorded: a delay the post-mortem should explain.",
            )
