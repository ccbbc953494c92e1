"""Action-item services: the only writers of an item's follow-through.

The board, the API, the CLI and the worker all call these. Each change locks
the row, checks the rules of done (a P1/P2 item closes only with evidence that
the fix works; "won't do" needs a reason), writes the audit log and tells the
listeners (tracker sync) in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import Role, User
from hindsight.actions.models import (
    NEEDS_EVIDENCE,
    ActionItem,
    ActionKind,
    ActionStatus,
    EvidenceKind,
    Priority,
)
from hindsight.actions.signals import action_item_changed
from hindsight.incidents.models import Incident
from hindsight.integrations.models import Integration
from hindsight.monitors.models import Monitor

log = logging.getLogger(__name__)

MAX_TEXT = 5_000
# The fields a person may change directly (PATCH, the board's bulk update).
EDITABLE = (
    "title",
    "description",
    "owner",
    "due_date",
    "priority",
    "kind",
    "status",
    "wont_do_reason",
    "external_url",
)


class ActionItemError(ValueError):
    """A refused change; `status` and `code` are what the API answers, the message says why."""

    status = 400
    code = "bad_request"


class EvidenceRequired(ActionItemError):
    status = 422
    code = "evidence_required"


class InvalidEvidence(ActionItemError):
    status = 422
    code = "invalid_evidence"


class ReasonRequired(ActionItemError):
    status = 422
    code = "reason_required"


class NotAllowed(ActionItemError):
    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Evidence:
    """What verified a fix: a link, a monitor, or a written test note."""

    kind: str
    url: str = ""
    monitor: Monitor | None = None
    text: str = ""
    integration: Integration | None = None  # an alert source whose rule (text) covers it


def visible(user: object) -> QuerySet[ActionItem]:
    """Action items of the incidents the user may see."""
    return ActionItem.objects.filter(incident__in=Incident.objects.visible_to(user))


def get_visible(user: object, pk: int) -> ActionItem:
    """The item if the user may see it; Http404 otherwise (restricted looks missing)."""
    found = visible(user).select_related("incident", "postmortem", "owner").filter(pk=pk).first()
    if found is None:
        raise Http404("No such action item.")
    return found


def can_change(user: object) -> bool:
    """Responders and above work on action items (owners are usually responders)."""
    return isinstance(user, User) and user.has_role(Role.RESPONDER)


def evidence_from(data: Mapping[str, Any] | None) -> Evidence | None:
    """Evidence from what a form or the API sent; None when nothing was sent."""
    if not data or not any(data.get(k) for k in ("kind", "url", "monitor", "text")):
        return None
    kind = str(data.get("kind") or "")
    if kind == EvidenceKind.LINK:
        url = str(data.get("url") or "").strip()
        if not url.startswith(("https://", "http://")) or len(url) > 2000 or " " in url:
            raise InvalidEvidence(
                "Link evidence needs the URL of the merged pull request or closed issue "
                "(http:// or https://, at most 2000 characters)."
            )
        return Evidence(kind=kind, url=url)
    if kind == EvidenceKind.MONITOR:
        value = data.get("monitor")
        if isinstance(value, str) and value.strip().startswith("integration:"):
            return _alert_rule(value.strip().removeprefix("integration:"), data.get("text"))
        return Evidence(kind=kind, monitor=_monitor(value))
    if kind == EvidenceKind.NOTE:
        text = str(data.get("text") or "").strip()
        if not text:
            raise InvalidEvidence("A test note needs its text: what was tested, and how.")
        if len(text) > MAX_TEXT:
            raise InvalidEvidence(f"A test note is at most {MAX_TEXT} characters.")
        return Evidence(kind=kind, text=text)
    raise InvalidEvidence('Evidence "kind" must be one of link, monitor, note.')


def _monitor(value: Any) -> Monitor:
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        found = Monitor.objects.filter(pk=int(value)).first()
    elif isinstance(value, str) and value.strip():
        found = Monitor.objects.filter(name__iexact=value.strip()).first()
    if found is None:
        raise InvalidEvidence(
            f"No monitor {value!r}: pick one of Hindsight's monitors by id or name."
            if value
            else "Monitor evidence needs the monitor (its id or name) that now covers the failure."
        )
    return found


def _alert_rule(ident: str, rule: Any) -> Evidence:
    found = Integration.objects.filter(pk=int(ident)).first() if ident.isdigit() else None
    if found is None:
        raise InvalidEvidence(f"No alert source {ident!r}: pick one of Hindsight's integrations.")
    name = str(rule or "").strip()
    if not name or len(name) > 300:
        raise InvalidEvidence("Name the alert rule of that source that now covers the failure.")
    return Evidence(kind=EvidenceKind.MONITOR, integration=found, text=name)


def _snapshot(item: ActionItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "owner": item.owner.username if item.owner else None,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "priority": item.priority,
        "kind": item.kind,
        "status": item.status,
        "wont_do_reason": item.wont_do_reason,
        "external_url": item.external_url,
        "evidence_kind": item.evidence_kind,
        "evidence": _evidence_text(item),
    }


def _evidence_text(item: ActionItem) -> str:
    if item.evidence_kind == EvidenceKind.MONITOR and item.evidence_integration_id:
        return f"alert rule {item.verification_note} of integration {item.evidence_integration_id}"
    if item.evidence_kind == EvidenceKind.MONITOR:
        return f"monitor {item.evidence_monitor_id}"
    return item.evidence_url or item.verification_note


def _check_value(name: str, value: Any) -> Any:
    """The value to store for one editable field, or ActionItemError saying why not."""
    if name == "title":
        title = str(value or "").strip()
        if not title or len(title) > 300:
            raise ActionItemError("An action item needs a title of at most 300 characters.")
        return title
    if name in ("description", "wont_do_reason"):
        text = str(value or "").strip()
        if len(text) > MAX_TEXT:
            raise ActionItemError(f"{name.replace('_', ' ').capitalize()}: at most {MAX_TEXT}.")
        return text
    if name == "owner":
        return _owner(value)
    if name == "due_date":
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ActionItemError(f"{value!r} is not a date: write YYYY-MM-DD.") from None
    choices = {"priority": Priority, "kind": ActionKind, "status": ActionStatus}
    if name in choices:
        if value not in choices[name].values:
            raise ActionItemError(f"{name} must be one of {', '.join(choices[name].values)}.")
        return value
    if name == "external_url":
        url = str(value or "").strip()
        if url and (not url.startswith(("https://", "http://")) or len(url) > 2000):
            raise ActionItemError("The link must be an http:// or https:// URL.")
        return url
    raise ActionItemError(f"{name} cannot be changed here.")


def _owner(value: Any) -> User | None:
    if value is None or value == "":
        return None
    if isinstance(value, User):
        return value
    found = User.objects.filter(username=str(value).lstrip("@"), is_active=True).first()
    if found is None:
        raise ActionItemError(f"No active user named {value!r} to own the item.")
    return found


def _apply_status(
    item: ActionItem, status: str, *, actor: User | None, evidence: Evidence | None
) -> None:
    """Move the item to ``status`` under the rules of done (the row is locked)."""
    now = timezone.now()
    if status == ActionStatus.DONE:
        if evidence is None and item.priority in NEEDS_EVIDENCE and not item.has_evidence:
            raise EvidenceRequired(
                f"{item.priority} action items close only with evidence that the fix works: "
                "a link to the merged pull request or closed issue, a monitor that now covers "
                'the failure, or a test note, e.g. {"evidence": {"kind": "note", "text": '
                '"Replayed the failing request: it now succeeds"}}.'
            )
        if evidence is not None:
            item.evidence_kind = evidence.kind
            item.evidence_url = evidence.url
            item.evidence_monitor = evidence.monitor
            item.evidence_integration = evidence.integration
            item.verification_note = evidence.text
        if item.status != ActionStatus.DONE:
            item.completed_at, item.closed_by = now, actor
        item.wont_do_reason = ""
    elif status == ActionStatus.WONT_DO:
        if not item.wont_do_reason.strip():
            raise ReasonRequired('"Won\'t do" needs a reason: why this will not be done.')
        item.completed_at, item.closed_by = now, actor
    else:
        item.completed_at = item.closed_by = None
        item.wont_do_reason = ""
        if item.is_done:  # reopened: the old proof no longer stands (the audit log keeps it)
            item.evidence_kind = item.evidence_url = item.verification_note = ""
            item.evidence_monitor = item.evidence_integration = None
    item.status = status


def update(
    *,
    item: ActionItem,
    actor: User | None,
    changes: Mapping[str, Any],
    evidence: Evidence | None = None,
    audit_action: str = "action_item.updated",
    from_tracker: bool = False,
) -> ActionItem:
    """Change an item's fields; a change of status follows the rules of done.

    ``from_tracker``: the change came from the issue tracker (not pushed back to it).
    """
    if actor is not None and not can_change(actor):
        raise NotAllowed("Changing action items needs the responder role.")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ActionItemError(f"{', '.join(unknown)} cannot be changed here.")
    values = {name: _check_value(name, value) for name, value in changes.items()}
    with transaction.atomic():
        row = ActionItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(row)
        status = values.pop("status", None)
        for name, value in values.items():
            setattr(row, name, value)
        if status is not None and (status != row.status or evidence is not None):
            _apply_status(row, status, actor=actor, evidence=evidence)
        elif row.status == ActionStatus.WONT_DO and not row.wont_do_reason:
            raise ReasonRequired('"Won\'t do" needs a reason: why this will not be done.')
        after = _snapshot(row)
        changed = audit.changed_fields(before, after)
        if not changed:
            return row
        row.updated_at = timezone.now()
        row.save()
        audit.record(action=audit_action, target=row, actor=actor, changes=changed)
        action_item_changed.send(
            sender=ActionItem, item=row, changes=changed, actor=actor, from_tracker=from_tracker
        )
    log.info("action item %s: %s changed", row.pk, ", ".join(changed))
    return row


def close(
    *,
    item: ActionItem,
    actor: User | None,
    evidence: Evidence | None,
    from_tracker: bool = False,
) -> ActionItem:
    """Mark an item done with how its effect was verified (required for P1 and P2)."""
    return update(
        item=item,
        actor=actor,
        changes={"status": ActionStatus.DONE},
        evidence=evidence,
        audit_action="action_item.closed",
        from_tracker=from_tracker,
    )


def wont_do(*, item: ActionItem, actor: User | None, reason: str) -> ActionItem:
    """Close an item that will not be done, with the reason why."""
    return update(
        item=item,
        actor=actor,
        changes={"status": ActionStatus.WONT_DO, "wont_do_reason": reason},
        audit_action="action_item.closed",
    )


def bulk_update(
    *, items: Iterable[ActionItem], actor: User | None, changes: Mapping[str, Any]
) -> list[ActionItem]:
    """Apply the same change to several items: all of them, or none with the reason."""
    allowed = {"owner", "due_date", "status", "priority"}
    if not changes or set(changes) - allowed:
        raise ActionItemError("A bulk update changes the owner, due date, status or priority.")
    done: list[ActionItem] = []
    with transaction.atomic():
        for item in items:
            try:
                done.append(update(item=item, actor=actor, changes=changes))
            except ActionItemError as exc:
                message = f"Nothing was changed: item #{item.pk} “{item.title}”: {exc}"
                raise type(exc)(message) from None
    return done
