"""Search filters read from a query string: the page and the API read them the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hindsight.insights.search import Filters, SearchError

# Query-string names of the filters, as documented in docs/insights.md.
FILTER_NAMES = ("service", "severity", "from", "to", "factor", "status", "author", "kind")


def _date(value: str, name: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SearchError(f"{name}: {value[:40]!r} is not a date; use YYYY-MM-DD.") from None


def filters_from(getlist: Callable[[str], list[str]]) -> Filters:
    """Build the filters from a query string's values (``request.GET.getlist``)."""

    def values(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in getlist(name) if v.strip()))

    def single(name: str) -> str:
        given = values(name)
        if len(given) > 1:
            raise SearchError(f"{name}: give one value, not {len(given)}.")
        return given[0] if given else ""

    return Filters(
        services=values("service"),
        severities=tuple(v.upper() for v in values("severity")),
        since=_date(single("from"), "from"),
        until=_date(single("to"), "to"),
        factors=values("factor"),
        statuses=values("status"),
        author=single("author"),
        kinds=values("kind"),
    )
