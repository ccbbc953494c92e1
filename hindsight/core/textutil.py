"""Prose helpers: plain text out of Markdown, sentences, readability, people's names."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from hindsight.core.model import ActionItem, Document, SectionKind, TimelineEntry

_MARKUP = re.compile(r"[\[`<*_~|>#]|^\s*(?:[-+]|\d+[.)])\s|^\s*-{3,}", re.M)
_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])?")
_CODE = re.compile(r"`+[^`]*`+")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|>|#+)\s+|[*_~]{1,3}|^\|?\s*:?-{3,}.*$", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl|mr|ms|dr|no)\.\s", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,:]\d+)*%?")
# "@" first and the look-behind after it: a pattern that starts with a literal lets the regex
# engine jump between "@"s instead of trying every position of the text (20x faster).
_HANDLE = re.compile(r"@(?<![\w/]@)([A-Za-z][\w-]{1,38})")
_CREATED_BY = re.compile(r"(?:created|written|authored) by:?\s*([A-Z][a-z]+(?: [A-Z][a-z]+)+)")


class Caseless:
    """A pattern written in lower case, matched case-insensitively: does `text` have a match?

    re.IGNORECASE makes the regex engine 2-4x slower. Matching the lower-cased text without it
    finds the same, except with the three characters that re.IGNORECASE pairs with an ASCII
    letter and lower() does not turn into it ("İ" lowers to two characters, "ı" and "ſ" stay as
    they are): text with one of those is matched the slow way (tests/core/test_fast_paths.py).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.ignorecase = re.compile(pattern, flags | re.IGNORECASE)
        self._lower = re.compile(pattern, flags)

    def found(self, text: str) -> bool:
        if "İ" in text or "ı" in text or "ſ" in text:
            return self.ignorecase.search(text) is not None
        return self._lower.search(text.lower()) is not None


@functools.lru_cache(maxsize=2048)  # rules read the same lines and items again
def plain(markdown: str) -> str:
    """Markdown to plain prose: links keep their text, code spans and markup go."""
    if not _MARKUP.search(markdown):
        return markdown  # most lines are already plain; skip the five substitutions
    text = _HTML_COMMENT.sub(" ", markdown)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub("code", text)
    text = _TAG.sub(" ", text)
    return _MARK.sub("", text)


def sentences(text: str) -> list[str]:
    """Sentences of plain prose; list items and paragraphs end sentences too."""
    shielded = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\0"), text)
    parts: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", shielded):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            if _WORD.search(sentence):
                parts.append(sentence.replace("\0", "."))
    return parts


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@functools.lru_cache(maxsize=8192)
def syllables(word: str) -> int:
    """English syllables by vowel groups; good enough for a readability estimate."""
    lowered = word.lower().strip("'’-")
    if not lowered.isalpha():
        return 1
    if len(lowered) <= 3:
        return 1
    lowered = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", lowered)
    lowered = re.sub(r"^y", "", lowered)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", lowered)))


def reading_ease(text: str, found: list[str] | None = None) -> float | None:
    """Flesch reading ease (higher is easier; 60-70 is plain English); None for no prose.

    `found` is `sentences(text)` when the caller already has them.
    """
    found = sentences(text) if found is None else found
    tokens = [w for w in words(text) if w[0].isalpha()]
    if not found or len(tokens) < 10:
        return None
    per_sentence = len(tokens) / len(found)
    per_word = sum(syllables(w) for w in tokens) / len(tokens)
    return round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1)


def handles(text: str) -> list[str]:
    return _HANDLE.findall(text)


# A name's word: "Maria", "O'Brien", "Lopez-Garcia"; not "API", "checkout" or "3rd".
_NAME_WORD = re.compile(r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*")


def _add_name(names: set[str], raw: str) -> None:
    # "Incident commander: Maria Lopez" and "Maria Lopez - SRE": the name, not the role.
    value = raw.rsplit(":", 1)[-1].split(" - ")[0].split(" – ")[0].strip().lstrip("@").strip()
    if not value or len(value) < 2 or value.isupper() or looks_like_tool(value):
        return  # initials ("AF"), team codes and tools aren't safely matchable in prose
    names.add(value)
    parts = value.split()
    # Each part of "Maria Lopez" alone is a name too; only when all of them look like names.
    if 1 < len(parts) <= 4 and all(_NAME_WORD.fullmatch(part) for part in parts):
        names.update(part for part in parts if len(part) > 2)


def people_names(
    document: Document,
    items: Sequence[ActionItem] | None = None,
    entries: Sequence[TimelineEntry] | None = None,
) -> frozenset[str]:
    """Names of people the document itself mentions: authors, @handles, owners, actors.

    Pass the document's action items and timeline entries when already collected.
    """
    names: set[str] = set()
    for author in document.meta_list("authors"):
        _add_name(names, re.sub(r"<[^>]*>|\([^)]*\)", "", author))
    people = {item.owner for item in (document.action_items() if items is None else items)}
    people |= {e.actor for e in (document.timeline() if entries is None else entries)}
    for person in people:
        if person and not looks_like_team(person):
            _add_name(names, person)
    names -= {name for name in names if looks_like_tool(name)}
    for section in document.walk():
        if section.kind is SectionKind.OTHER and re.search(
            r"attendees|authors|participants|people", section.title, re.I
        ):
            for block in section.blocks:
                for line in block.text.split("\n"):
                    if re.match(r"\s*[-*+]\s", line):  # list items; table headers aren't names
                        for person in re.sub(r"^\s*[-*+]\s*|\(.*?\)", "", line).split(","):
                            _add_name(names, person)
    for block in document.preamble:
        names.update(m.group(1) for m in _CREATED_BY.finditer(block.text))
    names.update(handles(document.source))  # @handles anywhere: one search of the whole text
    return frozenset(n for n in names if n.lower() not in _NOT_NAMES)


_TEAM = re.compile(
    r"\b(team|squad|group|sre|ops|devops|platform|infra(structure)?|engineering|on-?call|"
    r"support|security|everyone|all|department|guild|crew|tribe)\b|/",
    re.I,
)
_NOT_NAMES = {"here", "channel", "everyone", "all", "team", "oncall", "on-call"}


# What acts on a timeline without being a person: monitors, tools, the platform itself.
_TOOL = re.compile(
    r"\b(?:hindsight|alertmanager|grafana|pagerduty|prometheus|opsgenie|datadog|statuspage|"
    r"sentry|nagios|zabbix|jenkins|github|gitlab|slack|kubernetes|api|monitor\w*|bots?|"
    r"alert\w*|system|status|page|probe|checks?|services?|servers?|cron|jobs?|pipelines?|"
    r"webhooks?|automation|scripts?|incident)\b",
    re.I,
)


def looks_like_tool(actor: str) -> bool:
    """ "Checkout API", "Alertmanager", "Status page" act on timelines but aren't people."""
    return bool(_TOOL.search(actor)) or bool(re.search(r"\b[A-Z]{2,}\b", actor))


def looks_like_team(owner: str) -> bool:
    """ "SRE team", "@org/platform", "Platform" are teams; "@maria", "Maria Lopez" are people."""
    return bool(_TEAM.search(owner))
