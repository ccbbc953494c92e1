"""Library search across incidents, post-mortems, action items and timelines.

The page, the API and the benchmark all call ``search``; it reads what the
user may see only (restricted incidents and everything in them are left out
for users below editor), applies the filters, and returns the page of hits
with highlighted snippets and the total count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from hindsight.accounts.models import User
from hindsight.actions.models import ActionStatus
from hindsight.catalog.models import Service
from hindsight.core.factors import BY_TAG
from hindsight.core.search import Query, QueryError, parse_query
from hindsight.core.snippets import snippet
from hindsight.incidents.models import Incident, IncidentStatus, Severity, sees_restricted
from hindsight.insights import engines
from hindsight.insights.facet_words import facet_word
from hindsight.insights.models import SearchKind
from hindsight.insights.schema import DOCUMENTS, KIND_CODES, KINDS_BY_CODE
from hindsight.postmortems.models import PostMortemStatus

MAX_LIMIT = 100
MAX_OFFSET = 10_000
# Ranking scores every match it is given. Past this many matches of one kind
# (a common word), only the newest this many matches of that kind are ranked.
POOL = 500
STATUSES = {
    "incident": IncidentStatus.values,
    "postmortem": PostMortemStatus.values,
    "action_item": ActionStatus.values,
}


class SearchError(ValueError):
    """The search or one of its filters can't be used; the message says what to change."""


@dataclass(frozen=True)
class Filters:
    services: tuple[str, ...] = ()  # service slugs
    severities: tuple[str, ...] = ()
    since: date | None = None  # incidents started on or after
    until: date | None = None  # incidents started on or before
    factors: tuple[str, ...] = ()  # factor tags
    statuses: tuple[str, ...] = ()  # the hit's own status (an event's is its incident's)
    author: str = ""  # username: post-mortem author, event actor, declarer, action owner
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    url: str
    snippet: SafeString
    incident_id: int
    incident_title: str
    started_at: datetime
    status: str


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    count: int  # every match the user may see
    query: Query
    filters: Filters = field(default_factory=Filters)
    ranked: int | None = None  # when a kind had more than POOL matches: how many were ranked
    pool: int = 0  # then: the newest this many matches of each such kind were ranked


def _choices(values: tuple[str, ...], allowed: list[str] | tuple[str, ...], what: str) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise SearchError(f"Unknown {what} {unknown[0]!r}; use one of {', '.join(allowed)}.")


@dataclass(frozen=True)
class _Checked:
    author: int | None  # the author's user id
    services: tuple[int, ...]  # the services' ids


def _check(filters: Filters) -> _Checked:
    """Refuse filters that can't match anything sensible; return the ids they name."""
    _choices(filters.severities, Severity.values, "severity")
    _choices(filters.kinds, SearchKind.values, "kind")
    _choices(filters.factors, list(BY_TAG), "factor")
    _choices(filters.statuses, sorted({s for v in STATUSES.values() for s in v}), "status")
    if filters.since and filters.until and filters.since > filters.until:
        raise SearchError("The date range ends before it starts.")
    known = dict(Service.objects.filter(slug__in=filters.services).values_list("slug", "id"))
    missing = [s for s in filters.services if s not in known]
    if missing:
        raise SearchError(f"There is no service {missing[0]!r}.")
    services = tuple(known[s] for s in filters.services)
    if not filters.author:
        return _Checked(None, services)
    author = User.objects.filter(username=filters.author).values_list("id", flat=True).first()
    if author is None:
        raise SearchError(f"There is no user {filters.author!r}.")
    return _Checked(author, services)


def _facets(filters: Filters, checked: _Checked) -> list[list[str]]:
    """The filters read from the index: per filter, the facet words one of which must be there."""
    given: list[tuple[str, list[object]]] = [
        ("severity", list(filters.severities)),
        ("service", list(checked.services)),
        ("factor", list(filters.factors)),
        ("status", list(filters.statuses)),
        ("author", [checked.author] if checked.author is not None else []),
    ]
    return [[facet_word(facet, v) for v in values] for facet, values in given if values]


