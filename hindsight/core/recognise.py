"""Is this file a post-mortem? What the reviewer asks of a file it found in a folder.

A file the user names is always reviewed, and so is one whose front matter can't
be read (`core.review`); a file found in a folder is reviewed when it reads like
an incident report, so a README beside the reports is left
alone. Teams write post-mortems in many shapes (a status-page note, a blog post,
a report in Japanese), so any one of these is enough:

* two of the practice's sections (summary, timeline, causes, ...);
* incident front matter (`incident`, `severity`, `started`, `resolvedWhen`, ...);
* a title or first heading that names an incident, outage or failure;
* one of the practice's sections, or a timeline of three timed entries, in a
  text that speaks of an incident.
"""

from __future__ import annotations

import re

from hindsight.core.model import Document, SectionKind

INCIDENT_KEYS = frozenset(
    ["incident", "severity", "started", "resolved", "detected", "resolvedwhen", "affected"]
)
# Words that name an incident, in the languages post-mortems in the wild are written in.
_INCIDENT_WORDS = re.compile(
    r"\b(incidents?|outages?|post-?mortems?|postmortems?|retrospective|root cause|downtime|"
    r"disruption|degradation|degraded|failures?|failed|breach|vulnerabilit(y|ies)|exploit\w*|"
    r"halt(ed)?|crash(ed|es)?|unavailable|not available|down|error rate|"
    r"störung|ausfall|panne|incidente|caída|interrupción)\b"
    r"|障害|故障|事故|不具合|停止|宕机|事件|中断",
    re.IGNORECASE,
)
_MIN_WORDS = 30


def _words(document: Document) -> int:
    blocks = list(document.preamble) + [b for s in document.walk() for b in s.blocks]
    count = sum(len(b.text.split()) for b in blocks if b.kind not in {"code", "html"})
    # Text without spaces between words (Japanese, Chinese) counts by characters.
    cjk = sum(len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", b.text)) for b in blocks)
    return count + cjk // 2 + len(document.timeline())


def _headline(document: Document) -> str:
    first = next(iter(document.walk()), None)
    return " ".join(
        [str(document.meta.get("title", "")), document.title, first.title if first else ""]
    )


def is_postmortem(document: Document) -> bool:
    """Whether a file found in a folder reads like an incident report (see the module doc)."""
    kinds = {s.kind for s in document.walk()} - {SectionKind.OTHER}
    if len(kinds) >= 2:
        return True
    if INCIDENT_KEYS & {str(key).lower() for key in document.meta}:
        return True
    if _words(document) < _MIN_WORDS:
        return False
    if _INCIDENT_WORDS.search(_headline(document)):
        return True
    timed = sum(entry.clock is not None for entry in document.timeline())
    return (bool(kinds) or timed >= 3) and bool(_INCIDENT_WORDS.search(document.source))
