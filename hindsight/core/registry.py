"""Review rules as data: what a rule is, the registry built-in rules and extensions share.

A rule registers through `rule(...)` exactly as an extension would: importing a
module that decorates its check functions is all it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from hindsight.core.context import Context

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
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


@dataclass(frozen=True)
class Hit:
    """What a check reports: a line and, when the rule's defaults don't fit, its own words."""

    line: int
    message: str = ""
    suggestion: str = ""


Check = Callable[["Context", Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A review rule: what it checks, how bad a miss is, and what to do instead.

    `default` False: the rule runs only when a configuration turns it on.
    """

    id: str
    category: str
    severity: Severity
    message: str
    suggestion: str
    check: Check
    options: Mapping[str, Any] = field(default_factory=dict)
    audiences: frozenset[str] = frozenset(AUDIENCES)
    default: bool = True


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
    default: bool = True,
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
                default=default,
            )
        )
        return check

    return decorate
