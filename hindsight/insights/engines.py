"""What differs between SQLite FTS5 and PostgreSQL full-text search: the match and its rank.

Both rank the same way as far as the engines allow: a match in the title
counts 2.5 times a match in the body (FTS5 bm25 column weights; PostgreSQL
ts_rank with title weight A = 1.0 and body weight B = 0.4), longer documents
count less, and the kind of result weighs in (``KIND_WEIGHTS``). Ties are
broken the same way on both (newest incident first, then kind, then newest
object), so identical data gives identical order wherever the scores tie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hindsight.core.search import Query, Term, fts5_match, tsquery_prefix
from hindsight.insights.schema import DOCUMENTS, FTS

# Post-mortems are what the library is for; single timeline lines match easily.
KIND_WEIGHTS = {"postmortem": 1.0, "incident": 0.9, "action_item": 0.8, "event": 0.6}
TITLE_WEIGHT = 2.5
# Order of kinds when everything else ties.
KIND_ORDER = ("postmortem", "incident", "action_item", "event")


@dataclass(frozen=True)
class Match:
    """SQL pieces: what to select from, the condition, and the score (higher is better)."""

    source: str
    condition: str
    score: str
    params: list[Any]


def _kind_weight() -> str:
    cases = " ".join(f"WHEN '{kind}' THEN {weight}" for kind, weight in KIND_WEIGHTS.items())
    return f"(CASE d.kind {cases} ELSE 1.0 END)"


def kind_order() -> str:
    """SQL for the tie-breaking order of kinds."""
    cases = " ".join(f"WHEN '{kind}' THEN {i}" for i, kind in enumerate(KIND_ORDER))
    return f"(CASE d.kind {cases} ELSE 9 END)"


def _sqlite(query: Query) -> Match:
    return Match(
        source=f"{FTS} JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid",
        condition=f"{FTS} MATCH %s",
        score=f"(-bm25({FTS}, {TITLE_WEIGHT}, 1.0) * {_kind_weight()})",
        params=[fts5_match(query)],
    )


def _pg_term(term: Term) -> tuple[str, str]:
    # The user's words only ever travel as bound parameters.
    if term.prefix:
        return "to_tsquery('english', %s)", tsquery_prefix(term)
    return "phraseto_tsquery('english', %s)", term.text


def _postgresql(query: Query) -> Match:
    parts: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        pieces = [_pg_term(term) for term in group]
        parts.append("(" + " || ".join(sql for sql, _ in pieces) + ")")
        params += [value for _, value in pieces]
    for term in query.excluded:
        sql, value = _pg_term(term)
        parts.append(f"!!{sql}")
        params.append(value)
    return Match(
        source=f"{DOCUMENTS} d CROSS JOIN (SELECT {' && '.join(parts)} AS q) query",
        condition="d.vector @@ query.q",
        # Weights {D, C, B, A}: body (B) 0.4, title (A) 1.0; 1 divides by 1 + log(length).
        score=f"(ts_rank('{{0.1, 0.2, 0.4, 1.0}}', d.vector, query.q, 1) * {_kind_weight()})",
        params=params,
    )


def match(query: Query, vendor: str) -> Match:
    """Return the engine's SQL for documents matching the query."""
    return _postgresql(query) if vendor == "postgresql" else _sqlite(query)
