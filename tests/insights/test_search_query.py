"""The search language: what users type becomes an engine query that can't fail."""

from __future__ import annotations

import pytest

from hindsight.core.search import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    QueryError,
    fts5_match,
    parse_query,
    search_text,
)


def test_it_requires_every_word():
    assert fts5_match(parse_query("certificate expiry")) == '"certificate" AND "expiry"'


def test_it_keeps_a_quoted_phrase_together():
    assert fts5_match(parse_query('"payment gateway"')) == '"payment gateway"'


def test_it_reads_a_trailing_star_as_a_prefix():
    assert fts5_match(parse_query("cert*")) == '"cert"*'


def test_it_leaves_out_a_minus_term():
    assert fts5_match(parse_query("dns -staging")) == '("dns") NOT "staging"'


def test_it_joins_two_terms_with_or():
    assert (
        fts5_match(parse_query("dns OR resolver timeout")) == '("dns" OR "resolver") AND "timeout"'
    )


@pytest.mark.parametrize(
    "typed",
    ['NEAR("a" "b")', "title:checkout", "^checkout", "check(out", '"unterminated', "a AND NOT b"],
)
def test_it_never_passes_engine_syntax_through(typed):
    expression = fts5_match(parse_query(typed))
    inside_quotes = expression.replace('"', " ").replace("(", " ").replace(")", " ")
    words = {w for w in inside_quotes.split() if w not in ("AND", "OR", "NOT")}
    assert all(w.rstrip("*").isalnum() for w in words)


def test_it_splits_a_dotted_address_into_a_phrase_of_its_parts():
    assert fts5_match(parse_query("10.0.0.1")) == '"10 0 0 1"'


def test_it_refuses_an_empty_search():
    with pytest.raises(QueryError, match="Type something"):
        parse_query("   ")


def test_it_refuses_a_search_of_punctuation_only():
    with pytest.raises(QueryError, match="no letters or digits"):
        parse_query('(( ")" :: ^*')


def test_it_refuses_a_search_that_only_leaves_out():
    with pytest.raises(QueryError, match="can't only leave words out"):
        parse_query("-staging")


def test_it_refuses_a_search_of_only_common_words():
    with pytest.raises(QueryError, match=r"Only very common words \(the, and\)"):
        parse_query("the and")


def test_it_tells_which_common_words_it_left_out():
    assert parse_query("the checkout").ignored == ("the",)


def test_it_refuses_a_huge_search_with_its_length():
    with pytest.raises(QueryError, match=f"{MAX_QUERY_CHARS + 1} characters long; at most"):
        parse_query("x" * (MAX_QUERY_CHARS + 1))


def test_it_refuses_too_many_terms():
    with pytest.raises(QueryError, match=f"at most {MAX_TERMS}"):
        parse_query(" ".join(f"word{i}" for i in range(MAX_TERMS + 1)))


def test_it_indexes_a_postmortem_without_front_matter_and_guidance():
    markdown = (
        "---\ntitle: x\nstatus: draft\n---\n# Title\n<!-- guidance\nhere -->\nText\n---\nAfter"
    )
    assert search_text(markdown).split() == ["#", "Title", "Text", "---", "After"]
