"""The audit log: who changed what, when, and through which door.

Every service that changes something worth auditing calls ``record`` — one
function, so an entry looks the same wherever it came from. The actor is
passed in when the service knows it; otherwise it is the user of the request
being served (set by ``AuditContextMiddleware``), or the command line. Edits
made in the Django admin arrive through its own change log (see
``record_admin_change``). Entries are append-only: the model refuses updates
and deletes, and the admin shows them read-only.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from hindsight.accounts.models import AuditEntry, User

# What is being served now: ("web" | "api" | "cli" | "worker", the request or None).
_context: contextvars.ContextVar[tuple[str, HttpRequest | None]] = contextvars.ContextVar(
    "hindsight_audit_context", default=("system", None)
)


def run_as(via: str) -> None:
    """Attribute changes from here on in this process to ``via`` ('cli', 'worker')."""
    _context.set((via, None))


@contextlib.contextmanager
def acting(via: str, request: HttpRequest | None = None) -> Iterator[None]:
    """Attribute changes made inside this block to ``via`` (and the request's user)."""
    token = _context.set((via, request))
    try:
        yield
    finally:
        _context.reset(token)


class AuditContextMiddleware:
    """Lets ``record`` find the user of the request being served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        if request.path.startswith("/admin/"):
            via = "admin"
        with acting(via, request):
            return self.get_response(request)


def _current_user() -> User | None:
    _, request = _context.get()
    if request is None:
        return None
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


def record(
    *,
    action: str,
    target: models.Model | None = None,
    actor: User | None = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Append one entry: ``action`` is '<thing>.<verb>' (e.g. 'monitor.updated')."""
    via, _ = _context.get()
    actor = actor or _current_user()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.username if actor else via,
        via=via,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_name=str(target)[:200] if target is not None else "",
        changes=changes or {},
        summary=summary[:500],
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


FIELDS = ("at", "actor_name", "via", "action", "target_type", "target_id", "target_name", "summary")


def as_rows(entries: Iterable[AuditEntry]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        row = {name: getattr(entry, name) for name in FIELDS}
        row["at"] = entry.at.isoformat()
        row["changes"] = entry.changes
        yield row


def to_csv(entries: Iterable[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*FIELDS, "changes"])
    writer.writeheader()
    for row in as_rows(entries):
        row["changes"] = json.dumps(row["changes"], sort_keys=True, default=str)
        # A spreadsheet must not run a cell as a formula.
        writer.writerow({k: _no_formula(v) for k, v in row.items()})
    return out.getvalue()


def to_json(entries: Iterable[AuditEntry]) -> str:
    return json.dumps(list(as_rows(entries)), indent=1, default=str)


def _no_formula(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def record_admin_change(entry: Any) -> None:
    """Copy one Django admin LogEntry (addition, change, deletion) into the audit log."""
    verbs = {1: "added", 2: "changed", 3: "deleted"}
    content_type = entry.content_type
    label = f"{content_type.app_label}.{content_type.model}" if content_type else ""
    AuditEntry.objects.create(
        actor=entry.user if isinstance(entry.user, User) else None,
        actor_name=getattr(entry.user, "username", "admin"),
        via="admin",
        action=f"{content_type.model if content_type else 'object'}.{verbs.get(entry.action_flag, 'changed')}",
        target_type=label,
        target_id=str(entry.object_id or ""),
        target_name=str(entry.object_repr)[:200],
        changes={"admin": entry.get_change_message()} if entry.change_message else {},
        summary="in the Django admin",
    )
