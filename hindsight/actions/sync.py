"""Action items follow the post-mortem's Markdown: one `ActionItem` row per item written.

The document is the source of truth for what the post-mortem commits to; the
rows are what the follow-up tracking (owners, reminders, done) works on. On
every save the rows are matched to the written items (same text first, then
by position, so rewording an item keeps its row and its progress), updated,
created for new items and removed for items no longer written; a removed
item that is already done or carries evidence is detached from the
post-mortem instead, so its history stays.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.accounts.services import user_named
from hindsight.actions.models import ActionItem, ActionKind, ActionStatus, Priority
from hindsight.core import model
from hindsight.core.items import strip_metadata
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.signals import postmortem_saved

log = logging.getLogger(__name__)

_PRIORITIES = {
    "P0": Priority.P1,
    "P1": Priority.P1,
    "P2": Priority.P2,
    "P3": Priority.P3,
    "P4": Priority.P4,
    "critical": Priority.P1,
    "urgent": Priority.P1,
    "high": Priority.P2,
    "medium": Priority.P3,
    "low": Priority.P4,
}


def title_of(item: model.ActionItem) -> str:
    return (strip_metadata(item.text) or item.text).strip()[:300]


def _match(written: list[model.ActionItem], rows: list[ActionItem]) -> list[ActionItem | None]:
    """The existing row for each written item: same title first, then the same position."""
    free = list(rows)
    found: list[ActionItem | None] = []
    for item in written:
        title = title_of(item).casefold()
        row = next((r for r in free if r.title.casefold() == title), None)
        if row is not None:
            free.remove(row)
        found.append(row)
    for index, row in enumerate(found):
        if row is None and index < len(rows) and rows[index] in free:
            found[index] = rows[index]
            free.remove(rows[index])
    return found


def _status(item: model.ActionItem, row: ActionItem) -> dict[str, Any]:
    if item.status == "done" and not row.is_done:
        return {"status": ActionStatus.DONE, "completed_at": timezone.now()}
    # An item closed on the board (with its evidence, by someone) stays closed: the text
    # not saying "done" is not a decision to reopen it; the board reopens it.
    closed_by_hand = row.has_evidence or row.closed_by_id is not None
    if item.status != "done" and row.status == ActionStatus.DONE and not closed_by_hand:
        return {"status": ActionStatus.OPEN, "completed_at": None}
    return {}


def sync_action_items(*, postmortem: PostMortem, document: model.Document) -> None:
    """Make the post-mortem's ActionItem rows match the items its text lists."""
    written = document.action_items()
    rows = list(ActionItem.objects.filter(postmortem=postmortem).order_by("id"))
    users = list(User.objects.filter(is_active=True))
    now = timezone.now()
    matched = _match(written, rows)
    for item, row in zip(written, matched, strict=True):
        values: dict[str, Any] = {
            "title": title_of(item),
            "owner": user_named(item.owner, users),
            "due_date": item.due,
            "priority": _PRIORITIES.get(item.priority, Priority.P3),
            "kind": ActionKind.LONG_TERM if item.term == "long-term" else ActionKind.IMMEDIATE,
        }
        if row is None:
            row = ActionItem(incident_id=postmortem.incident_id, postmortem=postmortem)
            values |= (
                {"status": ActionStatus.DONE, "completed_at": now} if item.status == "done" else {}
            )
        else:
            values |= _status(item, row)
        changed = any(getattr(row, key) != value for key, value in values.items())
        if changed or row.pk is None:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            row.save()
    gone = [row for row in rows if row not in matched]
    for row in gone:
        if row.is_done or row.has_evidence or row.verification_note or row.external_url:
            ActionItem.objects.filter(pk=row.pk).update(postmortem=None, updated_at=now)
        else:
            row.delete()
    if gone:
        log.info("post-mortem %s: %s action item(s) no longer written", postmortem.pk, len(gone))


@receiver(postmortem_saved)
def _follow_the_text(
    sender: Any, postmortem: PostMortem, document: model.Document, **kwargs: Any
) -> None:
    sync_action_items(postmortem=postmortem, document=document)
