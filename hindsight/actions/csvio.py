"""CSV export and import of action items (a spreadsheet round trip).

Export writes the board's rows with the columns below. Import reads the same
columns: a row with an ``id`` updates that item, a row without one adds an
item to the incident named; every row goes through the same services as the
board (owners must be users, P1/P2 done needs evidence, won't do a reason),
and one bad row refuses the whole file with each problem's line: nothing is
half-imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from hindsight.accounts.models import User
from hindsight.actions import services
from hindsight.actions.models import ActionItem, ActionStatus, EvidenceKind
from hindsight.incidents.models import Incident

COLUMNS = (
    "id",
    "incident",
    "title",
    "owner",
    "due_date",
    "priority",
    "kind",
    "status",
    "evidence",
    "wont_do_reason",
    "tracker_url",
)
MAX_ROWS = 5_000


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _evidence(item: ActionItem) -> str:
    if item.evidence_kind == EvidenceKind.MONITOR:
        return f"monitor:{item.evidence_monitor_id}"
    return item.evidence_url or item.verification_note


def export(items: Iterable[ActionItem]) -> str:
    """The items as CSV text (cells that a spreadsheet would run as formulas are quoted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in items:
        row = [
            item.pk,
            item.incident_id,
            item.title,
            item.owner.username if item.owner else "",
            item.due_date.isoformat() if item.due_date else "",
            item.priority,
            item.kind,
            item.status,
            _evidence(item),
            item.wont_do_reason,
            item.external_url,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class ImportRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _evidence_from(text: str) -> services.Evidence | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith(("http://", "https://")):
        return services.evidence_from({"kind": "link", "url": text})
    if text.startswith("monitor:"):
        return services.evidence_from({"kind": "monitor", "monitor": text.removeprefix("monitor:")})
    return services.evidence_from({"kind": "note", "text": text})


def _import_row(row: dict[str, str], *, actor: User, visible: Any) -> str:
    changes: dict[str, Any] = {
        name: row[name].strip()
        for name in ("title", "owner", "due_date", "priority", "kind", "wont_do_reason")
        if name in row and row[name] is not None
    }
    status = (row.get("status") or "").strip()
    evidence = _evidence_from(row.get("evidence") or "")
    ident = (row.get("id") or "").strip()
    if ident:
        if not ident.isdigit():
            raise services.ActionItemError(f"id {ident!r} is not an item number.")
        item = visible.filter(pk=int(ident)).first()
        if item is None:
            raise services.ActionItemError(f"there is no action item {ident}.")
        made = "updated"
    else:
        incident_id = (row.get("incident") or "").strip()
        incident = (
            Incident.objects.visible_to(actor)
            .filter(pk=int(incident_id) if incident_id.isdigit() else 0)
            .first()
        )
        if incident is None:
            raise services.ActionItemError(
                "a new item needs the number of an incident you may see."
            )
        item = ActionItem.objects.create(
            incident=incident, title=changes.get("title") or "(untitled)"
        )
        made = "created"
    if status == ActionStatus.DONE:
        item = services.update(item=item, actor=actor, changes=changes)
        services.close(item=item, actor=actor, evidence=evidence)
    else:
        if status:
            changes["status"] = status
        services.update(item=item, actor=actor, changes=changes)
    return made


def import_csv(text: str, *, actor: User) -> Imported:
    """Apply a CSV file of items; ImportRefused lists every bad line and nothing is changed."""
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    if not rows or "title" not in (reader.fieldnames or ()):
        raise ImportRefused([f"The file needs a header row with the columns {', '.join(COLUMNS)}."])
    if len(rows) > MAX_ROWS:
        raise ImportRefused([f"At most {MAX_ROWS} rows at a time; this file has {len(rows)}."])
    result = Imported()
    visible = services.visible(actor)
    with transaction.atomic():  # one bad line rolls back every other
        for number, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    made = _import_row(row, actor=actor, visible=visible)
            except services.ActionItemError as exc:
                result.errors.append(f"line {number}: {exc}")
                continue
            if made == "created":
                result.created += 1
            else:
                result.updated += 1
        if result.errors:
            raise ImportRefused(result.errors)
    return result
