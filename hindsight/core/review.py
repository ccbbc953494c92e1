"""The review engine: a rule registry, findings and the quality score.

Built-in rules register through `rule(...)` exactly as an extension would:
importing a module that decorates its check functions is all it takes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hindsight.core import textutil
from hindsight.core.model import ActionItem, Block, Document, Section, SectionKind, TimelineEntry

if TYPE_CHECKING:
    from hindsight.core.config import Config

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
CATEGORIES = (
    "structure",
    "summary",
    "timeline",
    "root-cause",
    "went-well",
    "improvements",
    "action-items",
    "specificity",
    "blame",
    "plain-language",
    "length",
    "timeliness",
    "disclosure",
)
AUDIENCES = ("internal", "public")
# Points one finding costs, and the most one rule can cost, by severity: a
# document with forty owner-less items is not forty times worse than one.
WEIGHTS: dict[str, tuple[int, int]] = {"error": (15, 45), "warning": (5, 15), "info": (1, 3)}


@dataclass(frozen=True)
class Hit:
    """What a check reports: a line and, when the rule's defaults don't fit, its own words."""

    line: int
    message: str = ""
    suggestion: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem in one document, as the CLI and the web editor show it."""

    rule: str
    category: str
    severity: Severity
    line: int
    message: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "line": self.line,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class Context:
    """A document plus what several rules derive from it, computed once."""

    def __init__(self, document: Document, audience: str = "internal") -> None:
        self.document = document
        self.audience = audience
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value several rules derive from the document, computed by the first to ask."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @functools.cached_property
    def sections(self) -> list[Section]:
        """Every section in document order, nested ones included, flattened once."""
        return list(self.document.walk())

    @functools.cached_property
    def _by_kind(self) -> dict[SectionKind, list[Section]]:
        found: dict[SectionKind, list[Section]] = {}
        for section in self.sections:
            found.setdefault(section.kind, []).append(section)
        return found

    def find(self, kind: SectionKind) -> list[Section]:
        """All sections of one kind, in document order (as `Document.find`, without a walk)."""
        return list(self._by_kind.get(kind, ()))

    @functools.cached_property
    def lowered_source(self) -> str:
        """The whole source text in lower case, for rules that pre-check it."""
        return self.document.source.lower()

    @functools.cached_property
    def items(self) -> list[ActionItem]:
        """The document's action items, collected once for all rules."""
        return self.document.action_items()

    @functools.cached_property
    def entries(self) -> list[TimelineEntry]:
        """The document's timeline entries, collected once for all rules."""
        return self.document.timeline()

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return textutil.people_names(self.document, self.items, self.entries)

    @functools.cached_property
    def summary_blocks(self) -> list[Block]:
        """The summary's blocks, or the untitled opening prose when there is no summary."""
        sections = self.find(SectionKind.SUMMARY)
        if sections:
            return [block for section in sections[:1] for block in section.blocks]
        return [b for b in self.document.preamble if b.kind == "paragraph"]

    def blocks(self, *kinds: SectionKind) -> Iterator[Block]:
        """Blocks of every section of the given kinds (all sections when none given)."""
        for section in self.sections:
            if not kinds or section.kind in kinds:
                yield from section.blocks

    def all_blocks(self) -> Iterator[Block]:
        yield from self.document.preamble
        yield from self.blocks()

    def lines(self, *kinds: SectionKind, preamble: bool = False) -> Iterator[tuple[int, str]]:
        """(line number, text) for prose, timeline entries and action items of those kinds."""
        if preamble:
            for block in self.document.preamble:
                yield from _block_lines(block)
        for section in self.sections:
            if kinds and section.kind not in kinds:
                continue
            for block in section.blocks:
                yield from _block_lines(block)
            for entry in section.entries:
                yield entry.line, " ".join(filter(None, (entry.actor, entry.text)))
            for item in section.items:
                yield item.line, " ".join(filter(None, (item.text, item.owner)))


def _block_lines(block: Block) -> Iterator[tuple[int, str]]:
    if block.kind in {"code", "html"}:
        return
    for offset, text in enumerate(block.text.split("\n")):
        yield block.line + offset, text


