"""Root cause: more than one factor, deep enough, process as well as technology, no person."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.blocks import list_items
from hindsight.core.context import Context
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


def factors(context: Context) -> list[tuple[str, int]]:
    """Contributing factors: list items, or causal paragraphs when there are no lists."""
    found: list[tuple[str, int]] = []
    prose: list[tuple[str, int]] = []
    for section in root_cause_sections(context):
        for inner in section.walk():
            for block in inner.blocks:
                if block.kind == "list":
                    found += list_items(block.text, block.line)
                elif block.kind == "paragraph" and _CAUSAL.found(block.text):
                    prose.append((block.text, block.line))
            if inner is not section and inner.blocks:
                prose.append((inner.title, inner.line))
    return [(text, line) for text, line in (found or prose) if text.strip()]


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
    found = factors(context)
    if len(found) == 1:
        yield Hit(found[0][1])


@rule(
    id="five-whys-shallow",
    category="root-cause",
    severity="warning",
    message="The 5 Whys chain stops early.",
    suggestion='Keep asking "why?" until you reach a cause the team can change, usually three '
    "to five levels down.",
    options={"min_depth": 3},
)
def five_whys(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if "why" not in context.lowered_source:
        return  # no chain to measure; saves a pass over every line
    chain: list[int] = []
    lines = [(line, text) for line, text in context.lines()] + [(10**9, "")]
    for line, text in lines:
        if _WHY.match(text):
            chain.append(line)
            continue
        if chain and text.strip() and not text.startswith((" ", "\t")):
            if 0 < len(chain) < options["min_depth"]:
                yield Hit(
                    chain[0],
                    f"This 5 Whys chain has {len(chain)} level(s); a chain shorter than "
                    f"{options['min_depth']} usually stops at a symptom, not a cause.",
                )
            chain = []


@rule(
    id="root-cause-technical-only",
    category="root-cause",
    severity="info",
    message="Every contributing factor is technical; the process, communication or "
    "organisational factors that let the technical fault do harm are missing.",
    suggestion="Ask what in review, testing, on-call, ownership or communication let this "
    "through, and add it as a factor.",
    default=False,
)
def technical_only(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    found = factors(context)
    if len(found) >= 2 and not any(_PROCESS.found(text) for text, _ in found):
        yield Hit(found[0][1])


@rule(
    id="root-cause-person",
    category="root-cause",
    severity="error",
    message="A person is named as the root cause. People act within systems; naming them stops "
    "the analysis before the fixable cause and makes the next report less honest.",
    suggestion='Name the condition that let the action cause harm: "the deploy script targeted '
    'production without confirmation".',
)
def person_as_cause(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    sections = root_cause_sections(context)
    text = "\n".join(inner.text for section in sections for inner in section.walk()).lower()
    if not _CAUSAL_PHRASE.search(text):
        return  # no "caused by", "due to"... anywhere: nothing can name a person as the cause
    names = {name.lower() for name in context.names}
    for section in sections:
        for inner in section.walk():
            for block in inner.blocks:
                for offset, text in enumerate(textutil.plain(block.text).split("\n")):
                    if _GENERIC_CAUSE.search(text) or _names_a_cause(text, names):
                        yield Hit(block.line + offset)


def _names_a_cause(text: str, names: set[str]) -> bool:
    """A person from the document within a few words after "caused by", "due to"..."""
    for match in _CAUSAL_PHRASE.finditer(text):
        window = text[match.end() : match.end() + 40].split(".")[0]
        if {w.lstrip("@").lower() for w in re.findall(r"@?[\w-]+", window)} & names:
            return True
    return False
