"""Plain language: abbreviations are spelled out where readers outside the team read.

In the summary and the impact for the internal audience, everywhere in
customer-facing text. Known: everyday and technical abbreviations
(hindsight.core.vocabulary), the organisation's own (`acronyms` in the config),
and those the document defines as "Long Name (ABC)" or "ABC (long name)" or
explains by their kind ("workloads such as KIAM", "the BSC chain").
Product and company names are not abbreviations: written in lower case elsewhere
("NGINX" and "nginx"), in the possessive ("DFDS' usage") or with digits ("EC2").
Nor is what the author didn't write as prose: a line of nothing but capitals
(initials of the people present, a list of names), a quotation (a log line, a
chat message) or markup such as GitHub's `[!NOTE]`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.model import SectionKind
from hindsight.core.registry import Hit, rule
from hindsight.core.vocabulary import KNOWN_ACRONYMS

# \b[A-Z][A-Z0-9]{1,4}s?\b, written to start with the capital (see the note at _product_name).
_ACRONYM = re.compile(r"[A-Z](?<!\w[A-Z])(?:[A-Z0-9]{1,4}s?\b|&[A-Z]{1,3}\b)")


@rule(
    id="undefined-acronym",
    category="plain-language",
    severity="info",
    message="An acronym is used without being spelled out.",
    suggestion='Spell it out on first use: "Container Network Interface (CNI)".',
    options={"known": []},
)
def undefined_acronym(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    # The organisation's own beside the built-in list (not merged: copying it costs more than
    # the rest of the rule on most documents).
    own = context.acronyms | {k.upper() for k in options["known"] if k}
    if context.audience == "public":
        lines = list(context.lines(preamble=True))
    else:
        lines = [
            (b.line + offset, text)
            for b in context.summary_blocks
            for offset, text in enumerate(b.text.split("\n"))
        ] + list(context.lines(SectionKind.IMPACT))
    source = context.document.source
    seen: set[str] = set()
    for line, text in lines:
        prose = textutil.plain(text)
        if _shouting(prose) or not _LOWER_CASE_WORD.search(prose):
            continue
        quoted = _QUOTED.search(prose) and [m.span() for m in _QUOTED.finditer(prose)]
        for match in _ACRONYM.finditer(prose):
            word = match.group(0)
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if base in seen or len(base) < 2 or _known(base, own):
                continue
            if quoted and any(start < match.start() < end for start, end in quoted):
                continue  # someone else's words, not the author's to spell out
            seen.add(base)
            if _part_of_a_name(prose, match) or _defined(base, source) or _possessive(base, source):
                continue
            if _named_by_kind(base, source):
                continue
            if "&" not in base and _product_name(base, source):
                continue
            yield Hit(
                line,
                f'"{base}" isn\'t spelled out; readers outside the team may not know it.',
                f'Write it out on first use, e.g. "<full name> ({base})", or add it to '
                "`acronyms` in hindsight.toml if everyone in the organisation knows it.",
            )


def _known(acronym: str, own: frozenset[str]) -> bool:
    upper = acronym.upper()
    return (
        acronym in KNOWN_ACRONYMS
        or upper in KNOWN_ACRONYMS
        or bool(own)
        and (acronym in own or upper in own)
    )


# A line with no word in lower case (nor Japanese or Chinese) lists initials or names
# ("- EC, AN, SD"): it is not prose.
_LOWER_CASE_WORD = re.compile(r"[a-z]{2}|[\u3040-\u30ff\u4e00-\u9fff]")
# Text in quotation marks: a log line, an error or a chat message quoted as written.
_QUOTED = re.compile(r'"[^"\n]+"|“[^”\n]+”|„[^“”\n]+[“”]')


@functools.lru_cache(maxsize=1024)
def _named_by_kind(acronym: str, source: str) -> bool:
    """Explained by what kind of thing it is: an example of a kind ("workloads such as KIAM",
    "daemonsets (i.e. KIAM)", "pods, including KIAM") or a chain or token ("the BSC chain")."""
    escaped = re.escape(acronym)
    return bool(
        re.search(rf"(?:such as|including|i\.e\.,?|e\.g\.,?|namely)\s+{escaped}(?!\w)", source)
        or re.search(rf"{escaped}(?<!\w{escaped})\s+(?:chain|token|coin|blockchain)s?\b", source)
    )


def _part_of_a_name(prose: str, match: re.Match[str]) -> bool:
    """A version, a path or a code ("R2.11.30", "K8s", "EC2"), or a name in the possessive
    ("DFDS' usage"): not an abbreviation to spell out."""
    word = match.group(0)
    after = prose[match.end() : match.end() + 2]
    before = prose[max(0, match.start() - 1) : match.start()]
    return (
        any(char.isdigit() for char in word)
        or after[:1] in {".", "/", "-", "_"}
        and after[1:2].isalnum()
        or after[:1] in {"'", "’"}
        or before in {".", "/", "-", "_", "$", "#", "!"}  # "[!NOTE]": GitHub markup
    )


@functools.lru_cache(maxsize=1024)
def _possessive(acronym: str, source: str) -> bool:
    """Written in the possessive somewhere ("DFDS' usage", "AWS's limits"): a name."""
    return bool(re.search(rf"{re.escape(acronym)}['’]s?(?![\w'])", source))


def _shouting(prose: str) -> bool:
    """A line written in capitals ("INCIDENT REPORT: REWARD FAILURE") has no acronyms to find."""
    upper = sum(map(str.isupper, prose))
    if upper < 9:
        return False  # fewer than 12 letters, or under 70% capitals: the common case, cheaply
    letters = sum(map(str.isalpha, prose))
    return letters >= 12 and upper > 0.7 * letters


# The acronym patterns begin with the acronym's first letter and check the word boundary before
# it with a look-behind: a pattern that starts with "\b" makes the regex engine try every
# position of the document, one that starts with a letter lets it skip ahead (2-20x faster).
# Acronyms start with a letter (see _ACRONYM), so the look-behind is exactly that "\b".

# What re.IGNORECASE matches for a capital besides itself and its lower case; spelling the
# letters out as classes lets the engine skip ahead on the first one, which it can't under re.I.
_CASE_VARIANTS = {"I": "İı", "K": "\u212a", "S": "ſ"}


def ignorecase_chars(char: str) -> str:
    """Every character `char` matches under re.IGNORECASE, for an ASCII letter or digit."""
    return char + char.lower() + _CASE_VARIANTS.get(char, "") if char.isalpha() else char


@functools.lru_cache(maxsize=1024)
def _product_name(acronym: str, source: str) -> bool:
    """Also written in lower or mixed case ("NGINX" and "nginx"): a name, not an acronym."""
    first, *rest = (f"[{ignorecase_chars(char)}]" for char in acronym)
    pattern = rf"{first}(?<!\w.){''.join(rest)}(?!\w)"  # the same as \bACRONYM\b under re.I
    return any(m.group(0) != acronym for m in re.finditer(pattern, source))


@functools.lru_cache(maxsize=1024)
def _defined(acronym: str, source: str) -> bool:
    """Defined as "Long Name (ABC)" or "ABC (long name)" somewhere in the document."""
    escaped = re.escape(acronym)
    return bool(
        re.search(rf"\(\s*{escaped}s?\s*\)", source)
        or re.search(rf"{escaped}(?<!\w{escaped})\s*\((?![A-Z0-9 ]+\))[^)]{{4,}}\)", source)
    )
