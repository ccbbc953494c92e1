"""Highlighted snippets of search results: escaped text with <mark> around matches.

Built here rather than with FTS5's snippet() or PostgreSQL's ts_headline() so
both engines show the same snippet for the same document, and so escaping
happens in one place: every character of the document goes through
``html.escape``, and the only markup is the ``<mark>`` this module adds.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import snowballstemmer

from hindsight.core.search import Query

WIDTH = 180  # characters of text around the best match
_WORD = re.compile(r"[^\W_]+")
# Markdown punctuation that only gets in the way in a one-line snippet.
_MARKUP = re.compile(r"^\s*(?:#{1,6}|[-*+>]|\d+\.)\s+|\*{1,3}|`+|\|", re.M)


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def shared_words(words: list[str], text: str) -> list[str]:
    """Return the words (in their order) that also occur in ``text`` in some form."""
    stems = {_stem(word.lower()) for word in _WORD.findall(text)}
    return [word for word in words if _stem(word.lower()) in stems]


def _matched(words: list[str], query: Query) -> set[int]:
    """Indexes of the words that make up a match of one of the query's terms.

    A word matches a query word when their stems are equal (or, for the last
    word of a prefix term, when it starts with it); a phrase only where its
    words follow each other, as the engines match it.
    """
    stems = [_stem(word.lower()) for word in words]
    found: set[int] = set()
    for term in query.positive_terms:
        wanted = [_stem(word) for word in term.words]
        size = len(wanted)
        for i in range(len(words) - size + 1):
            if stems[i : i + size - 1] != wanted[:-1]:
                continue
            last = i + size - 1
            if stems[last] == wanted[-1] or (
                term.prefix and words[last].lower().startswith(term.words[-1])
            ):
                found.update(range(i, i + size))
    return found


def plain(text: str) -> str:
    """Return text on one line, without Markdown's structural punctuation."""
    return " ".join(_MARKUP.sub(" ", text).split())


def _window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start of the window of ``width`` characters holding the most different matched words."""
    best_start, best = 0, (-1, -1)
    for i, (start, _, _) in enumerate(matches[:200]):
        inside = [m for m in matches[i:] if m[1] <= start + width]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best:
            best_start, best = start, score
    return best_start


def snippet(text: str, query: Query, *, width: int = WIDTH) -> str:
    """Return an HTML-safe excerpt of ``text`` around the query's matches, matches in <mark>."""
    text = plain(text)
    words = list(_WORD.finditer(text))
    matches: list[tuple[int, int, str]] = []
    previous = -2
    for i in sorted(_matched([w.group() for w in words], query)):
        if i == previous + 1:  # the next word of a phrase: one <mark> for the whole phrase
            start, _, key = matches[-1]
            matches[-1] = (start, words[i].end(), key)
        else:
            matches.append((words[i].start(), words[i].end(), _stem(words[i].group().lower())))
        previous = i
    start = 0
    if matches:
        first = _window(matches, width)
        start = max(0, first - width // 4)
        # Start on a word boundary so the snippet does not open mid-word.
        while 0 < start < first and text[start - 1].isalnum():
            start += 1
    end = min(len(text), start + width)
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    out: list[str] = ["…" if start > 0 else ""]
    position = start
    for m_start, m_end, _ in matches:
        if m_start < start or m_end > end:
            continue
        out.append(html.escape(text[position:m_start]))
        out.append("<mark>" + html.escape(text[m_start:m_end]) + "</mark>")
        position = m_end
    out.append(html.escape(text[position:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
