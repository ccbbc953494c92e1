"""The board's filters and sorts, shared by the board page, the API and the CSV export.

``parse`` reads the query (strings, as a URL carries them) into ``Filters``
or raises ``FilterError`` saying which value is wrong; ``apply`` narrows a
queryset of visible items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from django.db.models import F, Q, QuerySet

from hindsight.actions.models import ActionItem, ActionKind, ActionStatus, Priority

# Sort keys as a URL writes them -> ordering ("-" first: descending).
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_date", "priority", "id"),
    "-due": ("-due_date", "priority", "id"),
    "priority": ("priority", "due_date", "id"),
    "owner": ("owner__username", "due_date", "id"),
    "status": ("status", "due_date", "id"),
    "incident": ("-incident_id", "priority", "id"),
    "updated": ("-updated_at", "-id"),
}
# Open-ish: still to be done.
OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class FilterError(ValueError):
    """A filter value that means nothing; the message names the field and what it takes."""


@dataclass(frozen=True)
class Filters:
    owner: str = ""  # a username, "me" or "none"
    status: str = ""  # a status, or "open_any" for open and in progress
    overdue: bool = False
    priority: str = ""
    kind: str = ""
    service: str = ""
    team: str = ""
    incident: int | None = None
    due_before: date | None = None
    due_after: date | None = None
    sort: str = "due"

    def as_query(self) -> dict[str, str]:
        """The filters as a URL's query (only those set)."""
        out: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value in (None, "", False) or (field.name == "sort" and value == "due"):
                continue
            out[field.name] = "true" if value is True else str(value)
        return out


def _one_of(name: str, value: str, allowed: list[str]) -> str:
    if value and value not in allowed:
        raise FilterError(f"{name} must be one of {', '.join(allowed)}.")
    return value


def parse(query: Mapping[str, str]) -> Filters:
    """Filters from a query string; FilterError names a value that is not understood."""
    get = {k: str(query.get(k, "") or "").replace("\x00", "").strip()[:200] for k in _NAMES}
    overdue = get["overdue"].lower()
    if overdue not in ("", "true", "false", "1", "0"):
        raise FilterError("overdue must be true or false.")
    incident = None
    if get["incident"]:
        if not get["incident"].isdigit():
            raise FilterError("incident must be an incident number.")
        incident = int(get["incident"])
    return Filters(
        owner=get["owner"].lstrip("@"),
        status=_one_of("status", get["status"], [*ActionStatus.values, "open_any"]),
        overdue=overdue in ("true", "1"),
        priority=_one_of("priority", get["priority"], list(Priority.values)),
        kind=_one_of("kind", get["kind"], list(ActionKind.values)),
        service=get["service"],
        team=get["team"],
        incident=incident,
        due_before=_date("due_before", get["due_before"]),
        due_after=_date("due_after", get["due_after"]),
        sort=_one_of("sort", get["sort"], list(SORTS)) or "due",
    )


_NAMES = (
    "owner",
    "status",
    "overdue",
    "priority",
    "kind",
    "service",
    "team",
    "incident",
    "due_before",
    "due_after",
    "sort",
)


def _date(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{name} must be a date (YYYY-MM-DD).") from None


def apply(
    found: QuerySet[ActionItem], chosen: Filters, *, user: object, today: date
) -> QuerySet[ActionItem]:
    """The items that pass the filters, sorted as chosen."""
    if chosen.owner == "me":
        found = found.filter(owner_id=getattr(user, "pk", None))
    elif chosen.owner == "none":
        found = found.filter(Q(owner__isnull=True) | Q(owner__is_active=False))
    elif chosen.owner:
        found = found.filter(owner__username=chosen.owner)
    if chosen.status == "open_any":
        found = found.filter(status__in=OPEN)
    elif chosen.status:
        found = found.filter(status=chosen.status)
    if chosen.overdue:
        found = found.filter(status__in=OPEN, due_date__lt=today)
    if chosen.priority:
        found = found.filter(priority=chosen.priority)
    if chosen.kind:
        found = found.filter(kind=chosen.kind)
    if chosen.service:
        found = found.filter(incident__services__slug=chosen.service)
    if chosen.team:
        found = found.filter(incident__services__owner_team=chosen.team)
    if chosen.incident is not None:
        found = found.filter(incident_id=chosen.incident)
    if chosen.due_before:
        found = found.filter(due_date__lte=chosen.due_before)
    if chosen.due_after:
        found = found.filter(due_date__gte=chosen.due_after)
    if chosen.service or chosen.team:
        found = found.distinct()
    order = [
        F(key[1:]).desc(nulls_last=True) if key.startswith("-") else F(key).asc(nulls_last=True)
        for key in SORTS[chosen.sort]
    ]
    return found.order_by(*order)