def _where(filters: Filters, user: object, document: str) -> tuple[str, list[Any]]:
    """The filters not in the index: restricted and kind read the document id, dates the incident."""
    sql: list[str] = []
    params: list[Any] = []
    if not sees_restricted(user):
        sql.append(f"AND {document} %% 2 = 0")  # %% : a literal % beside parameters
    if filters.kinds:
        codes = [str(KIND_CODES[kind]) for kind in filters.kinds]
        sql.append(f"AND ({document} / 2) %% 8 IN ({', '.join(codes)})")
    adapt = connection.ops.adapt_datetimefield_value
    if filters.since:
        sql.append("AND i.started_at >= %s")
        params.append(adapt(datetime.combine(filters.since, time.min, UTC)))
    if filters.until:
        sql.append("AND i.started_at < %s")
        params.append(adapt(datetime.combine(filters.until + timedelta(days=1), time.min, UTC)))
    return " ".join(sql), params


def url_for(kind: str, object_id: int, incident_id: int) -> str:
    """Return where a hit is shown."""
    page = reverse("incidents:detail", args=[incident_id])
    anchors = {"incident": "", "postmortem": "#pm-h", "event": f"#event-{object_id}"}
    return page + anchors.get(kind, f"#action-{object_id}")


def _parse_stored(value: str) -> datetime:
    # Django stores UTC datetimes in SQLite as naive ISO text.
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _title(kind: str, title: str, incident_id: int, incident_title: str) -> str:
    if kind == "event":
        return f"Timeline of #{incident_id} {incident_title}"
    return title


def search(
    *,
    text: str,
    user: object,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Return the hits for what the user typed, best first, among what the user may see."""
    try:
        query = parse_query(text)
    except QueryError as exc:
        raise SearchError(str(exc)) from exc
    return run_query(query=query, user=user, filters=filters, limit=limit, offset=offset)


def run_query(
    *,
    query: Query,
    user: object,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Return the hits for a parsed query, best first, among what the user may see."""
    filters = filters or Filters()
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}.")
    checked = _check(filters)
    facets = _facets(filters, checked)
    with connection.cursor() as cursor:
        pooling = _pool_postgresql if connection.vendor == "postgresql" else _pool_sqlite
        count, pool, bounded = pooling(cursor, query, facets, filters, user)
        pooled = len(pool) if bounded else None
        pool.sort(key=lambda scored: (-scored[1], -scored[0]))
        ranked = [doc for doc, _ in pool[offset : offset + limit]]
        rows = _page(cursor, ranked)
    hits = [_hit(rows[pk], query) for pk in ranked if pk in rows]
    return Results(
        hits=hits,
        count=count,
        query=query,
        filters=filters,
        ranked=pooled,
        pool=POOL if pooled is not None else 0,
    )


def _matching(
    query: Query, facets: list[list[str]], filters: Filters, user: object
) -> tuple[engines.Match, str, list[Any]]:
    """The engine's match with the filters: FROM … WHERE …, and its parameters.

    Restricted is read from the document id, the date range from the
    incident's row, every other filter from the facet words in the index.
    """
    dated = bool(filters.since or filters.until)
    found = engines.match(query, connection.vendor, facets=facets, documents=dated)
    where, params = _where(filters, user, found.document)
    incidents = f" JOIN {Incident._meta.db_table} i ON i.id = d.incident_id" if dated else ""
    sql = f"FROM {found.source}{incidents} WHERE {found.condition} {where}"
    return found, sql, [*found.params, *params]


def _kinds(filters: Filters) -> list[str]:
    return list(filters.kinds) or [KINDS_BY_CODE[code] for code in sorted(KINDS_BY_CODE)]


