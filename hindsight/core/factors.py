"""Contributing factors as tags, from a post-mortem's root-cause analysis.

Factors drawn in the root-cause diagrams (core.diagrams) carry a tag picked
from this shared vocabulary. Factors written as prose are matched against
it: each contributing factor the reviewer finds (list items of the root-cause
section, or its causal paragraphs) gets the tags whose pattern it mentions,
so incidents can be compared and counted ("same factor: certificate
expiry"). A factor that matches no tag is not counted; the vocabulary is
documented in docs/insights.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hindsight.core import diagrams
from hindsight.core.parser import parse
from hindsight.core.review import Context
from hindsight.core.rules.rootcause import factors as root_cause_factors


@dataclass(frozen=True)
class FactorTag:
    tag: str
    label: str
    category: str  # a fishbone category: technology, process, communication, environment, external
    pattern: re.Pattern[str]


def _tag(tag: str, label: str, category: str, pattern: str) -> FactorTag:
    return FactorTag(tag, label, category, re.compile(pattern, re.I))


VOCABULARY: tuple[FactorTag, ...] = (
    _tag(
        "certificate-expiry",
        "certificate expiry",
        "technology",
        r"\b(?:certificates?|certs?|tls|ssl)\b.{0,60}\b(?:expir\w*|renew\w*|rotat\w*)"
        r"|\b(?:expir\w*|renew\w*|rotat\w*)\b.{0,60}\b(?:certificates?|certs?)\b",
    ),
    _tag(
        "configuration-change",
        "configuration change",
        "technology",
        r"\b(?:config(?:uration)?s?|settings?|feature flags?)\b.{0,40}\b(?:chang\w*|push\w*|"
        r"edit\w*|wrong|typo|mistake)|\bmisconfigur\w*",
    ),
    _tag(
        "deploy",
        "deploy or release",
        "technology",
        r"\b(?:deploy\w*|release[sd]?|roll(?:ed)? ?out|rollouts?)\b",
    ),
    _tag(
        "capacity",
        "capacity or saturation",
        "technology",
        r"\b(?:capacity|saturat\w*|exhaust\w*|out of memory|oom|disk (?:was |is )?full|"
        r"connection pool|rate limit\w*|throttl\w*|overload\w*)\b",
    ),
    _tag(
        "dependency",
        "third-party dependency",
        "external",
        r"\b(?:upstream|third[- ]party|vendors?|providers?|external (?:service|api)s?)\b",
    ),
    _tag("dns", "DNS", "technology", r"\bdns\b|\bresolvers?\b"),
    _tag(
        "database",
        "database",
        "technology",
        r"\b(?:databases?|replica\w*|deadlocks?|schema migrations?|slow quer\w*)\b",
    ),
    _tag(
        "monitoring-gap",
        "monitoring gap",
        "process",
        r"\b(?:no|missing|lacked|without|lack of)\b.{0,20}\b(?:alert\w*|monitor\w*)"
        r"|\balerts?\b.{0,20}\b(?:did not|didn't|failed to|never) fire"
        r"|\bnot (?:alerted|monitored)\b",
    ),
    _tag(
        "runbook",
        "missing runbook or documentation",
        "process",
        r"\b(?:runbooks?|playbooks?|undocumented|documentation)\b",
    ),
    _tag(
        "testing",
        "testing or review gap",
        "process",
        r"\b(?:untested|test coverage|no tests?|staging|code review|reviewed)\b",
    ),
    _tag(
        "manual-step",
        "manual step",
        "process",
        r"\b(?:manual(?:ly)?|by hand|toil)\b",
    ),
    _tag(
        "communication",
        "communication",
        "communication",
        r"\b(?:communicat\w*|hand-?overs?|escalat\w*|not (?:told|informed|notified))\b",
    ),
)
BY_TAG = {tag.tag: tag for tag in VOCABULARY}
TAGS = tuple(BY_TAG)


def tag_factors(texts: list[str]) -> list[str]:
    """Return the vocabulary tags the factor texts mention, in vocabulary order."""
    return [tag.tag for tag in VOCABULARY if any(tag.pattern.search(text) for text in texts)]


def factor_texts(markdown: str) -> list[str]:
    """Return the contributing factors a post-mortem's root-cause analysis lists."""
    return [text for text, _ in root_cause_factors(Context(parse(markdown)))]


def diagram_factors(found: diagrams.Diagrams) -> list[diagrams.Factor]:
    """The diagrams' factors, each with its tag or, when none was picked, the first it matches."""
    return [
        factor
        if factor.tag
        else diagrams.Factor(factor.text, next(iter(tag_factors([factor.text])), ""))
        for factor in diagrams.factors(found)
    ]


def factors_of(markdown: str) -> list[str]:
    """Return the factor tags of a post-mortem's Markdown: its diagrams' and its prose's."""
    drawn = {factor.tag for factor in diagram_factors(diagrams.parse_diagrams(markdown))}
    found = set(tag_factors(factor_texts(markdown))) | drawn
    return [tag.tag for tag in VOCABULARY if tag.tag in found]
