"""What differs between SQLite FTS5 and PostgreSQL full-text search: the match and its rank.

Both rank the same way as far as the engines allow: a match in the title
counts 2.5 times a match in the body (FTS5 bm25 column weights; PostgreSQL
ts_rank with title weight A = 1.0 and body weight B = 0.4), longer documents
count less, and the kind of result weighs in (``KIND_WEIGHTS``). Ties are
broken the same way on both (the higher document id first: the newer object),
so identical data gives identical order wherever the scores tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hindsight.core.search import Query, Term, fts5_match, tsquery_prefix
from hindsight.insights.schema import DOCUMENTS, FTS, KIND_CODES

# Post-mortems are what the library is for; single timeline lines match easily.
KIND_WEIGHTS = {"postmortem": 1.0, "incident": 0.9, "action_item": 0.8, "event": 0.6}
TITLE_WEIGHT = 2.5
Facets = Sequence[Sequence[str]]


@dataclass(frozen=True)
class Match:
    """SQL pieces: what to select from, the document id, the condition and the score."""

    source: str
    document: str  # SQL for the matching document's id
    order: str  # the same id as the full-text index walks it (range and order read the index)
    condition: str
    score: str  # higher is better
    params: list[Any]


def _kind_weight(document: str) -> str:
    # The kind is in the document id (schema.document_id): no lookup per match.
    cases = " ".join(
        f"WHEN {KIND_CODES[kind]} THEN {weight}" for kind, weight in KIND_WEIGHTS.items()
    )
    return f"(CASE ({document} / 2) %% 8 {cases} ELSE 1.0 END)"


# The facets column (filter words) weighs nothing in the score.
BM25 = f"bm25({FTS}, {TITLE_WEIGHT}, 1.0, 0.0)"


def _sqlite(query: Query, facets: Facets, documents: bool) -> Match:
    source, document = FTS, f"{FTS}.rowid"
    if documents:
        source, document = f"{FTS} JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid", "d.id"
    # The user's words are looked for in the title and body only, never in the facets.
    expression = f"{{title body}} : ({fts5_match(query)})"
    for words in facets:
        expression += " AND facets : (" + " OR ".join(words) + ")"
    return Match(
        source=source,
        document=document,
        order=f"{FTS}.rowid",
        condition=f"{FTS} MATCH %s",
        score=f"(-{BM25} * {_kind_weight(document)})",
        params=[expression],
    )


def _pg_term(term: Term) -> tuple[str, str]:
    # The user's words only ever travel as bound parameters.
    if term.prefix:
        return "to_tsquery('english', %s)", tsquery_prefix(term)
    return "phraseto_tsquery('english', %s)", term.text


def pg_words(query: Query) -> tuple[str, list[Any]]:
    """PostgreSQL: the tsquery of the user's words, and its parameters."""
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
    return " && ".join(parts), params


def _postgresql(query: Query, facets: Facets) -> Match:
    words, params = pg_words(query)
    selected = f"{words} AS q"
    condition = "d.vector @@ query.q"
    if facets:
        # The facet words have a tsvector of their own: the score reads the user's words only.
        selected += ", " + " && ".join(["to_tsquery('simple', %s)"] * len(facets)) + " AS f"
        condition += " AND d.facet_vector @@ query.f"
        params += [" | ".join(group) for group in facets]
    return Match(
        source=f"{DOCUMENTS} d CROSS JOIN (SELECT {selected}) query",
        document="d.id",
        order="d.id",
        condition=condition,
        score=pg_score("d.vector", "query.q", "d.id"),
        params=params,
    )


def pg_score(vector: str, query: str, document: str) -> str:
    """PostgreSQL: the score of a document from SQL for its tsvector, the query and its id."""
    # Weights {D, C, B, A}: body (B) 0.4, title (A) 1.0; 1 divides by 1 + log(length).
    weights = "'{0.1, 0.2, 0.4, 1.0}'"
    return f"(ts_rank({weights}, {vector}, {query}, 1) * {_kind_weight(document)})"


def match(query: Query, vendor: str, *, facets: Facets = (), documents: bool = False) -> Match:
    """Return the engine's SQL for documents matching the query and the facet words.

    ``facets`` are groups of facet words (``facet_words.facet_word``): a document
    matches when it has a word of every group. With ``documents`` the
    document table is joined as ``d`` (the date filter reads it); without,
    SQLite ranks from the full-text index alone.
    """
    if vendor == "postgresql":
        return _postgresql(query, facets)
    return _sqlite(query, facets, documents)
