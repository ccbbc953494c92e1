"""The library search language and the text it indexes (no Django, no database).

A search is a list of terms that must all match:

- ``word`` matches the word and its other forms (``fail`` finds "failed", "fails");
- ``"two words"`` matches the words next to each other;
- ``cert*`` matches words starting with ``cert``;
- ``-word`` or ``-"two words"`` leaves out what contains it;
- ``a OR b`` matches either (``OR`` in capitals, between two terms).

Everything else the user types — brackets, colons, quotes left open, ``AND``,
``NEAR``, ``^`` — is read as plain text, never as the engine's own syntax:
each engine receives a query built here from letters and digits only
(SQLite FTS5) or the user's words as bound parameters (PostgreSQL), so no
input can make the database refuse the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Long enough for any real search, short enough that a pasted document is refused.
MAX_QUERY_CHARS = 256
MAX_TERMS = 10

# The Snowball English stop list, which PostgreSQL's `english` configuration drops
# from documents and queries. SQLite's FTS5 keeps every word, so a term made only
# of these is dropped here too: both engines then match the same documents.
STOPWORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(-?)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class QueryError(ValueError):
    """The search can't be run; the message says what to change."""


@dataclass(frozen=True)
class Term:
    """One word, phrase or prefix, as the user typed it and as its words."""

    text: str
    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """Every group must match (a group matches when one of its terms does); no excluded may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    ignored: tuple[str, ...] = ()  # common words left out, to tell the user

    @property
    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def _term(text: str, prefix: bool) -> Term | None:
    words = tuple(w.lower() for w in _WORD.findall(text))
    if not words:
        return None
    return Term(text=" ".join(text.split()), words=words, prefix=prefix)


def parse_query(text: str) -> Query:
    """Read what the user typed into a query, or raise QueryError saying what to change."""
    text = _CONTROL.sub(" ", text or "").strip()
    if not text:
        raise QueryError("Type something to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The search is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed."
        )
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    ignored: list[str] = []
    join_next = False
    for match in _TOKEN.finditer(text):
        phrase_minus, phrase, phrase_star, bare_minus, bare = match.groups()
        if bare == "OR":
            join_next = bool(groups)
            continue
        negative = bool(phrase_minus or bare_minus)
        if phrase is not None:
            term = _term(phrase, prefix=bool(phrase_star))
        else:
            prefix = bare.endswith("*")
            term = _term(bare.rstrip("*"), prefix=prefix)
        if term is None:
            join_next = False
            continue
        if not term.prefix and all(word in STOPWORDS for word in term.words):
            ignored.append(term.text)
            join_next = False
            continue
        if negative:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    count = sum(len(group) for group in groups) + len(excluded)
    if count > MAX_TERMS:
        raise QueryError(f"The search has {count} terms; at most {MAX_TERMS} are allowed.")
    if not groups:
        if excluded:
            raise QueryError("Add a word to look for: a search can't only leave words out.")
        if ignored:
            raise QueryError(
                f"Only very common words ({', '.join(ignored)}) that almost every document "
                "contains; add a more specific word."
            )
        raise QueryError("The search has no letters or digits to look for.")
    return Query(
        groups=tuple(tuple(group) for group in groups),
        excluded=tuple(excluded),
        ignored=tuple(ignored),
    )


def _fts5_term(term: Term) -> str:
    # Only letters and digits reach FTS5, inside double quotes: never its syntax.
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def fts5_match(query: Query) -> str:
    """Return the SQLite FTS5 MATCH expression for the query."""
    groups = [
        "(" + " OR ".join(_fts5_term(t) for t in group) + ")"
        if len(group) > 1
        else _fts5_term(group[0])
        for group in query.groups
    ]
    expression = " AND ".join(groups)
    for term in query.excluded:
        expression = f"({expression}) NOT {_fts5_term(term)}"
    return expression


def tsquery_prefix(term: Term) -> str:
    """Return the to_tsquery() text for a prefix term: its words in sequence, the last a prefix."""
    return " <-> ".join(term.words) + ":*"


def similar_terms(text: str, *, limit: int = 8) -> Query | None:
    """A query matching any of the text's most telling words (for "similar incidents")."""
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) > 2 and word not in STOPWORDS and not word.isdigit() and word not in seen:
            seen.append(word)
    if not seen:
        return None
    terms = tuple(Term(text=word, words=(word,)) for word in seen[:limit])
    return Query(groups=(terms,))


# No quantifier before the lazy one: PostgreSQL takes a whole pattern's greediness from
# its first quantifier, and its copy of these patterns must match the same text.
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---(?:\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def search_text(markdown: str) -> str:
    """Return a post-mortem's Markdown as indexed: without front matter and guidance comments.

    PostgreSQL does the same with regexp_replace in ``hindsight_search_text``
    (see the insights migration); a test runs both over the same bodies.
    """
    return _COMMENT.sub(" ", _FRONT_MATTER.sub("", markdown.replace("\r", "")))
