"""Action items: there are some, a person owns each, with a real deadline and a priority."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core.context import Context
from hindsight.core.items import strip_metadata, tracked
from hindsight.core.model import ActionItem, SectionKind
from hindsight.core.registry import Hit, rule
from hindsight.core.rules.structure import has_content
from hindsight.core.textutil import looks_like_team


@rule(
    id="action-items-none",
    category="action-items",
    severity="error",
    message="There are no action items: nothing is assigned, so nothing will change.",
    suggestion="Add `## Action items` and list each follow-up as a bullet or table row: "
    "`- [ ] Add CPU alerts at 80% and 90% — @maria, due 2026-12-01, P1`.",
)
def action_items_none(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if context.items:
        return
    sections = context.find(SectionKind.ACTION_ITEMS)
    if not sections:
        yield Hit(context.document.title_line or 1)
    elif any(has_content(s) for s in sections):
        yield Hit(
            sections[0].line,
            "The action items section has text but no action items: nothing is assigned, so "
            "nothing will change.",
            "List each follow-up as a bullet or table row: `- [ ] Add CPU alerts at 80% and "
            "90% — @maria, due 2026-12-01, P1`.",
        )


def _short(text: str) -> str:
    text = " ".join(strip_metadata(text).split()) or text
    return text if len(text) <= 60 else text[:57].rstrip() + "..."


@rule(
    id="action-item-incomplete",
    category="action-items",
    severity="warning",
    message="An open action item is missing its owner, deadline or priority.",
    suggestion="Give each open item one person as owner, a date and a priority: `— @maria, due "
    "2026-12-01, P1` (or Owner, Due and Priority columns), or link it to its tracker issue.",
    options={"max_days": 365, "tracked_items_complete": True, "require_priority": True},
)
def action_item_incomplete(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    written = context.document.meta_time("written") or context.document.meta_time("resolved")
    for item in context.items:
        if item.status == "done":
            continue
        gaps = _gaps(item, options, written.date() if written else None)
        if gaps:
            yield Hit(item.line, f'"{_short(item.text)}" has ' + _join(gaps) + ".")


def _gaps(item: ActionItem, options: Mapping[str, Any], written: dt.date | None) -> list[str]:
    """What the item lacks, in the order a reader would fix it."""
    gaps = []
    in_tracker = options["tracked_items_complete"] and tracked(item)
    if not item.owner and not in_tracker:
        gaps.append("no owner")
    elif item.owner and looks_like_team(item.owner):
        gaps.append(f"a team as owner ({item.owner}) rather than one person")
    if item.due is None and not in_tracker:
        gaps.append(f'no date ("{item.due_text}" is not one)' if item.due_text else "no deadline")
    elif item.due is not None and written and item.due < written:
        gaps.append(f"a deadline ({item.due}) before the post-mortem was written ({written})")
    elif (
        item.due is not None
        and written
        and item.due > written + dt.timedelta(days=options["max_days"])
    ):
        gaps.append(f"a deadline ({item.due}) more than {options['max_days']} days out")
    if options["require_priority"] and not item.priority and not in_tracker:
        gaps.append("no priority")
    return gaps


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@rule(
    id="action-term",
    category="action-items",
    severity="info",
    message="The action items don't include both immediate fixes and a long-term item.",
    suggestion="Mark items `immediate` or `long-term` (a Term column or sub-headings) and add "
    "at least one long-term item that removes the cause, not only the symptom.",
    default=False,
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
