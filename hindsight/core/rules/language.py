"""Language: blameless and plain."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.registry import Hit, rule

_ABSOLUTE = re.compile(
    r"\b(human error|careless(ness|ly)?|negligen(t|ce|tly)|mistakes? (by|of)|fault of|"
    r"'s fault|at fault|should have known|incompeten\w*|sloppy|lazy|reckless\w*|"
    r"blame[sd]?|screw(ed)? up|messed up|dropped the ball|act of laziness|laziness|"
    r"rookie mistake|didn.?t bother|carelessly)\b"
)  # matched against lower-cased text
_PERSON_VERB = (
    r"(forgot|neglected|didn.?t bother|was careless|messed up|screwed up|ignored|dismiss(ed|es)|"
    r"misjudged|overlooked|was lazy|got lazy|was sloppy|didn.?t care|"
    r"should(?:n.?t)? have (?:tested|checked|known|caught|noticed|asked|waited|read))"
)
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
# Capitalised words before a verb that are not someone to blame: "We should have tested".
_NOT_PEOPLE = frozenset(["we", "i", "you", "they", "it", "this", "that", "there", "which", "who"])
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
    ("dismiss", "dismiss"),
    ("misjudg", "misjudg"),
    ("lazi", "lazi"),
    ("rookie", "rookie mistake"),
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
    # A document built rather than parsed (the customer-facing version) has no source and no
    # line numbers: every line is a candidate.
    built = not context.document.source
    candidates = set() if built else _trigger_lines(context.lowered_source)
    if not candidates and not built:
        return
    names = {name.lower() for name in context.names}
    for line, text in context.lines(preamble=True):
        if (built or line in candidates) and _blames(textutil.plain(text), names):
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
    # Counted from one trigger line to the next: counting from the start for each line was
    # quadratic (a 50 MB document took minutes).
    lines: set[int] = set()
    line, counted = 1, 0
    for start in sorted(start for start, found in checked.items() if found):
        line += source.count("\n", counted, start)
        counted = start
        lines.add(line)
    return lines


def _blames(prose: str, names: set[str]) -> bool:
    """Absolute blame words, or a person or role as the subject of a failure verb."""
    lowered = prose.lower()
    if _ABSOLUTE.search(lowered):
        return True
    for match in _FAILURE_VERB.finditer(lowered):
        # The word before the verb, from a window: splitting all the text before every
        # verb was quadratic on a long line; no name or role is 80 characters long.
        before = prose[max(0, match.start() - 80) : match.start()].split()
        if not before:
            continue
        word = before[-1].strip("\"'(,;:")
        subject = word.lstrip("@").lower()
        if subject in names or subject in _ROLES:
            return True
        # Systems fail and break, but only people forget or neglect: any capitalised name.
        if (
            match.group("person")
            and word[:1].isupper()
            and word[1:].islower()
            and subject not in _NOT_PEOPLE
        ):
            return True
    return False
