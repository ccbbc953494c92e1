"""Specificity: an action says what will change, by how much, where or by when.

Five kinds of vague action, each with its own remedy:

* a question rather than a change: "Investigate options for ...", "Consider ...",
  "Figure out how to ...", "Find a way to ...", an item ending in "?";
* a placeholder: "Something about ...", "a certain threshold";
* an aim without a measure: "Improve monitoring", "Setup better dashboards",
  "Enforce stricter thresholds", "more test cases";
* a promise without a means: "prevent similar incidents", "additional measures",
  "work diligently", "take the necessary steps";
* a need rather than a plan: "X needs to improve", "we need better health checks",
  and effort instead of change: "be more careful", "double-check".

A number, threshold, date or a link to the tracker issue makes an aim or a
question concrete enough; a named system (`grafana-agent`, Loki) makes an aim
concrete but not a question. Placeholders and promises are vague whatever they
carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.items import strip_metadata, tracked
from hindsight.core.model import SectionKind
from hindsight.core.registry import Hit, rule

_QUESTION = re.compile(
    r"^(?:(?:we|the team|i)\s+(?:should|will|need to|must|could|might|may|want to)\s+)?"
    r"(?:investigate|look into|explore|consider|evaluate|assess|research|figure out|discuss|"
    r"think about|revisit|review whether|find (?:a|some|the) (?:way|path)|come up with|"
    r"determine (?:whether|if|how)|check (?:whether|if)|see (?:if|whether)|try to|"
    r"look at|brainstorm|ask (?:\w+ )?(?:if|whether))\b(?!\w* and (?:fix|resolve|remove))",
)  # matched against lower-cased text, as are the four below
_PLACEHOLDER = re.compile(
    r"\bsomething about\b|\bsome sort of\b|\ba certain (?:threshold|amount|level|number|point)"
    r"|\bsome threshold\b|\b(?:tbd|tbc)\b|\?\s*$",
)
_AIM_OBJECT = (
    r"(?:monitoring|alert(?:s|ing)?|communications?|process(?:es)?|procedures?|practices?|"
    r"testing|tests?(?: cases?| coverage)?|documentation|docs|awareness|visibility|observability|"
    r"resilien\w*|reliability|logging|coordination|checks?|validation|reviews?|quality|response|"
    r"handling|tooling|understanding|knowledge|dashboards?|thresholds?|coverage|security|"
    r"safeguards?|guard ?rails?|escalation\w*|runbooks?|planning|health checks?|robustness)"
)
_AIM = re.compile(
    r"\b(?:improv\w*|enhanc\w*|strengthen\w*|optimi[sz]\w*|refin\w*|harden\w*|"
    r"better|more|stricter|stronger|clearer|additional|further|increased?)\s+"
    rf"(?:\w+\s+){{0,3}}?{_AIM_OBJECT}\b",
)
_PROMISE = re.compile(
    r"\b(?:prevent|avoid|stop)\w*\s+(?:\w+\s+){0,2}?(?:similar|such|this|these|future|further|"
    r"the same)\s+(?:\w+\s+)?(?:incidents?|issues?|problems?|outages?|failures?|occurrences?|"
    r"events?|lock.?outs?|bugs?)\b|\bensure (?:that )?(?:this|such|similar|it|these)\b.{0,40}"
    r"\b(?:not|never)\b|\bwork(?:ing)? (?:hard|diligently|closely)\b|\btak(?:e|ing) (?:the )?"
    r"(?:necessary|appropriate|further|all) (?:steps|measures|actions?)\b"
    r"|\b(?:additional|further|more) measures\b|\bimplement (?:\w+ )?(?:measures|safeguards|"
    r"improvements)\b(?! such as| like)|\bremains? (?:responsive|stable|available|reliable)\b",
)
_NEED = re.compile(
    r"\bneeds? to (?:be )?(?:improv\w*|better|clear\w*|more|less)\b|\bneeds? (?:a )?(?:better|"
    r"more)\b|\bshould be (?:improved|better|clearer|more)\b|\b(?:is|are) needed\s*\.?$"
    r"|\bbe (?:more )?careful\b|\bpay(?:ing)? (?:more )?attention\b|\bkeep an eye on\b"
    r"|\bdouble.?check\b|\btry (?:harder|to be)\b|\bmake sure (?:that )?(?:all|every|everything|"
    r"we)\b|\bensure (?:that )?(?:all|every|everything)\b|^(?:teach|train|educate|remind)\b",
)
# A piece of every _PLACEHOLDER and _PROMISE alternative: text without one can't match, so
# most actions skip those searches (the patterns match lower-cased text, so this is exact).
_PLACEHOLDER_PIECES = ("something about", "some sort of", "a certain ", "some threshold", "tb", "?")
_PROMISE_PIECES = (
    "prevent",
    "avoid",
    "stop",
    "ensure",
    "work",
    "tak",
    "measur",
    "implement",
    "remain",
)
_EFFORT = re.compile(
    r"\bbe (?:more |extra )?(?:careful|vigilant|diligent)\b|\bpay(?:ing)? (?:more |closer )?"
    r"attention\b|\btry harder\b|\bremember to\b"
)
# Detail that makes an aim concrete: a number, date, code, link or a named system
# (grafana-agent, kube-dns, a capitalised product name mid-sentence, an acronym).
_MEASURE = re.compile(r"\d|`|\]\(|https?://")
_NAMED = re.compile(r"\b\w+[-_./]\w+\b|(?<=[a-z,] )[A-Z][a-zA-Z]+|\b[A-Z]{2,}\b")
_SUGGESTIONS = {
    "monitoring": "Add CPU utilisation alerts at 80% and 90% on the api-gateway hosts",
    "alerting": "Page on-call when the 5xx rate exceeds 1% for 5 minutes",
    "communication": "Post a status page update within 15 minutes of declaring an incident",
    "testing": "Add an integration test that replays the failing config in CI",
    "documentation": "Write the node-replacement runbook in docs/runbooks/nodes.md by 2026-12-01",
}
_TOPIC = re.compile(
    r"monitor|alert|communicat|test|document|runbook|dashboard|process|procedure", re.I
)


def vagueness(text: str, linked: bool) -> str:
    """Why an action is too vague to act on, or "" when it is concrete enough."""
    plain = " ".join(textutil.plain(text).split()).strip(" *_-")
    lowered = plain.lower()  # the patterns are written in lower case (see textutil.Caseless)
    if _has_any(lowered, _PLACEHOLDER_PIECES) and _PLACEHOLDER.search(lowered):
        return "is a placeholder or an open question, not an action"
    if not linked and _has_any(lowered, _PROMISE_PIECES) and _PROMISE.search(lowered):
        return "promises an outcome without saying what will be done"
    if linked or _MEASURE.search(plain):
        return ""
    if _QUESTION.search(lowered):
        return "is something to look into, not a change: it says neither what will be decided nor by when"
    if _NEED.search(lowered):
        return "states a need or an effort, not a change anyone can carry out"
    if _AIM.search(lowered) and not _NAMED.search(plain):
        return "has no measurable detail (a number, threshold, named system or date)"
    return ""


def _has_any(text: str, pieces: tuple[str, ...]) -> bool:
    return any(piece in text for piece in pieces)


@rule(
    id="vague-statement",
    category="specificity",
    severity="warning",
    message="This action is too vague to act on or to check later.",
    suggestion='Say exactly what, where and how much: "Add CPU utilisation alerts at 80% and '
    '90%" rather than "improve monitoring"; link it to its tracker issue.',
)
def vague_statement(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    reported: set[int] = set()
    for item in context.items:
        if item.status == "done" or item.line in reported:
            continue
        why = vagueness(_first_sentence(strip_metadata(item.text)), tracked(item))
        if why:
            reported.add(item.line)
            yield _hit(item.line, item.text, why)
    # "Be more careful with rotations" asks people for effort instead of changing the
    # system; written as a lesson under "What could be improved" it is as vague as an item.
    for line, text in context.lines(SectionKind.IMPROVEMENTS):
        if line not in reported and _EFFORT.search(textutil.plain(text).lower()):
            reported.add(line)
            yield _hit(line, text, "asks for more effort, not a change anyone can carry out")
    # A promise to prevent recurrence is vague wherever it is written ("with additional
    # measures to avoid future lock-outs"), action item or not.
    if "prevent" not in context.lowered_source and "measures" not in context.lowered_source:
        return
    for line, text in context.lines(preamble=True):
        if line not in reported and _PROMISE.search(textutil.plain(text).lower()):
            reported.add(line)
            yield _hit(line, text, "promises an outcome without saying what will be done")


def _first_sentence(text: str) -> str:
    """An item's action: its first sentence; what follows explains it."""
    return re.split(r"(?<=[a-z0-9)][.!])\s+(?=[A-Z])", text, maxsplit=1)[0]


def _hit(line: int, text: str, why: str) -> Hit:
    plain = " ".join(textutil.plain(strip_metadata(text)).split())
    short = plain if len(plain) <= 60 else plain[:57].rstrip() + "..."
    topic = _TOPIC.search(plain)
    key = (
        {
            "monitor": "monitoring",
            "alert": "alerting",
            "communicat": "communication",
            "test": "testing",
        }.get(topic.group(0).lower(), "documentation")
        if topic
        else ""
    )
    example = _SUGGESTIONS.get(key)
    return Hit(
        line,
        f'"{short}" {why}, so nobody can tell when it is done.',
        f'Make it specific, e.g. "{example}", or link it to its tracker issue.' if example else "",
    )
