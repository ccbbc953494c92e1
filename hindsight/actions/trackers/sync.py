"""Pushing action items to their trackers (outbox deliveries) and pulling them back.

- ``track``: link an item to a tracker; the issue is created by the ``tracker``
  sender. Every later change of title, status, owner or due date here is pushed
  the same way, each push one delivery with a stable id.
- The sender creates an issue at most once: the issue carries the link's marker,
  and a create is preceded by a look for that marker, so a worker that died
  after the tracker created the issue (before Hindsight recorded it) finds it
  instead of creating a second one.
- ``pull`` (the ``tracker-pull`` job) and the trackers' webhooks read issues
  back and merge them three ways against the values both sides last agreed:
  an upstream change is taken, a local one is pushed, a change on both sides
  is a conflict kept with both values until someone picks one. Closed
  upstream means done here, with the issue as evidence.
- A deleted issue is noticed (the link says so); it is never silently re-created.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.actions import services
from hindsight.actions.models import (
    ActionItem,
    ActionStatus,
    EvidenceKind,
    LinkState,
    Tracker,
    TrackerLink,
)
from hindsight.actions.signals import action_item_changed
from hindsight.actions.trackers.clients import (
    LOOKBACK,
    IssueGone,
    Remote,
    TrackerError,
    Wanted,
    client_for,
)
from hindsight.actions.trackers.merge import merge
from hindsight.outbox import services as outbox
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender

log = logging.getLogger(__name__)

SENDER = "tracker"
PUSHED_FIELDS = {"title", "status", "owner", "due_date", "description"}


def destination(tracker: Tracker) -> str:
    return f"tracker:{tracker.pk}"


def here_values(item: ActionItem) -> dict[str, Any]:
    """The synced fields as Hindsight has them (the tracker's words for them)."""
    return {
        "status": "done" if item.is_done else "open",
        "assignee": item.owner.username if item.owner else None,
        "due": item.due_date.isoformat() if item.due_date else None,
    }


def _enqueue(link: TrackerLink, op: str) -> Delivery:
    return outbox.enqueue(
        sender=SENDER,
        destination=destination(link.tracker),
        label=str(link.tracker),
        event=f"action_item.{op}",
        payload={"link": link.pk},
    )


def track(*, item: ActionItem, tracker: Tracker, actor: User | None) -> TrackerLink:
    """Link an item to a tracker; its issue is created by the worker."""
    if hasattr(item, "tracker_link"):
        raise services.ActionItemError(
            f"This item is already tracked in {item.tracker_link.tracker}."
        )
    if not tracker.enabled:
        raise services.ActionItemError(f"{tracker} is switched off.")
    with transaction.atomic():
        link = TrackerLink.objects.create(item=item, tracker=tracker)
        _enqueue(link, "create")
        audit.record(action="action_item.tracked", target=item, actor=actor, summary=str(tracker))
    return link


@receiver(action_item_changed)
def _push_changes(
    sender: Any, item: ActionItem, changes: dict[str, Any], from_tracker: bool = False, **kw: Any
) -> None:
    link = TrackerLink.objects.filter(item=item).select_related("tracker").first()
    if link is None or from_tracker or link.state == LinkState.GONE or not link.tracker.enabled:
        return
    if PUSHED_FIELDS & set(changes) or "evidence_kind" in changes:
        _enqueue(link, "update")


def _wanted(link: TrackerLink) -> Wanted:
    item = link.item
    url = f"{settings.BASE_URL.rstrip('/')}/actions/{item.pk}/"
    body = (
        f"{item.description}\n\nAction item from Hindsight incident #{item.incident_id}: {url}\n\n"
        f"<!-- hindsight:{link.marker} -->"
    ).strip()
    return Wanted(
        title=item.title,
        body=body,
        closed=item.is_done,
        assignee=item.owner.username if item.owner else None,
        due=item.due_date,
        marker=str(link.marker),
    )


def _record(link: TrackerLink, remote: Remote, *, pushed: bool) -> None:
    now = timezone.now()
    values = here_values(link.item) if pushed else remote.values()
    TrackerLink.objects.filter(pk=link.pk).update(
        state=LinkState.LINKED,
        external_key=remote.key,
        external_url=remote.url[:2000],
        synced={**link.synced, **{k: v for k, v in values.items() if k in remote.values()}},
        last_error="",
        pushed_at=now if pushed else link.pushed_at,
    )
    ActionItem.objects.filter(pk=link.item_id, external_url="").update(
        external_url=remote.url[:2000]
    )


def _failed(link: TrackerLink, message: str) -> None:
    now = timezone.now()
    TrackerLink.objects.filter(pk=link.pk).update(last_error=message[:500])
    Tracker.objects.filter(pk=link.tracker_id).update(last_error=message[:500], last_error_at=now)


def _gone(link: TrackerLink, message: str) -> None:
    TrackerLink.objects.filter(pk=link.pk).update(state=LinkState.GONE, last_error=message[:500])
    log.warning("tracker link %s: %s", link.pk, message)


@register_sender(SENDER)
def send(delivery: Delivery) -> None:
    """Create or update the item's issue upstream."""
    link = (
        TrackerLink.objects.select_related("tracker", "item__owner")
        .filter(pk=delivery.payload.get("link"))
        .first()
    )
    if link is None:
        raise Undeliverable("The item is no longer tracked")
    if link.state == LinkState.GONE:
        raise Undeliverable("The issue was deleted upstream; it is not re-created")
    if not link.tracker.enabled:
        raise Undeliverable(f"{link.tracker} is switched off")
    if link.conflicts:
        raise Undeliverable("A conflict waits for someone to keep one of the two values")
    client = client_for(link.tracker, delivery_id=str(delivery.pk))
    try:
        if not link.external_key:
            wanted = _wanted(link)
            since = link.created_at - LOOKBACK
            remote = client.find(wanted.marker, since) or client.create(wanted)
            if remote.closed != wanted.closed or remote.assignee != wanted.assignee:
                remote = client.update(remote.key, wanted)
        else:
            # Read first: what changed upstream since the last sync is merged, not overwritten.
            apply_remote(link=link, remote=client.fetch(link.external_key), push=False)
            link = TrackerLink.objects.select_related("tracker", "item__owner").get(pk=link.pk)
            if link.conflicts:
                raise Undeliverable("Changed on both sides: a person keeps one of the two values")
            remote = client.update(link.external_key, _wanted(link))
    except IssueGone as exc:
        _gone(link, str(exc))
        raise Undeliverable(str(exc)) from None
    except TrackerError as exc:
        _failed(link, str(exc))
        raise DeliveryError(
            str(exc), destination_down=exc.down, retry_after=exc.retry_after
        ) from None
    _record(link, remote, pushed=True)


def _owner(name: str | None) -> User | None:
    if not name:
        return None
    found = User.objects.filter(is_active=True, username__iexact=name).first()
    return found or User.objects.filter(is_active=True, email__iexact=name).first()


def apply_remote(
    *, link: TrackerLink, remote: Remote, now: datetime | None = None, push: bool = True
) -> dict[str, Any]:
    """Merge what the tracker says into the item; return the fields taken from upstream.

    ``push``: queue a push of what changed here only (off when the caller pushes next).
    """
    now = now or timezone.now()
    item = ActionItem.objects.select_related("owner").get(pk=link.item_id)
    result = merge(link.synced, here_values(item), remote.values())
    taken: dict[str, Any] = {}
    with transaction.atomic():
        for name, value in result.take.items():
            if name == "status" and value == "done":
                evidence = services.Evidence(kind=EvidenceKind.TRACKER, url=remote.url)
                services.close(item=item, actor=None, evidence=evidence, from_tracker=True)
            elif name == "status":
                services.update(
                    item=item, actor=None, changes={"status": ActionStatus.OPEN}, from_tracker=True
                )
            elif name == "assignee":
                owner = _owner(value)
                if owner is None and value:
                    result.conflicts["assignee"] = {
                        "here": here_values(item)["assignee"],
                        "there": value,
                    }
                    continue
                services.update(item=item, actor=None, changes={"owner": owner}, from_tracker=True)
            elif name == "due":
                services.update(
                    item=item, actor=None, changes={"due_date": value}, from_tracker=True
                )
            item.refresh_from_db()
            taken[name] = value
        TrackerLink.objects.filter(pk=link.pk).update(
            synced={**link.synced, **result.agreed},
            conflicts=result.conflicts,
            pulled_at=now,
            external_url=remote.url[:2000] or link.external_url,
            last_error="",
        )
        if push and result.push and not result.conflicts:
            _enqueue(link, "update")
    return taken


def pull(*, tracker: Tracker | None = None, now: datetime | None = None) -> int:
    """Read every linked issue back (one tracker, or all enabled); return how many were read."""
    trackers = [tracker] if tracker else list(Tracker.objects.filter(enabled=True))
    read = 0
    for one in trackers:
        client = client_for(one)
        links = TrackerLink.objects.filter(tracker=one, state=LinkState.LINKED).select_related(
            "tracker"
        )
        try:
            for link in links.order_by("pk"):
                try:
                    remote = client.fetch(link.external_key)
                except IssueGone as exc:
                    _gone(link, str(exc))
                    continue
                except TrackerError as exc:
                    if exc.down:
                        raise
                    _failed(link, str(exc))
                    continue
                apply_remote(link=link, remote=remote, now=now)
                read += 1
        except TrackerError as exc:
            Tracker.objects.filter(pk=one.pk).update(
                last_error=str(exc)[:500], last_error_at=timezone.now()
            )
            log.warning("tracker %s: pull stopped: %s", one.pk, exc)
            continue
        Tracker.objects.filter(pk=one.pk).update(
            last_pulled_at=now or timezone.now(), last_error=""
        )
    return read


def resolve(*, link: TrackerLink, field: str, keep: str, actor: User) -> None:
    """Settle a conflict: keep Hindsight's value (pushed) or take the tracker's."""
    conflict = link.conflicts.get(field)
    if conflict is None or keep not in ("here", "there"):
        raise services.ActionItemError("There is no such conflict to settle.")
    item = link.item
    with transaction.atomic():
        if keep == "there":
            value = conflict["there"]
            if field == "status" and value == "done":
                evidence = services.Evidence(kind=EvidenceKind.TRACKER, url=link.external_url)
                services.close(item=item, actor=actor, evidence=evidence, from_tracker=True)
            elif field == "status":
                services.update(
                    item=item, actor=actor, changes={"status": "open"}, from_tracker=True
                )
            elif field == "assignee":
                services.update(
                    item=item, actor=actor, changes={"owner": _owner(value)}, from_tracker=True
                )
            else:
                services.update(
                    item=item, actor=actor, changes={"due_date": value}, from_tracker=True
                )
        remaining = {k: v for k, v in link.conflicts.items() if k != field}
        synced = {**link.synced, field: conflict["there"]}
        TrackerLink.objects.filter(pk=link.pk).update(conflicts=remaining, synced=synced)
        if keep == "here":
            _enqueue(link, "update")