Check = Callable[[Context, Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A review rule: what it checks, how bad a miss is, and what to do instead."""

    id: str
    category: str
    severity: Severity
    message: str
    suggestion: str
    check: Check
    options: Mapping[str, Any] = field(default_factory=dict)
    audiences: frozenset[str] = frozenset(AUDIENCES)


class Registry:
    """Rules by id, in registration order."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule: Rule) -> Rule:
        if rule.category not in CATEGORIES:
            raise ValueError(f"rule {rule.id}: unknown category {rule.category!r}")
        if rule.severity not in SEVERITIES:
            raise ValueError(f"rule {rule.id}: unknown severity {rule.severity!r}")
        if rule.id in self._rules and self._rules[rule.id].check is not rule.check:
            raise ValueError(f"rule {rule.id} is already registered")
        self._rules[rule.id] = rule
        return rule

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(list(self._rules.values()))


REGISTRY = Registry()


def rule(
    *,
    id: str,
    category: str,
    severity: Severity,
    message: str,
    suggestion: str,
    options: Mapping[str, Any] | None = None,
    audiences: Iterable[str] = AUDIENCES,
    registry: Registry | None = None,
) -> Callable[[Check], Check]:
    """Register the decorated check function as a rule."""

    def decorate(check: Check) -> Check:
        (registry or REGISTRY).register(
            Rule(
                id=id,
                category=category,
                severity=severity,
                message=message,
                suggestion=suggestion,
                check=check,
                options=dict(options or {}),
                audiences=frozenset(audiences),
            )
        )
        return check

    return decorate


def is_postmortem(document: Document) -> bool:
    """At least two of the practice's sections, or incident front matter."""
    kinds = {s.kind for s in document.walk()} - {SectionKind.OTHER}
    incident_keys = {"incident", "severity", "started", "resolved", "detected"}
    return len(kinds) >= 2 or bool(incident_keys & set(document.meta))


@dataclass
class Report:
    """The findings on one document and its quality score (0-100)."""

    findings: list[Finding]
    score: int
    postmortem: bool = True

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


def score(findings: Iterable[Finding]) -> int:
    """100 minus each rule's weighted findings, each rule's cost capped."""
    per_rule: dict[str, int] = {}
    caps: dict[str, int] = {}
    for finding in findings:
        weight, cap = WEIGHTS[finding.severity]
        per_rule[finding.rule] = per_rule.get(finding.rule, 0) + weight
        caps[finding.rule] = max(caps.get(finding.rule, 0), cap)
    lost = sum(min(points, caps[rule_id]) for rule_id, points in per_rule.items())
    return max(0, 100 - lost)


def _suppressed(document: Document, rule_id: str, line: int) -> bool:
    return rule_id in document.file_suppressions or rule_id in document.suppressions.get(
        line, frozenset()
    )


def review(
    document: Document,
    *,
    config: Config | None = None,
    audience: str = "internal",
    registry: Registry | None = None,
) -> Report:
    """Run every enabled rule that applies to the audience; sort findings by line."""
    from hindsight.core import rules  # noqa: F401  (registers the built-in rules)
    from hindsight.core.config import Config

    active = config or Config()
    context = Context(document, audience)
    findings: list[Finding] = []
    postmortem = is_postmortem(document)
    suppressing = bool(document.suppressions or document.file_suppressions)
    for current in registry or REGISTRY:
        if not active.enabled(current.id) or audience not in current.audiences:
            continue
        # Leaks matter in any customer-facing text, post-mortem or not.
        if not postmortem and current.id != "not-a-postmortem" and current.category != "disclosure":
            continue
        options = {**current.options, **active.options.get(current.id, {})}
        severity = active.severities.get(current.id, current.severity)
        for hit in current.check(context, options):
            if suppressing and _suppressed(document, current.id, hit.line):
                continue
            findings.append(
                Finding(
                    rule=current.id,
                    category=current.category,
                    severity=severity,
                    line=hit.line,
                    message=hit.message or current.message,
                    suggestion=hit.suggestion or current.suggestion,
                )
            )
    findings.sort(key=lambda f: (f.line, _RANK[f.severity], f.rule))
    return Report(findings, score(findings) if postmortem else 0, postmortem)
