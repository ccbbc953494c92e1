"""The customer-facing version: drafted from what the team marked public, checked before it
goes out.

A paragraph or list right after `<!-- public -->`, or a whole section whose
heading is followed by `<!-- public section -->`, is meant for customers. The draft is those
parts, redacted (core.audience.redact); with nothing marked it is the
automatic public version (summary, impact, key moments, causes, what changes).

`problems` is what refuses a customer version: the disclosure and blame rules,
the names of people who took part (the caller passes their usernames and real
names), and rewritten action items whose meaning changed (a number, a date or
a negation that differs from the item the team wrote, or a promise the team
never made).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from hindsight.core import audience, textutil
from hindsight.core.export import CUSTOMER_CHECKS, disclosure_only
from hindsight.core.items import strip_metadata
from hindsight.core.model import Block, Document, Section, SectionKind
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.review import review

MARK = re.compile(r"^<!--\s*public\s*-->$", re.I)
SECTION_MARK = re.compile(r"^<!--\s*public\s+section\s*-->$", re.I)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
_NEGATION = re.compile(r"\b(?:not|no|never|without|stop|remove|disable)\b|n't\b", re.I)
_WORD = re.compile(r"[a-z][a-z'-]{3,}")


def _marked(blocks: list[Block]) -> tuple[bool, list[Block]]:
    """Whether the whole section is marked, and the blocks marked one by one."""
    whole = (
        bool(blocks)
        and blocks[0].kind == "html"
        and bool(SECTION_MARK.match(blocks[0].text.strip()))
    )
    picked = []
    for previous, block in zip(blocks, blocks[1:], strict=False):
        if previous.kind == "html" and MARK.match(previous.text.strip()) and block.kind != "html":
            picked.append(block)
    return whole, picked


def marked_document(document: Document, names: frozenset[str]) -> Document | None:
    """The parts marked public, redacted; None when nothing is marked."""
    sections: list[Section] = []
    for section in document.walk():
        whole, picked = _marked(section.blocks)
        blocks = [b for b in section.blocks if b.kind != "html"] if whole else picked
        if not blocks and not (whole and section.items):
            continue
        kept = [Block(b.kind, audience.redact(b.text, names), b.line) for b in blocks]
        if whole and section.items:
            items = "\n".join(
                f"- {audience.redact(strip_metadata(i.text), names)}" for i in section.items
            )
            kept.append(Block("list", items))
        sections.append(Section(section.kind, section.title, 2, kept))
    if not sections:
        return None
    title = audience.redact(document.title or str(document.meta.get("title") or ""), names)
    return Document(meta={}, title=title, sections=sections)


def draft(document: Document, names: Collection[str] = ()) -> str:
    """The customer version to start from: the marked parts, or the automatic public version."""
    known = textutil.people_names(document) | frozenset(names)
    marked = marked_document(document, known)
    return render(marked if marked is not None else audience.public_document(document, known))


def people_in(actor: str) -> frozenset[str]:
    """The person's names in a timeline actor ("Maria Lopez": both and each); none for a
    team or a tool."""
    if textutil.looks_like_team(actor):
        return frozenset()
    found: set[str] = set()
    textutil.add_name(found, actor)
    return frozenset(found)


def _named(text: str, names: Collection[str]) -> list[str]:
    found: list[str] = []
    for name in sorted(set(names), key=str.lower):
        if len(name) < 3 or name.casefold() in {f.casefold() for f in found}:
            continue
        match = re.search(rf"(?<![\w@-]){re.escape(name)}(?![\w-])", text, re.I)
        if match:
            found.append(match.group(0))  # as the text spells it
    return found


def _items(document: Document) -> list[str]:
    items = [strip_metadata(item.text) for item in document.action_items()]
    for section in document.walk():
        if section.kind is SectionKind.ACTION_ITEMS and not section.items:
            for block in section.blocks:
                if block.kind == "list":
                    items += [
                        re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
                        for line in block.text.split("\n")
                        if re.match(r"\s*(?:[-*+]|\d+[.)])\s", line)
                    ]
    return [item for item in items if item]


def _closest(text: str, candidates: list[str]) -> tuple[str, float]:
    words = set(_WORD.findall(text.lower()))
    best, score = "", 0.0
    for candidate in candidates:
        theirs = set(_WORD.findall(candidate.lower()))
        overlap = len(words & theirs) / max(len(words | theirs), 1)
        if overlap > score:
            best, score = candidate, overlap
    return best, score


def meaning_problems(public: Document, internal: Document) -> list[str]:
    """Action items of the customer version whose meaning differs from the team's items."""
    theirs = _items(internal)
    problems = []
    for item in _items(public):
        match, score = _closest(item, theirs)
        if score < 0.2:
            problems.append(
                f'"{item[:80]}" is not one of the action items the team wrote; the customer '
                "version may reword an item but not promise something new."
            )
            continue
        if sorted(_NUMBER.findall(item)) != sorted(_NUMBER.findall(match)):
            problems.append(
                f'"{item[:80]}" has other numbers or dates than the team\'s item "{match[:80]}"; '
                "a rewrite must not change what was promised."
            )
        if bool(_NEGATION.search(item)) != bool(_NEGATION.search(match)):
            problems.append(
                f'"{item[:80]}" turns the team\'s item "{match[:80]}" around (a "not" or "no" '
                "added or dropped)."
            )
    return problems


def problems(text: str, internal: Document, names: Collection[str]) -> list[str]:
    """Why this customer version can't go out, each with what to change; [] when it can."""
    public = parse(text)
    found = [
        f"Line {f.line}: {f.message}"
        for f in review(public, audience="public", config=disclosure_only()).findings
        if f.category in CUSTOMER_CHECKS
    ]
    people = _named(text, frozenset(names) | textutil.people_names(internal))
    if people:
        found.append(
            f"It names {', '.join(people)}: customers get what happened, not who; write "
            '"an engineer" or "our team".'
        )
    return found + meaning_problems(public, internal)
