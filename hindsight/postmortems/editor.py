"""The editor's form: one text box per section, composed back into the document.

The form carries the front matter, the head (title and introduction) and each
top-level section's heading and Markdown; `compose` joins them into the text
the CLI reads. Picking timeline events and editing action items as rows are
edits to that Markdown (`apply`), so the document stays the one source of
truth and every change is an ordinary save.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.http import QueryDict

from hindsight.core import edits, outline
from hindsight.core.model import ActionItem, SectionKind
from hindsight.core.outline import Outline, Part
from hindsight.core.review import Finding
from hindsight.incidents.models import TimelineEvent
from hindsight.postmortems.drafting import timeline_row

PRIORITIES = ("P1", "P2", "P3", "P4")
_RANK = {"error": 0, "warning": 1, "info": 2}
TERMS = (("immediate", "Immediate"), ("long-term", "Long-term"))
STATUSES = (("open", "Open"), ("done", "Done"))


class EditError(ValueError):
    """An edit that can't be applied; the message says what to fix. Nothing was saved."""


def editable(text: str) -> Outline:
    """The outline the editor shows: the text's parts plus any of the six it lacks."""
    return outline.with_practice_sections(outline.split(text))


def from_form(data: QueryDict) -> Outline:
    """The outline a submitted editor form describes."""
    try:
        count = min(int(data.get("parts", "0")), 200)
    except ValueError:
        raise EditError("The form is incomplete; reload the page.") from None
    parts = []
    for index in range(count):
        title = data.get(f"part-{index}-title", "").strip()
        if not title:
            continue
        try:
            level = min(max(int(data.get(f"part-{index}-level", "2")), 1), 6)
        except ValueError:
            level = 2
        parts.append(
            Part(
                title=title,
                body=data.get(f"part-{index}-body", "").replace("\r\n", "\n"),
                level=level,
                placeholder=data.get(f"part-{index}-placeholder") == "1",
            )
        )
    front = data.get("front")
    return Outline(
        front=front.replace("\r\n", "\n") if front is not None and front.strip() else None,
        head=data.get("head", "").replace("\r\n", "\n"),
        parts=tuple(parts),
    )


def compose(data: QueryDict) -> str:
    """The document a submitted form describes: the whole `body` when given, else the parts."""
    if data.get("body") is not None and "parts" not in data:
        return data.get("body", "")
    return outline.join(from_form(data))


def part_index(draft: Outline, kind: SectionKind) -> int:
    for index, part in enumerate(draft.parts):
        if part.kind is kind:
            return index
    raise EditError("The post-mortem has no such section.")


def with_part(draft: Outline, index: int, body: str) -> Outline:
    parts = list(draft.parts)
    parts[index] = replace(parts[index], body=body)
    return replace(draft, parts=tuple(parts))


def pick_event(draft: Outline, event: TimelineEvent, *, include: bool) -> Outline:
    """Add an incident event to the Timeline section, or take it out again."""
    if include and event.hidden:
        raise EditError("Hidden events are never included in a post-mortem; show it first.")
    index = part_index(draft, SectionKind.TIMELINE)
    row = timeline_row(event)
    at = event.occurred_at.astimezone(dt.UTC)
    body = draft.parts[index].body
    if include:
        body = edits.add_entry(body, at=at, actor=row["actor"], text=row["text"])
    else:
        body = edits.remove_entry(body, at=at, text=row["text"])
    return with_part(draft, index, body)


def is_picked(body: str, event: TimelineEvent) -> bool:
    """Whether the Timeline section's Markdown already has this event."""
    at = event.occurred_at.astimezone(dt.UTC)
    return edits.find_entry(body, at=at, text=timeline_row(event)["text"]) is not None


def item_from_form(data: QueryDict, prefix: str) -> ActionItem:
    """An action item from a row of the form; EditError names what is wrong."""
    text = " ".join(data.get(f"{prefix}-text", "").split())
    if not text:
        raise EditError("An action item needs a description of what will be done.")
    due_text = data.get(f"{prefix}-due", "").strip()
    due = None
    if due_text:
        try:
            due = dt.date.fromisoformat(due_text)
        except ValueError:
            raise EditError(
                f'"{due_text}" is not a date; pick one or write it as YYYY-MM-DD. '
                "Nothing was saved."
            ) from None
    priority = data.get(f"{prefix}-priority", "")
    term = data.get(f"{prefix}-term", "")
    status = data.get(f"{prefix}-status", "")
    if priority not in ("", *PRIORITIES) or term not in ("", "immediate", "long-term"):
        raise EditError("Choose the priority and the term from the lists.")
    return ActionItem(
        text=text,
        owner=data.get(f"{prefix}-owner", "").strip(),
        due=due,
        priority=priority,
        term=term,
        status=status if status in ("open", "done") else "",
        due_text=due_text,
    )


def edit_items(draft: Outline, op: str, data: QueryDict) -> Outline:
    """Add, change or remove an action item row (`item-add`, `item-save:N`, `item-remove:N`)."""
    index = part_index(draft, SectionKind.ACTION_ITEMS)
    body = draft.parts[index].body
    items = edits.action_items(body)
    action, _, position = op.partition(":")
    if action == "item-add":
        items.append(item_from_form(data, "new-item"))
    else:
        try:
            row = int(position)
            items[row]
        except (ValueError, IndexError):
            raise EditError("That action item is no longer in the text; reload.") from None
        if action == "item-remove":
            del items[row]
        else:
            items[row] = item_from_form(data, f"item-{row}")
    return with_part(draft, index, edits.set_action_items(body, items))


@dataclass(frozen=True)
class Located:
    """A finding with the section and the line within the section's text box it points at."""

    finding: Finding
    part: int | None  # index of the section's text box; None for front matter and title
    place: str  # "Summary", "Front matter", "Title"
    line: int  # line within that box (1-based)


def locate(draft: Outline, findings: list[Finding]) -> list[Located]:
    """Point each finding at its section's text box and the line inside it."""
    starts = outline.part_lines(draft)
    front_lines = len(draft.front.strip("\n").split("\n")) + 2 if draft.front else 0
    located = []
    for finding in findings:
        part, place, line = None, "Title and introduction", finding.line
        if front_lines and finding.line <= front_lines:
            place, line = "Front matter", max(finding.line - 1, 1)
        else:
            for index, start in enumerate(starts):
                if start and finding.line >= start:
                    part, place, line = index, draft.parts[index].title, finding.line - start - 1
            if part is None:
                line = finding.line - front_lines - (1 if front_lines else 0)
                # Rules about the whole text (its length, a missing section) point at the title.
                place = "Whole document" if line <= 1 else place
        located.append(Located(finding, part, place, max(line, 1)))
    # What to fix first: errors, then warnings, then notes, each in the text's order.
    return sorted(located, key=lambda found: (_RANK[found.finding.severity], found.finding.line))
