"""The quality score: what a post-mortem covers earns points, defects cost within their part.

The practice has six parts (summary, timeline, root cause, what went well, what
could be improved, action items) and a few qualities that run through the whole
text (blameless, specific, plain, short enough, timely, well-formed, no leaks).
Each has a weight; the weights add up to 100:

    score = sum over parts of      weight x (0 if absent, else max(floor, 1 - cost))
          + sum over qualities of  weight x max(0, 1 - cost)

`cost` adds up the findings in the part's category: per finding a share of the
part's weight by severity, each rule's share capped, so forty owner-less items
cost no more than a handful. A present part never earns less than `floor` of its
weight, so a weak part always beats a missing one: a defect costs no more than
the part's absence. Findings that only say a part is absent cost nothing more.
For the public audience disclosure weighs 15 instead of 2 (the other weights
shrink in proportion): a leak is what stops a customer-facing text.
A document that was not reviewed has no score (None), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from hindsight.core.context import Context
from hindsight.core.rules.structure import ABSENCE_RULES, present_parts


class Scored(Protocol):
    """What the score needs of a finding."""

    @property
    def rule(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def severity(self) -> str: ...


@dataclass(frozen=True)
class Part:
    name: str  # the part of the practice, named by the category its findings carry
    weight: int
    coverage: bool  # True: earns points only when present; False: a quality of the whole text


PARTS = (
    Part("summary", 14, True),
    Part("timeline", 14, True),
    Part("root-cause", 18, True),
    Part("went-well", 6, True),
    Part("improvements", 8, True),
    Part("action-items", 16, True),
    Part("blame", 10, False),
    Part("specificity", 5, False),
    Part("plain-language", 2, False),
    Part("timeliness", 2, False),
    Part("structure", 2, False),
    Part("length", 1, False),
    Part("disclosure", 2, False),
)
FLOOR = 0.25
# Share of a part's weight one finding costs, and the most one rule can cost, by severity.
COST: Mapping[str, tuple[float, float]] = {
    "error": (0.6, 1.0),
    "warning": (0.25, 0.5),
    "info": (0.1, 0.2),
}


# Customer-facing text that leaks internal details can't be published, so for the public
# audience disclosure weighs this much and the other parts share the rest in proportion.
PUBLIC_DISCLOSURE = 15


def weights(audience: str) -> dict[str, float]:
    """Each part's weight for the audience; they add up to 100."""
    base = {part.name: float(part.weight) for part in PARTS}
    if audience != "public":
        return base
    rest = 100 - base["disclosure"]
    scale = (100 - PUBLIC_DISCLOSURE) / rest
    return {
        name: PUBLIC_DISCLOSURE if name == "disclosure" else weight * scale
        for name, weight in base.items()
    }


def part_scores(context: Context, findings: Iterable[Scored]) -> dict[str, float]:
    """Points each part earns (its weight when present and clean)."""
    present = present_parts(context)
    spent: dict[tuple[str, str], float] = {}
    caps: dict[tuple[str, str], float] = {}
    for finding in findings:
        if finding.rule in ABSENCE_RULES:
            continue
        each, cap = COST[finding.severity]
        key = (finding.category, finding.rule)
        spent[key] = spent.get(key, 0.0) + each
        caps[key] = max(caps.get(key, 0.0), cap)
    cost: dict[str, float] = {}
    for (category, rule_id), value in spent.items():
        cost[category] = cost.get(category, 0.0) + min(value, caps[(category, rule_id)])
    earned = {}
    weight = weights(context.audience)
    for part in PARTS:
        remaining = 1.0 - cost.get(part.name, 0.0)
        if part.coverage:
            share = max(FLOOR, remaining) if present[part.name] else 0.0
        else:
            share = max(0.0, remaining)
        earned[part.name] = weight[part.name] * share
    return earned


def score(context: Context, findings: Iterable[Scored]) -> int:
    """The document's score out of 100 (see the module docstring)."""
    return round(sum(part_scores(context, findings).values()))
