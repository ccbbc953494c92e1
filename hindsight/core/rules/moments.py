"""Timeline content: key moments in ordinary wording, who acted, and silent gaps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.context import Context
from hindsight.core.durations import format_duration
from hindsight.core.model import TimelineEntry
from hindsight.core.registry import Hit, rule
from hindsight.core.rules.timeline import DETECTION, RESTORATION, ordered_moments, timelines

_WAITING = re.compile(r"\b(wait\w*|monitor\w*|observ\w*|overnight|next (day|morning)|continu\w*)\b")
# "by @maria", "by Maria" or an @handle. Each alternative starts with a letter and checks the
# boundary before it with a look-behind, so the regex engine can jump between "b"s and "@"s
# instead of trying every position: exactly \bby ... | (?<![\w/])@...
_BY = re.compile(r"b(?<!\wb)y @?[A-Z@`][\w-]*|@(?<![\w/]@)[A-Za-z][\w-]+")
# What was done with nobody doing it: "the pod was restarted", "Pods are deleted".
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|been|being|gets?|got)\s+(?:\w+ly\s+)?(?:\w+ed|\w+en|made|done|sent|"
    r"set|run|put|shut|built|found|held|kept|left|lost|told|brought|caught|spent|split|cut|"
    r"read|led|fed|met|rolled back|scaled (?:up|down))\b",
    re.IGNORECASE,
)


@rule(
    id="timeline-key-moments",
    category="timeline",
    severity="warning",
    message="The timeline is missing key moments.",
    suggestion="Add entries for when the problem was detected and when service was restored.",
)
def key_moments(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    entries = [entry for entry in context.entries if entry.text or entry.clock]
    if not entries:
        return
    text = "\n".join(e.text for e in entries).lower()  # one search per moment, not per entry
    if not DETECTION.search(text):
        yield Hit(
            entries[0].line,
            "The timeline never says when or how the problem was noticed (an alert, a report, "
            "someone spotting it), so time to detect can't be read from it.",
        )
    if not RESTORATION.search(text):
        yield Hit(
            entries[-1].line,
            "The timeline never says when service was restored (resolved, rolled back, back "
            "online), so time to restore can't be read from it.",
        )


def names_actor(entry: TimelineEntry, names: frozenset[str] | tuple[str, ...]) -> bool:
    """Whether the entry says who acted: an actor column, a name, a handle, `a-system`, or an
    active verb whose subject is the team ("Rolled back the deploy")."""
    if entry.actor:
        return True
    text = entry.text.strip("*_ ")
    if text.startswith(tuple(names)) or text.startswith("`") or _BY.search(text):
        return True
    lowered = f" {text.lower()} "
    if not any(word in lowered for word in _AUXILIARIES):
        return True  # no "was", "are", "been"...: nothing passive to find
    return not _PASSIVE.search(text)


_AUXILIARIES = (" is ", " are ", " was ", " were ", " been ", " being ", " get", " got ")


@rule(
    id="timeline-actor",
    category="timeline",
    severity="info",
    message="Most timeline entries say what was done but not who did it.",
    suggestion='Say who acted: "Alertmanager paged on-call", "@maria rolled back the deploy" '
    'rather than "the deploy was rolled back".',
    options={"min_share": 0.5, "min_entries": 4},
)
def timeline_actor(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    entries = [e for e in context.entries if e.text]
    if len(entries) < options["min_entries"]:
        return
    names = tuple(context.names)  # str.startswith takes them all at once
    unnamed = [entry for entry in entries if not names_actor(entry, names)]
    if len(unnamed) / len(entries) > options["min_share"]:
        yield Hit(
            unnamed[0].line,
            f"{len(unnamed)} of {len(entries)} timeline entries say what was done but not who "
            'did it ("the pod was restarted"); without actors the response can\'t be '
            "reconstructed or improved.",
        )


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
    id="timeline-gap",
    category="timeline",
    severity="info",
    message="A long gap in the timeline may hide a response delay.",
    suggestion="Add what happened in between, or say the team was waiting or monitoring.",
    options={"minutes": 60},
    default=False,
)
def timeline_gap(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for entries in timelines(context):
        yield from _gaps(ordered_moments(entries), dt.timedelta(minutes=options["minutes"]))


def _gaps(moments: list[tuple[TimelineEntry, dt.datetime]], limit: dt.timedelta) -> Iterator[Hit]:
    lowered = [e.text.lower() for e, _ in moments]
    start = _first_entry(DETECTION, lowered, 0, 0)
    end = _first_entry(RESTORATION, lowered, start + 1, len(moments) - 1)
    for index in range(start + 1, end + 1):
        (first, before), (entry, moment) = moments[index - 1], moments[index]
        gap = moment - before
        if entry.day is not None and first.day is not None and entry.day != first.day:
            continue  # the author moved to another day on purpose: a slow incident, not a delay
        if gap > limit and not (
            _WAITING.search(lowered[index - 1]) or _WAITING.search(lowered[index])
        ):
            yield Hit(
                entry.line,
                f"{format_duration(gap)} pass between this entry and the one before, during the "
                "response, with nothing recorded: a delay the post-mortem should explain.",
            )
