"""Structure: the practice's sections are there and have something in them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.context import Context
from hindsight.core.model import Section, SectionKind
from hindsight.core.recognise import is_postmortem
from hindsight.core.registry import Hit, rule
from hindsight.core.sections import CANONICAL_TITLES, classify, is_narrative
from hindsight.core.textutil import Caseless

_PLACEHOLDER = re.compile(
    r"<!--.*?-->|\{\{.*?\}\}|^\s*(?:[-*+]|\d+[.)])?\s*(?:tbd|tbc|n/?a|todo|xxx|\.\.\.|-)?\s*$",
    re.S | re.I | re.M,
)
REQUIRED = (
    SectionKind.SUMMARY,
    SectionKind.TIMELINE,
    SectionKind.ROOT_CAUSE,
    SectionKind.ACTION_ITEMS,
)
# A character no placeholder is made of: text with one (and no comment or {{...}}) has content.
_CONTENT_CHAR = re.compile(r"[^\s\d\-*+.)/tbdcnaoxTBDCNAOX]")
_CAUSES = re.compile(
    r"\b(cause[ds]?|because|due to|root|contribut\w*|result(ed|ing)? in|as a result|led to|"
    r"triggered)\b",
    re.I,
)
_WENT_WRONG = re.compile(r"went (wrong|poorly|badly)|didn.?t go well", re.I)


def has_content(section: Section) -> bool:
    """Anything besides comments, placeholders and empty bullets, here or in subsections."""
    if section.items or any(entry.text or entry.clock for entry in section.entries):
        return True
    for block in section.blocks:
        if block.kind == "table":
            rows = block.text.split("\n")[2:]
            if any(re.sub(r"[|\s:-]", "", row) for row in rows):
                return True
        elif _has_text(block.text):
            return True
    return any(has_content(child) for child in section.children)


def _has_text(text: str) -> bool:
    """Anything left once comments, {{...}} and placeholder lines ("- TBD", "...") go."""
    if "<!--" not in text and "{{" not in text and _CONTENT_CHAR.search(text):
        return True  # the common case, without rewriting the text
    return bool(_PLACEHOLDER.sub("", text).strip())


def root_cause_sections(context: Context) -> list[Section]:
    """Root-cause sections; failing those, where many teams analyse causes instead.

    "What went wrong", and lessons, conclusions or the "What happened" story when
    they explain causes.
    """
    found = context.find(SectionKind.ROOT_CAUSE)
    if found:
        return found
    improvements = context.find(SectionKind.IMPROVEMENTS)
    went_wrong = [s for s in improvements if _WENT_WRONG.search(s.title) and _explains(s)]
    if went_wrong:
        return went_wrong
    explaining = context.find(SectionKind.LESSONS) + [
        s for s in context.find(SectionKind.SUMMARY) if is_narrative(s.title)
    ]
    return [s for s in explaining if _explains(s)]


def _explains(section: Section) -> bool:
    """The section speaks of causes ("because", "due to", "led to", "contributed")."""
    return any(_CAUSES.search(inner.text) for inner in section.walk())


# Rules that report a part of the practice as absent: the score counts the part as missing
# instead of charging for these findings (hindsight.core.score).
ABSENCE_RULES = frozenset(
    [
        "not-a-postmortem",
        "missing-section",
        "empty-section",
        "went-well-missing",
        "improvements-missing",
        "action-items-none",
    ]
)


def present_parts(context: Context) -> dict[str, bool]:
    """Which parts of the practice the document has, with something in them, by category."""
    found: dict[str, bool] = context.memo("present_parts", lambda: _present_parts(context))
    return found


def _present_parts(context: Context) -> dict[str, bool]:
    def filled(*kinds: SectionKind) -> bool:
        return any(
            has_content(s)
            for s in context.sections
            if s.kind in kinds or classify(s.title) in kinds
        )

    return {
        "summary": any(_has_text(b.text) for b in context.summary_blocks)
        or filled(SectionKind.SUMMARY),
        "timeline": bool(context.entries) or filled(SectionKind.TIMELINE),
        "root-cause": any(has_content(s) for s in root_cause_sections(context)),
        "went-well": filled(SectionKind.WENT_WELL) or _praises(context),
        "improvements": filled(SectionKind.IMPROVEMENTS, SectionKind.LESSONS),
        "action-items": bool(context.items),
    }


# What went well, said in passing: "the shared board worked well", "fortunately, backups ...".
_PRAISE = Caseless(
    r"\b(?:worked (?:well|great|as (?:intended|designed|expected))|went (?:well|smoothly)|"
    r"proved (?:valuable|useful|helpful|effective|its worth)|(?:was|were) (?:very |really |"
    r"quite |extremely )?(?:helpful|useful|valuable|effective|invaluable)|fortunately|luckily|"
    r"thankfully|quick (?:identification|response|detection|work)|responded quickly|"
    r"recogni[sz]e the (?:quick )?work|(?:has|have) (?:really )?matured|good response|"
    r"kudos|thanks to)\b",
)


def _praises(context: Context) -> bool:
    sections = [s for s in context.sections if s.kind is not SectionKind.TIMELINE]
    texts = [b.text for b in context.document.preamble] + [
        b.text for s in sections for b in s.blocks
    ]
    return _PRAISE.found("\n".join(texts))  # one search: no alternative spans a newline


def _anchor(context: Context) -> int:
    return context.document.title_line or 1


@rule(
    id="not-a-postmortem",
    category="structure",
    severity="warning",
    message="This file, found in a folder, doesn't read like an incident report (no two of the "
    "practice's sections, no incident front matter, no title naming an incident), so it was "
    "not reviewed and has no score.",
    suggestion="Name the file on the command line to review it anyway, start from "
    "`hindsight new PATH`, or keep it out of the post-mortems folder.",
)
def not_a_postmortem(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if not is_postmortem(context.document):
        yield Hit(1)


@rule(
    id="front-matter-invalid",
    category="structure",
    severity="error",
    message="The YAML front matter can't be read, so dates, severity and authors are unknown.",
    suggestion="Fix the YAML between the `---` lines (quote values that contain `:`).",
)
def front_matter_invalid(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for line, problem in context.document.problems:
        yield Hit(
            line,
            f"The front matter can't be read ({problem}); its dates and owners are "
            "unknown to the review.",
        )


@rule(
    id="missing-section",
    category="structure",
    severity="error",
    message="A required section is missing.",
    suggestion="Add the section with the practice's heading.",
)
def missing_section(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    present = {
        SectionKind.SUMMARY: bool(context.summary_blocks)
        or bool(context.find(SectionKind.SUMMARY)),
        SectionKind.TIMELINE: bool(context.find(SectionKind.TIMELINE)) or bool(context.entries),
        SectionKind.ROOT_CAUSE: bool(root_cause_sections(context)),
    }
    why = {
        SectionKind.SUMMARY: "readers who stop after one paragraph don't learn what happened",
        SectionKind.TIMELINE: "without it, detection and response delays can't be seen",
        SectionKind.ROOT_CAUSE: "without analysis the same failure will come back",
    }
    for kind, found in present.items():
        if not found:
            title = CANONICAL_TITLES[kind]
            yield Hit(
                _anchor(context),
                f"There is no {title} section: {why[kind]}.",
                f"Add a `## {title}` section.",
            )


@rule(
    id="empty-section",
    category="structure",
    severity="error",
    message="A required section has a heading but nothing under it.",
    suggestion="Fill the section in, or write why it doesn't apply.",
)
def empty_section(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for inner in context.sections:
        if inner.kind in REQUIRED and not has_content(inner):
            yield Hit(
                inner.line,
                f'The section "{inner.title}" is empty: a heading with nothing under it '
                "reads as a post-mortem that was never finished.",
            )


@rule(
    id="went-well-missing",
    category="went-well",
    severity="warning",
    message='There is no "What went well" section, or it is empty: what worked during the '
    "response is what the team should keep doing, and a post-mortem that lists only failures "
    "reads as blame.",
    suggestion="Add `## What went well` with the detection, tooling or teamwork that helped.",
)
def went_well_missing(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if not present_parts(context)["went-well"]:
        yield Hit(_anchor(context))


@rule(
    id="improvements-missing",
    category="improvements",
    severity="warning",
    message='There is no "What could be improved" section, or it is empty: the gaps in '
    "detection, response and process are where the action items come from.",
    suggestion='Add `## What could be improved` (or "What went wrong") listing the gaps.',
)
def improvements_missing(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if not present_parts(context)["improvements"]:
        yield Hit(_anchor(context))
