"""Root cause: more than one factor, deep enough, process as well as technology, no person."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.blocks import list_items
from hindsight.core.context import Context
from hindsight.core.model import Section, SectionKind
from hindsight.core.registry import Hit, rule
from hindsight.core.rules.structure import root_cause_sections

_CAUSAL = textutil.Caseless(r"\b(because|due to|caus\w*|led to|result\w*|trigger\w*|so that|why)\b")
_PROCESS = textutil.Caseless(
    r"\b(process\w*|review\w*|procedur\w*|runbooks?|playbooks?|document\w*|training|"
    r"communicat\w*|hand-?over|ownership|owner|prioriti\w*|plan\w*|polic\w*|checklists?|"
    r"approv\w*|on-?call|escalat\w*|knowledge|aware\w*|manual\w*|teams?|focus|staff\w*|"
    r"coordinat\w*|announc\w*|inform\w*|notif\w*|revision|deadline|pressure|practice|"
    r"culture|expectation\w*|unclear|responsib\w*|shared|people)\b",
)
_WHY = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\*\*)?(?:why\b|\d+\.\s*why)", re.I)
_ROLE = r"the (?:engineer|developer|operator|admin(?:istrator)?|intern|on-?call(?: engineer)?)"
_CAUSAL_PHRASE = re.compile(
    r"\b(?:root cause|caused by|cause (?:was|is)|due to|because of)\b", re.I
)
_GENERIC_CAUSE = re.compile(
    _CAUSAL_PHRASE.pattern + rf"[^.]{{0,40}}?\b(?:human error|operator error|user error|{_ROLE})\b",
    re.I,
)


def factors(context: Context, dedicated: bool = False) -> list[tuple[str, int]]:
    """Contributing factors: list items, or causal sentences when there are no lists; a
    sentence that joins causes ("a combination of X and Y") counts each.

    `dedicated`: only sections headed as a cause analysis, not "What went wrong" or lessons
    standing in for one.
    """
    found: list[tuple[str, int]] = []
    prose: list[tuple[str, int]] = []
    sections = context.find(SectionKind.ROOT_CAUSE) if dedicated else root_cause_sections(context)
    for section in sections:
        for inner in section.walk():
            for block in inner.blocks:
                if block.kind == "list":
                    found += list_items(block.text, block.line)
                elif block.kind == "paragraph" and _CAUSAL.found(block.text):
                    for sentence in textutil.sentences(textutil.plain(block.text)):
                        if _CAUSAL.found(sentence) or _JOINED.search(sentence):
                            prose += [(sentence, block.line)] * (
                                2 if _JOINED.search(sentence) else 1
                            )
            if inner is not section and inner.blocks:
                prose.append((inner.title, inner.line))
    return [(text, line) for text, line in (found or prose) if text.strip()]


_JOINED = re.compile(
    r"\b(?:combination of|combined with|compounded by|as well as|along with|together with|"
    r"coupled with)\b|\bboth\b.{1,60}\band\b",
    re.IGNORECASE,
)
# Causes that name a kind of failure rather than explain one.
_LABEL_CAUSE = re.compile(
    r"\b(?:caused by|due to|because of|result of|root causes? (?:was|is|were)|cause (?:was|is)|"
    r"(?:failure|incident|outage|problem|issue) (?:occurred|happened) (?:due to|because of))\s+"
    r"(?:an? |the |some )?(?:mix of |combination of )?(?:minor |small |simple |unknown |"
    r"technical (?:and|or) )?(?:bugs?|human errors?|errors?|glitch(?:es)?|mistakes?|"
    r"misconfigurations?|issues?|problems?|oversights?)\b(?!\s*(?:like|such as|where|whereby|:))",
    re.IGNORECASE,
)
_UNDETERMINED = re.compile(
    r"^\W*(?:yet to be determined|to be determined|tbd|unknown|under investigation|"
    r"still (?:being )?investigat\w*|n/?a)\W*$",
    re.IGNORECASE,
)


@rule(
    id="root-cause-single-factor",
    category="root-cause",
    severity="warning",
    message="The analysis names a single cause; incidents almost always have several "
    "contributing factors, and stopping at one leaves the others to cause the next outage.",
    suggestion="List the contributing factors: the trigger, why it wasn't caught, why the "
    "impact was as large as it was.",
)
def single_factor(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    found = factors(context, dedicated=True)
    if len(found) == 1:
        yield Hit(found[0][1])


@rule(
    id="root-cause-shallow",
    category="root-cause",
    severity="warning",
    message='The cause is named, not explained: "a bug" or "human error" stops where the '
    "analysis should start.",
    suggestion="Say what the bug or error was, why it was possible and why it wasn't caught "
    "earlier; if the cause is still unknown, say what is being done to find it and by when.",
    options={"min_words": 80},
)
def root_cause_shallow(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    analysis = root_cause_sections(context)
    for section in context.find(SectionKind.ROOT_CAUSE):
        text = " ".join(textutil.plain(b.text) for b in section.blocks)
        if _UNDETERMINED.match(text) and not section.children:
            yield Hit(
                section.line,
                "The root cause is still undetermined, and the post-mortem doesn't say how or "
                "by when it will be found.",
            )
    words = sum(len(b.text.split()) for s in analysis for inner in s.walk() for b in inner.blocks)
    if words > options["min_words"]:
        return  # an analysis of some length: a label in passing is a summary of it
    opening = Section(SectionKind.SUMMARY, "", 0, context.document.preamble)
    hits = [
        Hit(block.line + offset)
        for section in [*analysis, *context.find(SectionKind.SUMMARY), opening]
        for block in section.blocks
        for offset, text in enumerate(textutil.plain(block.text).split("\n"))
        if _LABEL_CAUSE.search(text)
    ]
    if hits:
        yield min(hits, key=lambda hit: hit.line)
