"""Snippets: the matched words in <mark>, everything else escaped."""

from __future__ import annotations

from hindsight.core.search import parse_query
from hindsight.core.snippets import snippet


def test_it_marks_other_forms_of_a_word():
    assert "<mark>expired</mark>" in snippet(
        "The certificate expired at night.", parse_query("expire")
    )


def test_it_marks_a_phrase_as_one():
    text = "A payment error, then the payment gateway refused."
    assert snippet(text, parse_query('"payment gateway"')) == (
        "A payment error, then the <mark>payment gateway</mark> refused."
    )


def test_it_marks_words_with_the_prefix():
    assert (
        snippet("Certificates rotate.", parse_query("cert*")) == "<mark>Certificates</mark> rotate."
    )


def test_it_escapes_markup_in_the_document():
    out = snippet('<script>alert("x")</script> certificate', parse_query("certificate"))
    assert out == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>certificate</mark>"


def test_it_escapes_markup_in_a_matched_word_context():
    out = snippet("<img src=x onerror=alert(1)>", parse_query("img"))
    assert "<img" not in out and "&lt;<mark>img</mark> src=x" in out


def test_it_shows_the_part_around_the_match_in_a_long_text():
    text = "filler " * 100 + "the resolver timed out " + "filler " * 100
    out = snippet(text, parse_query("resolver"))
    assert out.startswith("…") and out.endswith("…") and "<mark>resolver</mark>" in out


def test_it_drops_markdown_punctuation():
    assert snippet("## Root cause\n\n- **DNS** | down", parse_query("dns")) == (
        "Root cause <mark>DNS</mark> down"
    )