def _possible_kinds(filters: Filters) -> set[int]:
    """The kind codes a match can have: those asked for that one of the asked statuses fits.

    A status filter reads the document's own status (an event's is its
    incident's), and each kind has statuses of its own, so "done" can only
    match action items: the search then never looks for the other kinds.
    """
    kinds = _kinds(filters)
    if filters.statuses:
        asked = set(filters.statuses)
        kinds = [k for k in kinds if asked & set(STATUSES.get(k, STATUSES["incident"]))]
    return {KIND_CODES[kind] for kind in kinds}


# SQLite reads the matches' ids newest first in chunks of CHUNK, at most WALK of them.
CHUNK = 2_000
WALK = 50_000


@dataclass
class _Walk:
    """What the walk over the newest matches found."""

    by_kind: dict[int, int]  # matches read, per kind code
    bounds: dict[int, int] = field(default_factory=dict)  # kind code: its POOL + 1st newest id
    last: int | None = None  # the oldest id read
    stopped: bool = False  # before the oldest match


def _walk(cursor: Any, sql: str, params: list[Any], kinds: set[int]) -> _Walk:
    """Read ids from the newest down, counting per kind, until each kind has its bound."""
    walk = _Walk(by_kind=dict.fromkeys(kinds, 0))
    cursor.execute(sql, params)
    read = 0
    while rows := cursor.fetchmany(CHUNK):
        codes = [doc >> 1 & 7 for (doc,) in rows]
        for code, matches in Counter(codes).items():
            before = walk.by_kind.get(code, 0)  # a kind the filters ruled out: counted anyway
            walk.by_kind[code] = before + matches
            if before <= POOL < before + matches:  # its POOL + 1st newest is in this chunk
                ids = [doc for (doc,), of in zip(rows, codes, strict=True) if of == code]
                walk.bounds[code] = ids[POOL - before]
        walk.last, read = rows[-1][0], read + len(rows)
        if kinds <= walk.bounds.keys() or read >= WALK:
            walk.stopped = True
            break
    return walk


def _pool_sqlite(
    cursor: Any, query: Query, facets: list[list[str]], filters: Filters, user: object
) -> tuple[int, list[tuple[int, float]], bool]:
    """Find each kind's bound in one walk, count the rest, then score the pool in one statement.

    One walk reads the matches' ids from the newest down (the index's own
    order; no scores) and counts them per kind; a kind's bound is the id
    of its newest match past POOL. Once every kind has its bound, the
    matches left are only counted. Past WALK ids, the rest is counted per
    kind in SQL, and a kind that got no bound but has more than POOL matches
    has its bound looked up in its own ids. One statement then scores the
    matches above their kind's bound: ``bm25`` reads each search word's
    whole list once per statement to weigh it, so one statement is one read.
    """
    kinds = _possible_kinds(filters)
    if not kinds:
        return 0, [], False
    found, matching, params = _matching(query, facets, filters, user)
    order, kind = found.order, f"({found.document} / 2) %% 8"
    walk = _walk(cursor, f"SELECT {order} {matching} ORDER BY {order} DESC", params, kinds)
    by_kind, bounds, rest = dict(walk.by_kind), walk.bounds, 0
    if walk.stopped and kinds <= bounds.keys():  # only counting is left
        cursor.execute(f"SELECT count(*) {matching} AND {order} < %s", [*params, walk.last])
        rest = int(cursor.fetchone()[0])
    elif walk.stopped:
        cursor.execute(
            f"SELECT {kind}, count(*) {matching} AND {order} < %s GROUP BY 1", [*params, walk.last]
        )
        for code, matches in cursor.fetchall():
            by_kind[int(code)] = by_kind.get(int(code), 0) + int(matches)
        for code in [c for c, n in by_kind.items() if c not in bounds and n > POOL]:
            _, of_kind, kind_params = _matching(
                query, facets, replace(filters, kinds=(KINDS_BY_CODE[code],)), user
            )
            cursor.execute(
                f"SELECT {order} {of_kind} AND {order} < %s ORDER BY {order} DESC "
                f"LIMIT 1 OFFSET {POOL - walk.by_kind.get(code, 0)}",
                [*kind_params, walk.last],
            )
            bounds[code] = int(cursor.fetchone()[0])
    count = sum(by_kind.values()) + rest
    if not bounds:
        cursor.execute(f"SELECT {found.document}, {found.score} {matching}", params)
        return count, [(int(doc), float(score)) for doc, score in cursor.fetchall()], False
    pooled = [f"({kind} = {code} AND {found.document} > {bound})" for code, bound in bounds.items()]
    if unbounded := [code for code, matches in by_kind.items() if matches and code not in bounds]:
        pooled.append(f"{kind} IN ({', '.join(map(str, unbounded))})")
    # With every kind bounded, the index walks only the ids above the lowest bound.
    lowest = f" AND {order} > {min(bounds.values())}" if not unbounded else ""
    cursor.execute(
        f"SELECT {found.document}, {found.score} {matching}{lowest} AND ({' OR '.join(pooled)})",
        params,
    )
    pool = [(int(doc), float(score)) for doc, score in cursor.fetchall()]
    return count, pool, True


