"""Action items written in prose rather than listed: where people put follow-ups in passing.

"Action point: ..." lines, follow-ups filed in a tracker ("A load test is
tracked in #4812"), lists under a bold "**Next steps:**" label, what the prose
of an action-items section asks for, and, when a document lists no open item at
all, promises such as "Going forward, we will ...". They stay in their blocks
(rendering keeps them where they were) and are derived again on every parse.
"""

from __future__ import annotations

import dataclasses
import re

from hindsight.core.blocks import list_items
from hindsight.core.items import (
    DONE_NOTE,
    FUTURE,
    asks,
    items_from_list,
    parse_item,
    tracked,
)
from hindsight.core.model import ActionItem, Block, Section, SectionKind
from hindsight.core.sections import classify
from hindsight.core.textutil import plain

_ACTION_POINT = re.compile(r"^\W{0,4}(?:action (?:point|item)|follow.?up)\W{0,4}:\s*", re.I)
# A follow-up filed in a tracker, written in a sentence: "Follow up in #123", "(filed #123)".
_FILED = re.compile(r"\b(?:follow(?:ed|ing)?[ -]?up|tracked (?:in|at|by)|filed|opened)\b", re.I)
_NOT_A_PROMISE = re.compile(
    r"\bcontinue to\b|\bdo our best\b|\bthe following\b|:\s*$|\bkeep (?:you|everyone) "
    r"(?:posted|updated|informed)\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^(?:\*\*|__)?([^*_:\n]{3,40}?)(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?:?\s*$")
# A promise in prose: who will do what ("Going forward, we will ...", "The bug will be fixed").
_PROMISE = re.compile(
    r"\b(?:we|the team|our team|the [\w-]+ team|i)\s+(?:will|shall|'ll|are going to|plan to|"
    r"intend to|need to|must|have (?:begun|started)|are (?:working on|planning to|"
    r"looking into|exploring))\b|\bwill be (?:\w+ly )?(?:fixed|added|implemented|deployed|"
    r"distributed|released|updated|improved|addressed|rolled out|compensated|reviewed|"
    r"changed|introduced|established|built|created)\b|\b(?:going forward|from now on)\b"
    r"|\bwe need (?:a|an|to|better|more)\b|\bneeds? to (?:be |more |improve)",
    re.IGNORECASE,
)
_NO_PROMISES = {SectionKind.SUMMARY, SectionKind.TIMELINE, SectionKind.IMPACT}


def inline_items(section: Section, promises: bool) -> list[ActionItem]:
    """Items written in passing in a section's prose; they stay in their blocks.

    "Action point: ..." lines, follow-ups filed in a tracker, and lists under a
    bold "**Next steps:**" label anywhere; what prose in an action-items section
    asks for; and, when `promises` (the document lists no open items), promises
    such as "Going forward, we will ..." in the analysis and follow-up sections.
    """
    found: list[ActionItem] = []
    action_area = section.kind is SectionKind.ACTION_ITEMS
    promising = promises and section.kind not in _NO_PROMISES
    labelled = False
    for block in section.blocks:
        if found and DONE_NOTE.match(plain(block.text).strip(" -*")):
            found[-1] = dataclasses.replace(found[-1], status="done")  # "- This has been done."
            continue
        if block.kind == "list" and labelled and not action_area:
            found += items_from_list(block.text, block.line)
            labelled = False
            continue
        labelled = False
        if block.kind != "paragraph" and not (promising and block.kind == "list"):
            continue
        if block.kind == "paragraph":
            label = _LABEL.match(block.text.rstrip().split("\n")[-1])
            labelled = label is not None and classify(label.group(1)) is SectionKind.ACTION_ITEMS
            points = _action_points(block) if ":" in block.text else []
            if points:
                found += points
                continue
        filing = _FILED_HINT.search(block.text) is not None
        if not (action_area and block.kind == "paragraph") and not promising and not filing:
            continue  # nothing in this block can be an item: don't split it into sentences
        candidates = [i for i in _sentences(block) if not _NOT_A_PROMISE.search(i.text)]
        if action_area and block.kind == "paragraph":
            found += [i for i in candidates if FUTURE.search(i.text) or asks(i.text)]
        elif promising:
            found += [i for i in candidates if _PROMISE.search(i.text) or _filed(i)]
        else:
            found += [i for i in candidates if _filed(i)]
    return found


# What a sentence filed in a tracker needs: a link or number and a filing word.
_FILED_HINT = re.compile(r"(?:#\d|/issues/|/pull/|[A-Z]-\d)", re.IGNORECASE)


def _filed(item: ActionItem) -> bool:
    return tracked(item) and bool(_FILED.search(item.text))


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")


def _action_points(block: Block) -> list[ActionItem]:
    items = []
    for offset, line in enumerate(block.text.split("\n")):
        found = _ACTION_POINT.match(line)
        if found:
            items.append(parse_item(line[found.end() :], block.line + offset))
    return items


def _top_lines(block: Block) -> list[tuple[str, int]]:
    """A list's top-level items, each with its own first line only (not nested detail)."""
    lines = block.text.split("\n")
    return [
        (re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", lines[at - block.line]), at)
        for _, at in list_items(block.text, block.line)
        if at - block.line < len(lines)
    ]


def _sentences(block: Block) -> list[ActionItem]:
    """Each sentence of a paragraph, or each item of a list, as an item on its own line."""
    if block.kind == "list":
        return [parse_item(text.split("\n")[0], at) for text, at in _top_lines(block)]
    items = []
    flat = block.text.replace("\n", " ")
    start = 0
    for match in [*_SENTENCE_END.finditer(flat), None]:
        end = match.start() if match else len(flat)
        text = " ".join(flat[start:end].split())
        if len(text.split()) >= 3:
            items.append(parse_item(text, block.line + block.text.count("\n", 0, start)))
        start = match.end() if match else end
    return items
