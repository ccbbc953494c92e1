"""Summary: what, when, how long, who, impact, in a few plain sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.incident import incident_times
from hindsight.core.model import SectionKind
from hindsight.core.registry import Hit, rule

_WHEN = textutil.Caseless(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|(mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"jan(uary)?|feb(ruary)?|march|april|may|june|july|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|yesterday|today|tonight|morning|afternoon|evening|overnight|"
    r"night|(18|19|20)\d{2})\b",
)
_NUMBER = (
    r"(\d+(\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|ninety|several|a few|a couple of|half an?)"
)
_DURATION = textutil.Caseless(
    rf"\b{_NUMBER}\s*(-|to)?\s*\d*\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|"
    r"weeks?|months?)\b|\b\d+h\d+m?\b"
    r"|\bfor (about|around|roughly|nearly|over|almost|just over|just under)\b"
    r"|\bbetween\b.{0,40}\band\b|\bfrom\b.{0,40}\b(to|through|until|till)\b|\buntil\b"
    r"|\bsince (about |around |roughly |early |late )?(\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec|mon|tue|wed|thu|fri|sat|sun|yesterday|last)|\bquickly\b|\bbrief(ly)?\b"
    r"|\bwithin (a|an|\d|minutes|hours|days|seconds)\b"
    r"|\b\d{1,2}:\d{2}\s*[a-z]{0,4}\s*(-|–|to|and|until)\s*\d{1,2}:\d{2}"
    r"|\d{4}-\d{2}-\d{2}\s*(-|–|to)\s*\d{4}-\d{2}-\d{2}",
)
_WHO = textutil.Caseless(
    r"\b(users?|customers?|clients?|teams?|developers?|people|everyone|visitors?|subscribers?|"
    r"tenants?|services?|jobs?|requests?|students?|members?|nobody|no one|organi[sz]ations?|"
    r"applications?|workloads?|pods?|consumers?|callers?|readers?|accounts?|nodes?|cluster|"
    r"maintainers?|builds?|validators?|operators?|owners?|farmers?|devices?|sites?|prs?|"
    r"merges?|packages?|downloads?|installations?|network|testnet|mainnet)\b",
)
_IMPACT = textutil.Caseless(
    r"\b(could not|couldn.t|cannot|can.t|unable|not able|fail\w*|errors?|down|outage|unavailable|"
    r"degraded|slow\w*|lost|loss|delay\w*|impact\w*|affect\w*|disrupt\w*|broken|not accessible|"
    r"timeouts?|timed out|crash\w*|malicious|vulnerab\w*|downtime|stopped|swamp\w*|"
    r"unresponsive|limit|starvation|pending|split|unhealthy|queued|prevent\w*|blocked|"
    r"exposed|leak\w*|compromis\w*|halt\w*|missed|expired|having (issues|problems|trouble))\b"
    r"|\b5\d\d\b",
)
# A summary that says nobody was hurt has no duration or impact to give.
_UNHARMED = textutil.Caseless(
    r"\b(were|was) not (affected|impacted)|\bno (customers?|users?|one) (was |were )?"
    r"(affected|impacted)|\bno impact\b"
)
# Latin letters: the patterns are English; a summary in Japanese or Chinese isn't checked.
_LATIN = re.compile(r"[A-Za-z]")


def summary_text(context: Context) -> str:
    """The summary as plain prose, derived once per review for the three summary rules."""
    text: str = context.memo(
        "summary_text",
        lambda: "\n\n".join(
            textutil.plain(b.text)
            for b in context.summary_blocks
            if b.kind not in {"code", "table"}
        ),
    )
    return text


def summary_sentences(context: Context) -> list[str]:
    found: list[str] = context.memo(
        "summary_sentences", lambda: textutil.sentences(summary_text(context))
    )
    return found


def summary_line(context: Context) -> int:
    if context.summary_section is not None:
        return context.summary_section.line
    return context.summary_blocks[0].line if context.summary_blocks else 1


def _facts_text(context: Context) -> str:
    """Where readers look for the facts: the summary and, at the top level, the impact and
    any other overview that comes before the timeline."""
    later = [
        s.line for s in context.sections if s.kind in (SectionKind.TIMELINE, SectionKind.ROOT_CAUSE)
    ]
    top = min(later, default=10**9)
    overviews = [
        s
        for s in context.find(SectionKind.SUMMARY)
        if s.level <= 2 and s.line < top and s is not context.summary_section
    ]
    sections = [s for s in context.find(SectionKind.IMPACT) if s.level <= 2] + overviews
    extra = [
        textutil.plain(b.text)
        for s in sections
        for b in s.blocks
        if b.kind in {"paragraph", "list"}
    ]
    return "\n\n".join([summary_text(context), *extra])


@rule(
    id="summary-facts",
    category="summary",
    severity="warning",
    message="The summary doesn't say everything a reader needs.",
    suggestion="Say in 3-4 sentences what happened, when, for how long, who was affected and "
    "what it cost the business.",
)
def summary_facts(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    own = summary_text(context)
    if not own.strip() or len(_LATIN.findall(own)) * 2 < len(own.replace(" ", "")):
        return
    text = _facts_text(context)
    times = incident_times(context.document)
    title = context.document.title or str(context.document.meta.get("title", ""))
    unharmed = _UNHARMED.found(text)
    missing = []
    if not (_WHEN.found(text) or _WHEN.found(title) or times.started):
        missing.append("when it happened")
    if not (_DURATION.found(text) or (times.started and times.resolved) or unharmed):
        missing.append("how long it lasted")
    if not (_WHO.found(text) or context.document.meta.get("affected")):
        missing.append("who was affected")
    if not (_IMPACT.found(text) or unharmed):
        missing.append("the impact")
    if missing:
        yield Hit(
            summary_line(context),
            "The summary doesn't say " + ", ".join(missing) + "; it is the only part many "
            "readers see.",
        )


@rule(
    id="summary-length",
    category="summary",
    severity="warning",
    message="The summary is long.",
    suggestion="Keep the summary to 3-4 sentences and move detail to the timeline or analysis.",
    options={"max_sentences": 10},
)
def summary_length(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if context.summary_section is None and not context.document.preamble:
        return  # the "What happened" story stands in for a summary; it is not one
    count = len(summary_sentences(context))
    if count > options["max_sentences"]:
        yield Hit(
            summary_line(context),
            f"The summary has {count} sentences (more than {options['max_sentences']}); a long "
            "summary stops being read as one.",
        )


@rule(
    id="summary-readability",
    category="plain-language",
    severity="info",
    message="The summary is hard to read.",
    suggestion="Use shorter sentences and everyday words; explain technical terms.",
    options={"min_reading_ease": 30},
)
def summary_readability(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    # Prose only: a list of facts ("- **Started:** 14:02") is read as a table, not as sentences.
    prose = "\n\n".join(
        textutil.plain(b.text) for b in context.summary_blocks if b.kind == "paragraph"
    )
    ease = textutil.reading_ease(prose)
    if ease is not None and ease < options["min_reading_ease"]:
        yield Hit(
            summary_line(context),
            f"The summary's Flesch reading ease is {ease} (below {options['min_reading_ease']}; "
            "60-70 is plain English), so people outside the team may not follow it.",
        )
