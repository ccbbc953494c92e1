"""The reviewer's fast paths find exactly what the plain formulations they replace find.

Each rewritten pattern or pre-check is compared with the straightforward version
on generated text full of the characters that matter (word characters, markup,
case-folding oddities such as "ı", "ſ" and the Kelvin sign, newlines).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.core import textutil
from hindsight.core.rules import language

ALPHABET = "aAsSlLoOiIkK@/_-. ()\n\tıİſK—1é:,"
TEXT = st.text(alphabet=ALPHABET, max_size=60)
PIECES = st.sampled_from(
    [
        "SLO",
        "slo",
        "Slo",
        "SLOs",
        "@maria",
        "a@b",
        "x/@c",
        "(SLO)",
        "SLO (service level)",
        "human error",
        "forgot",
        "didn't",
        "shouldn’t have",
        "the error",
        "Blame",
        "KISS",
        "ıt",
    ]
)
MIXED = st.lists(st.one_of(TEXT, PIECES), max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(MIXED)
def test_handles_match_the_look_behind_first_pattern(text: str):
    plain_pattern = re.compile(r"(?<![\w/])@([A-Za-z][\w-]{1,38})")
    assert textutil.handles(text) == plain_pattern.findall(text)


@settings(max_examples=400, deadline=None)
@given(MIXED, st.sampled_from(["SLO", "KISS", "IT", "S3", "AB"]))
def test_acronym_checks_match_the_word_boundary_patterns(source: str, acronym: str):
    escaped = re.escape(acronym)
    product = any(m.group(0) != acronym for m in re.finditer(rf"\b{escaped}\b", source, re.I))
    defined = bool(
        re.search(rf"\(\s*{escaped}s?\s*\)", source)
        or re.search(rf"\b{escaped}\s*\((?![A-Z0-9 ]+\))[^)]{{4,}}\)", source)
    )
    assert language._product_name(acronym, source) == product
    assert language._defined(acronym, source) == defined


@settings(max_examples=400, deadline=None)
@given(MIXED)
def test_blame_trigger_lines_match_one_scan_of_the_whole_text(text: str):
    source = text.lower()
    expected = {
        source.count("\n", 0, m.start()) + 1 for m in language._BLAME_TRIGGER.finditer(source)
    }
    assert language._trigger_lines(source) == expected
