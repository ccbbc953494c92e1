"""The review engine: run the registered rules over a document, collect findings, score it.

Rules live in `hindsight.core.rules` and register through `hindsight.core.registry`;
this module only runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hindsight.core import rules  # noqa: F401  (registers the built-in rules)
from hindsight.core.config import Config
from hindsight.core.context import Context
from hindsight.core.model import Document
from hindsight.core.recognise import is_postmortem
from hindsight.core.registry import (
    AUDIENCES,
    CATEGORIES,
    REGISTRY,
    SEVERITIES,
    Hit,
    Registry,
    Rule,
    Severity,
    rule,
)
from hindsight.core.score import score

__all__ = [
    "AUDIENCES",
    "CATEGORIES",
    "REGISTRY",
    "SEVERITIES",
    "Context",
    "Finding",
    "Hit",
    "Registry",
    "Report",
    "Rule",
    "Severity",
    "review",
    "rule",
    "score",
]

_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


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


Status = Literal["reviewed", "not-reviewed"]


@dataclass
class Report:
    """The findings on one document and its quality score (0-100; None when not reviewed)."""

    findings: list[Finding]
    score: int | None
    status: Status = "reviewed"

    @property
    def postmortem(self) -> bool:
        """Whether the document was reviewed as a post-mortem."""
        return self.status == "reviewed"

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


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
    explicit: bool = False,
) -> Report:
    """Run every enabled rule that applies to the audience; sort findings by line.

    `explicit`: the user named this file, so it is reviewed as a post-mortem even
    when it doesn't read like one; otherwise such a file is "not reviewed". A file
    whose front matter can't be read is reviewed too: that front matter may be what
    makes it a post-mortem, and the error must not be hidden.
    """
    active = config or Config()
    context = Context(document, audience, active.acronyms)
    findings: list[Finding] = []
    postmortem = explicit or bool(document.problems) or is_postmortem(document)
    suppressing = bool(document.suppressions or document.file_suppressions)
    for current in registry or REGISTRY:
        if not active.enabled(current.id, current.default) or audience not in current.audiences:
            continue
        if postmortem and current.id == "not-a-postmortem":
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
    if not postmortem:
        return Report(findings, None, "not-reviewed")
    return Report(findings, score(context, findings))
