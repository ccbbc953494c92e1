"""Language: blameless and plain."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.model import SectionKind
from hindsight.core.registry import Hit, rule

_ABSOLUTE = re.compile(
    r"\b(human error|careless(ness|ly)?|negligen(t|ce|tly)|mistakes? (by|of)|fault of|"
    r"'s fault|at fault|should have known|incompeten\w*|sloppy|lazy|reckless\w*|"
    r"blame[sd]?|screw(ed)? up|messed up|dropped the ball)\b"
)  # matched against lower-cased text
_PERSON_VERB = r"(forgot|neglected|didn.?t bother|was careless|messed up|screwed up|ignored)"
_NAME_VERB = (
    r"(failed to|should have|shouldn.?t have|didn.?t (check|notice|test|read|follow|think)|"
    r"broke|overlooked|misconfigured|made (a|an|the) (mistake|error))"
)
# Who can be blamed: a name from the document or one of these words, as the word before the verb.
_ROLES = frozenset(
    [
        "he",
        "she",
        "someone",
        "somebody",
        "engineer",
        "developer",
        "operator",
        "admin",
        "administrator",
        "intern",
        "on-call",
        "oncall",
        "contractor",
        "hire",
        "dev",
        "sre",
    ]
)
_FAILURE_VERB = re.compile(rf"(?<=\s)(?:(?P<person>{_PERSON_VERB})|{_NAME_VERB})\b")  # lower-case
# Words blame needs (matched against lower-cased text; a superset of the checks), each with
# a piece of plain text that every match of it contains: `str.find` skips text without any
# piece several times faster than the regex scans it.
_TRIGGERS = (
    ("forgot", "forgot"),
    ("failed to", "failed to"),
    ("should", r"should(?:n.?t)? have"),
    ("neglect", "neglect"),
    ("bother", "bother"),
    ("careless", "careless"),
    ("messed", "messed"),
    ("screw", "screw"),
    ("ignored", "ignored"),
    ("broke", "broke"),
    ("overlook", "overlook"),
    ("misconfig", "misconfig"),
    ("mistake", "mistake"),
    ("error", r"(?:human|operator|user|an|the) error"),
    ("fault", "fault"),
    ("negligen", "negligen"),
    ("incompeten", "incompeten"),
    ("sloppy", "sloppy"),
    ("lazy", "lazy"),
    ("reckless", "reckless"),
    ("blame", "blame"),
    ("dropped the ball", "dropped the ball"),
    ("didn", r"didn.?t"),
)
_BLAME_TRIGGER = re.compile("|".join(pattern for _, pattern in _TRIGGERS))
_TRIGGER_PIECES = tuple(piece for piece, _ in _TRIGGERS)
# \b[A-Z][A-Z0-9]{1,4}s?\b, written to start with the capital (see the note at _product_name).
_ACRONYM = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z0-9]{1,4}s?\b")
KNOWN_ACRONYMS = frozenset(
    [
        "AM",
        "PM",
        "UTC",
        "GMT",
        "CET",
        "CEST",
        "PST",
        "PDT",
        "EST",
        "EDT",
        "BST",
        "IST",
        "US",
        "UK",
        "EU",
        "API",
        "CPU",
        "GPU",
        "RAM",
        "DNS",
        "HTTP",
        "HTTPS",
        "URL",
        "IP",
        "ID",
        "IT",
        "OK",
        "SQL",
        "SSH",
        "TLS",
        "SSL",
        "VPN",
        "JSON",
        "HTML",
        "CSS",
        "PDF",
        "CEO",
        "CTO",
        "FAQ",
        "OS",
        "DB",
        "TV",
        "PC",
        "USB",
        "GB",
        "MB",
        "TB",
        "KB",
        "CI",
        "CD",
        "PR",
        "UI",
        "UX",
        "AWS",
        "GCP",
        "SMS",
        "IO",
        "TODO",
        "TL",
        "DR",
        "TLDR",
    ]
)


@rule(
    id="blame-language",
    category="blame",
    severity="error",
    message="This wording blames a person rather than the system. Blame makes people hide "
    "mistakes, and the next post-mortem gets less honest.",
    suggestion="Describe what in the system allowed it: \"The log-checking step wasn't "
    'documented" instead of "John forgot to check the logs".',
)
def blame_language(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    # The few lines with a word blame needs are found in the whole lower-cased text; only
    # those get the line checks (a search per line was a third of the review time).
    candidates = _trigger_lines(context.lowered_source)
    if not candidates:
        return
    names = {name.lower() for name in context.names}
    for line, text in context.lines(preamble=True):
        if line in candidates and _blames(textutil.plain(text), names):
            yield Hit(line)


def _trigger_lines(source: str) -> set[int]:
    """Numbers (1-based) of the lines of lower-cased `source` with a blame trigger."""
    checked: dict[int, bool] = {}  # line start offset -> has a trigger
    for piece in _TRIGGER_PIECES:
        at = source.find(piece)
        while at != -1:
            start = source.rfind("\n", 0, at) + 1
            end = source.find("\n", at)
            end = len(source) if end == -1 else end
            if start not in checked:  # no trigger spans lines: search the line alone
                checked[start] = _BLAME_TRIGGER.search(source, start, end) is not None
            at = source.find(piece, end)
    return {source.count("\n", 0, start) + 1 for start, found in checked.items() if found}


def _blames(prose: str, names: set[str]) -> bool:
    """Absolute blame words, or a person or role as the subject of a failure verb."""
    lowered = prose.lower()
    if _ABSOLUTE.search(lowered):
        return True
    for match in _FAILURE_VERB.finditer(lowered):
        before = prose[: match.start()].split()
        if not before:
            continue
        word = before[-1].strip("\"'(,;:")
        subject = word.lstrip("@").lower()
        if subject in names or subject in _ROLES:
            return True
        # Systems fail and break, but only people forget or neglect: any capitalised name.
        if match.group("person") and word[:1].isupper() and word[1:].islower():
            return True
    return False


@rule(
    id="undefined-acronym",
    category="plain-language",
    severity="info",
    message="An acronym is used without being spelled out.",
    suggestion='Spell it out on first use: "Container Network Interface (CNI)".',
    options={"known": []},
)
def undefined_acronym(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    known = KNOWN_ACRONYMS | {k.upper() for k in options["known"] if k}
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
        for match in _ACRONYM.finditer(prose):
            word = match.group(0)
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if base in known or base in seen or len(base) < 2:
                continue
            seen.add(base)
            if _defined(base, source) or _product_name(base, source):
                continue
            yield Hit(
                line,
                f'"{base}" isn\'t spelled out; readers outside the team may not know it.',
                f'Write it out on first use, e.g. "<full name> ({base})".',
            )


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
