"""Action items: a person owns each, with a real deadline and a priority; a long-term fix too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.model import SectionKind
from hindsight.core.review import Context, Hit, rule
from hindsight.core.rules.structure import has_content
from hindsight.core.textutil import looks_like_team


@rule(
    id="action-items-none",
    category="action-items",
    severity="error",
    message="The action items section has text but no action items: nothing is assigned, so "
    "nothing will change.",
    suggestion="List each follow-up as a bullet or table row: `- [ ] Add CPU alerts at 80% and "
    "90% — @maria, due 2026-12-01, P1`.",
)
def action_items_none(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    sections = context.find(SectionKind.ACTION_ITEMS)
    if sections and not context.items and any(has_content(s) for s in sections):
        yield Hit(sections[0].line)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57].rstrip() + "..."


@rule(
    id="action-owner",
    category="action-items",
    severity="warning",
    message="An action item has no owner; items without a named person are the ones that "
    "don't get done.",
    suggestion="Name one person who owns it: `— @maria`, or an Owner column.",
)
def action_owner(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for item in context.items:
        if item.status == "done":
            continue
        if not item.owner:
            yield Hit(
                item.line,
                f'"{_short(item.text)}" has no owner; items without a named '
                "person are the ones that don't get done.",
            )
        elif looks_like_team(item.owner):
            yield Hit(
                item.line,
                f'"{_short(item.text)}" is owned by a team ({item.owner}); when everyone owns '
                "an item nobody does.",
                "Name one person in that team who will drive it.",
            )


@rule(
    id="action-deadline",
    category="action-items",
    severity="warning",
    message="An action item has no usable deadline.",
    suggestion="Give a date: `due 2026-12-01`, or a Due column.",
    options={"max_days": 365},
)
def action_deadline(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    written = context.document.meta_time("written") or context.document.meta_time("resolved")
    for item in context.items:
        if item.status == "done":
            continue
        label = _short(item.text)
        if item.due is None:
            detail = f' ("{item.due_text}" is not a date)' if item.due_text else ""
            yield Hit(
                item.line,
                f'"{label}" has no deadline{detail}; without a date it never becomes urgent.',
            )
        elif written and item.due < written.date():
            yield Hit(
                item.line,
                f'"{label}" is due {item.due}, before the post-mortem was written '
                f"({written.date()}); a deadline in the past is a typo or a missed item.",
                "Set a date after the post-mortem was written.",
            )
        elif written and item.due > written.date() + dt.timedelta(days=options["max_days"]):
            yield Hit(
                item.line,
                f'"{label}" is due {item.due}, more than {options["max_days"]} days out; a '
                "deadline that far away is a wish, not a plan.",
                "Split it into a first step that can be done within months.",
            )


@rule(
    id="action-priority",
    category="action-items",
    severity="info",
    message="An action item has no priority, so it can't be weighed against other work.",
    suggestion="Add a priority: `P1`, or a Priority column.",
)
def action_priority(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for item in context.items:
        if not item.priority and item.status != "done":
            yield Hit(
                item.line,
                f'"{_short(item.text)}" has no priority, so it can\'t be '
                "weighed against other work.",
            )


@rule(
    id="action-term",
    category="action-items",
    severity="info",
    message="The action items don't include both immediate fixes and a long-term item.",
    suggestion="Mark items `immediate` or `long-term` (a Term column or sub-headings) and add "
    "at least one long-term item that removes the cause, not only the symptom.",
)
def action_term(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    items = context.items
    if not items:
        return
    terms = {item.term for item in items} | {"immediate" for i in items if i.status == "done"}
    sections = context.find(SectionKind.ACTION_ITEMS)
    line = sections[0].line if sections else items[0].line
    if "long-term" not in terms:
        yield Hit(
            line,
            "No action item is marked long-term; immediate fixes alone leave the cause in place.",
        )
    elif "immediate" not in terms:
        yield Hit(
            line,
            "No action item is marked immediate; the post-mortem should also "
            "record what was (or must be) fixed right away.",
        )
