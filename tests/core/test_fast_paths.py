"""The reviewer's fast paths find exactly what the plain formulations they replace find.

Each rewritten pattern or pre-check is compared with the straightforward version
on generated text full of the characters that matter (word characters, markup,
case-folding oddities such as "ı", "ſ" and the Kelvin sign, newlines).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.core import items, textutil
from hindsight.core.rules import acronyms, language, moments, specificity, structure, timeline

ALPHABET = "aAsSlLoOiIkK@/_-. ()\n\tıİſK—1é:,"
EXAMPLES = settings(max_examples=400, deadline=None)


def mixed(*pieces: str) -> st.SearchStrategy[str]:
    """Random text from ALPHABET with some of `pieces` (the words that matter) in between."""
    text = st.text(alphabet=ALPHABET, max_size=60)
    return st.lists(st.one_of(text, st.sampled_from(pieces)), max_size=8).map("".join)


MIXED = mixed(
    *("SLO", "slo", "Slo", "SLOs", "(SLO)", "SLO (service level)", "KISS", "ıt"),
    *("@maria", "a@b", "x/@c"),
    *("human error", "forgot", "didn't", "shouldn’t have", "the error", "Blame"),
)


@EXAMPLES
@given(MIXED)
def test_handles_match_the_look_behind_first_pattern(text: str):
    plain_pattern = re.compile(r"(?<![\w/])@([A-Za-z][\w-]{1,38})")
    assert textutil.handles(text) == plain_pattern.findall(text)
    item_handle = re.compile(r"(?<![\w/])@[\w.-]+")
    assert items._HANDLE.sub("", text) == item_handle.sub("", text)


@EXAMPLES
@given(MIXED, st.sampled_from(["SLO", "KISS", "IT", "S3", "AB", "K8S"]))
def test_acronym_checks_match_the_word_boundary_patterns(source: str, acronym: str):
    escaped = re.escape(acronym)
    product = any(m.group(0) != acronym for m in re.finditer(rf"\b{escaped}\b", source, re.I))
    defined = bool(
        re.search(rf"\(\s*{escaped}s?\s*\)", source)
        or re.search(rf"\b{escaped}\s*\((?![A-Z0-9 ]+\))[^)]{{4,}}\)", source)
    )
    assert acronyms._product_name(acronym, source) == product
    assert acronyms._defined(acronym, source) == defined


@EXAMPLES
@given(MIXED)
def test_acronyms_match_the_word_boundary_pattern(text: str):
    plain_pattern = re.compile(r"\b[A-Z](?:[A-Z0-9]{1,4}s?\b|&[A-Z]{1,3}\b)")
    assert acronyms._ACRONYM.findall(text) == plain_pattern.findall(text)


@EXAMPLES
@given(MIXED)
def test_blame_trigger_lines_match_one_scan_of_the_whole_text(text: str):
    source = text.lower()
    expected = {
        source.count("\n", 0, m.start()) + 1 for m in language._BLAME_TRIGGER.finditer(source)
    }
    assert language._trigger_lines(source) == expected


EVERYTHING = "".join(map(chr, range(0x110000)))


def test_caseless_classes_hold_what_ignorecase_matches():
    everything = EVERYTHING
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        assert set(re.findall(char, everything, re.I)) == set(acronyms.ignorecase_chars(char)), char


def test_only_i_and_s_have_case_insensitive_matches_that_lower_keeps_apart():
    """Why a lower-cased piece without "i" or "s" is a safe pre-check for a re.I pattern."""
    everything = EVERYTHING
    for letter in "abcdefghijklmnopqrstuvwxyz":
        odd = {c for c in re.findall(letter, everything, re.I) if c.lower() != letter}
        assert odd == ({"İ", "ı"} if letter == "i" else {"ſ"} if letter == "s" else set()), letter


ITEM = mixed(
    *("long-term", "Short Term", "long term", "preventive", "Preventative"),
    *("IMMEDIATELY", "ımmedıate", "quick fix", "QUICK FIX"),
)


@EXAMPLES
@given(ITEM)
def test_action_item_pre_checks_never_skip_a_match(text: str):
    if items._TERM.search(text):
        assert any(piece in text.lower() for piece in items._TERM_PIECES)


DONE = mixed(
    *(
        "(done)",
        "(Completed 2026-03-01)",
        "— fixed",
        "-- FINISHED",
        ": done",
        "_done_",
        "**Fixed**",
    ),
    *("~~Add alerts~~", "This has been done", "it was fıxed", "ALREADY IN PLACE", "we already do"),
    *("(fınıshed)", "fıxed", "FİXED", "haſ", "thiſ waS"),
)


@EXAMPLES
@given(DONE)
def test_the_done_note_pre_check_never_skips_a_match(text: str):
    assert items._notes_done(text) == bool(items.DONE_NOTE.search(text))


VAGUE = mixed(
    *("something about", "some sort of", "a certain threshold", "some threshold", "tbd", "?"),
    *("prevent similar incidents", "avoid future outages", "stop these issues", "ensure this"),
    *("never", "working diligently", "take the necessary steps", "further measures"),
    *("implement safeguards", "remains stable", "improve monitoring", " "),
)


@EXAMPLES
@given(VAGUE.map(str.lower))
def test_the_vague_wording_pre_checks_never_skip_a_match(text: str):
    if specificity._PLACEHOLDER.search(text):
        assert specificity._has_any(text, specificity._PLACEHOLDER_PIECES)
    if specificity._PROMISE.search(text):
        assert specificity._has_any(text, specificity._PROMISE_PIECES)


ENTRY = mixed(
    *("by @maria", "by Maria", "by maria", "aby Tom", "x/@c", "@ola", "_by X"),
    *("alerted", "paged", "first seen", "restored", "back to normal", "rolled back"),
    *("waiting", "monitored", "next day", "résolved", "\n"),
)


@EXAMPLES
@given(ENTRY)
def test_by_pattern_matches_the_word_boundary_pattern(text: str):
    plain_pattern = re.compile(r"\bby @?[A-Z@`][\w-]*|(?<![\w/])@[A-Za-z][\w-]+")
    assert bool(moments._BY.search(text)) == bool(plain_pattern.search(text))


@EXAMPLES
@given(st.lists(ENTRY.map(str.lower), max_size=6), st.integers(0, 7))
def test_first_entry_is_the_first_text_the_pattern_finds(texts: list[str], begin: int):
    for pattern in (timeline.DETECTION, timeline.RESTORATION):
        expected = next(
            (i for i, text in enumerate(texts) if i >= begin and pattern.search(text)), -1
        )
        assert moments._first_entry(pattern, texts, begin, -1) == expected


def test_lower_cased_text_matches_like_ignorecase_without_three_characters():
    """Why Caseless may match lower-cased text without re.IGNORECASE (outside "İ", "ı", "ſ")."""
    chars = EVERYTHING.translate({ord(c): None for c in "İıſ"})
    lowered = chars.lower()
    assert len(lowered) == len(chars)  # one character each: positions and lengths stay
    for category in (r"\w", r"\d", r"\s", r"\n", r"[^)]", r"[-:.–]"):
        pattern = re.compile(category)
        assert [m.start() for m in pattern.finditer(chars)] == [
            m.start() for m in pattern.finditer(lowered)
        ], category
    for letter in "abcdefghijklmnopqrstuvwxyz":
        by_ignorecase = {m.start() for m in re.finditer(letter, chars, re.I)}
        by_lowering = {m.start() for m in re.finditer(letter, lowered)}
        assert by_ignorecase == by_lowering, letter


@EXAMPLES
@given(mixed("Customers", "USERS", "İmpact", "failed", "FOR ABOUT", "ſervices", "ıt", "5O3"))
def test_caseless_finds_what_ignorecase_finds(text: str):
    for words in (r"\b(users?|services?|impact\w*|fail\w*|it)\b", r"\bfor (about|around)\b"):
        assert textutil.Caseless(words).found(text) == bool(re.search(words, text, re.I))


@EXAMPLES
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="-*+.)/ \t\n1٣tbdcnaoxTBDCNAOXİı", max_size=12),
            st.sampled_from(["- TBD", "1. n/a", "...", "<!-- x -->", "{{ y }}", "<!--", "{{"]),
            st.sampled_from(["\n", "\n\n", "- ", "todo", "xxx", "N/A", "e", "é", "_"]),
        ),
        max_size=8,
    ).map("".join)
)
def test_has_text_matches_removing_the_placeholders(text: str):
    assert structure._has_text(text) == bool(structure._PLACEHOLDER.sub("", text).strip())
