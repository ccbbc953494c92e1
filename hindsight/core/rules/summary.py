"""Summary: what, when, how long, who, impact, in a few plain sentences."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.model import SectionKind
from hindsight.core.registry import Hit, rule

_WHEN = textutil.Caseless(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|(mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"jan(uary)?|feb(ruary)?|march|april|may|june|july|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|yesterday|today|tonight|morning|afternoon|evening|overnight|"
    r"night|(18|19|20)\d{2})\b",
)
_DURATION = textutil.Caseless(
    r"\b\d+(\.\d+)?\s*(-|to)?\s*\d*\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?)\b"
    r"|\bfor (about|around|roughly|nearly|over|almost|just over|just under)\b"
    r"|\bbetween\b.{0,30}\band\b|\buntil\b|\bquickly\b|\bbrief(ly)?\b"
    r"|\b\d{1,2}:\d{2}\s*(-|–|to)\s*\d{1,2}:\d{2}\b",
)
_WHO = textutil.Caseless(
    r"\b(users?|customers?|clients?|teams?|developers?|people|everyone|visitors?|subscribers?|"
    r"tenants?|services?|jobs?|requests?|students?|members?|nobody|no one|organi[sz]ations?|"
    r"applications?|workloads?|pods?|consumers?|callers?|readers?|accounts?|nodes?|cluster)\b",
)
_IMPACT = textutil.Caseless(
    r"\b(could not|couldn.t|cannot|can.t|unable|fail\w*|errors?|down|outage|unavailable|"
    r"degraded|slow\w*|lost|loss|delay\w*|impact\w*|affect\w*|disrupt\w*|broken|not accessible|"
    r"timeouts?|timed out|crash\w*|malicious|vulnerab\w*|downtime|stopped|swamp\w*|"
    r"unresponsive|limit|starvation|pending|split|unhealthy)\b|\b5\d\d\b",
)


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
    sections = context.find(SectionKind.SUMMARY)
    if sections:
        return sections[0].line
    return context.summary_blocks[0].line if context.summary_blocks else 1


@rule(
    id="summary-facts",
    category="summary",
    severity="warning",
    message="The summary doesn't say everything a reader needs.",
    suggestion="Say in 3-4 sentences what happened, when, for how long, who was affected and "
    "what it cost the business.",
)
def summary_facts(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    text = summary_text(context)
    if not text.strip():
        return
    meta = context.document.meta
    missing = []
    title = context.document.title or str(meta.get("title", ""))
    if not (_WHEN.found(text) or _WHEN.found(title) or meta.get("started")):
        missing.append("when it happened")
    if not (_DURATION.found(text) or (meta.get("started") and meta.get("resolved"))):
        missing.append("how long it lasted")
    if not _WHO.found(text):
        missing.append("who was affected")
    if not _IMPACT.found(text):
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
    options={"max_sentences": 6},
)
def summary_length(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
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
    ease = textutil.reading_ease(summary_text(context), summary_sentences(context))
    if ease is not None and ease < options["min_reading_ease"]:
        yield Hit(
            summary_line(context),
            f"The summary's Flesch reading ease is {ease} (below {options['min_reading_ease']}; "
            "60-70 is plain English), so people outside the team may not follow it.",
        )