def _pool_postgresql(
    cursor: Any, query: Query, facets: list[list[str]], filters: Filters, user: object
) -> tuple[int, list[tuple[int, float]], bool]:
    """Count every match and score the pool in one statement.

    One pass over the matches numbers each kind's matches from the newest
    down (a window) and counts them; only the rows numbered POOL or less
    are scored, their tsvector read again by id. ``ts_rank`` reads a whole
    tsvector, so scoring every match of a common word cost more than finding
    it did.
    """
    found, matching, params = _matching(query, facets, filters, user)
    numbered = (
        f"SELECT {found.document} AS doc, count(*) OVER kinds AS of_kind, "
        f"row_number() OVER (kinds ORDER BY {found.document} DESC) AS newest "
        f"{matching} WINDOW kinds AS (PARTITION BY ({found.document} / 2) %% 8)"
    )
    words, word_params = engines.pg_words(query)
    score = engines.pg_score("x.vector", "query.q", "m.doc")
    cursor.execute(
        f"WITH m AS MATERIALIZED ({numbered}) SELECT m.doc, m.of_kind, {score} "
        f"FROM m JOIN {DOCUMENTS} x ON x.id = m.doc CROSS JOIN (SELECT {words} AS q) query "
        "WHERE m.newest <= %s",
        [*params, *word_params, POOL],
    )
    rows = cursor.fetchall()
    of_kind = {int(doc) // 2 % 8: int(total) for doc, total, _ in rows}
    pool = [(int(doc), float(score)) for doc, _, score in rows]
    return sum(of_kind.values()), pool, any(total > POOL for total in of_kind.values())


def _page(cursor: Any, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    if not ids:
        return {}
    cursor.execute(
        "SELECT d.id, d.kind, d.object_id, d.incident_id, d.title, d.body, d.status, i.title, "
        f"i.started_at, i.status FROM {DOCUMENTS} d JOIN {Incident._meta.db_table} i "
        f"ON i.id = d.incident_id WHERE d.id IN ({', '.join(['%s'] * len(ids))})",
        ids,
    )
    return {row[0]: row[1:] for row in cursor.fetchall()}


def _hit(row: tuple[Any, ...], query: Query) -> Hit:
    kind, object_id, incident_id, title, body, status, i_title, started, i_status = row
    if not isinstance(started, datetime):  # SQLite returns text from raw SQL
        started = _parse_stored(started)
    return Hit(
        kind=kind,
        id=object_id,
        title=_title(kind, title, incident_id, i_title),
        url=url_for(kind, object_id, incident_id),
        snippet=mark_safe(snippet(body if body.strip() else title, query)),
        incident_id=incident_id,
        incident_title=i_title,
        started_at=started,
        status=status or i_status,
    )
