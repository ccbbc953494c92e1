"""Audience versions of a post-mortem: the executive summary and the customer-facing text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.durations import format_duration
from hindsight.core.items import strip_metadata
from hindsight.core.metrics import span
from hindsight.core.model import ActionItem, Block, Document, Section, SectionKind, TimelineEntry
from hindsight.core.rules.disclosure import CHANNEL, EMAIL, HOSTNAME, IPV4, IPV6, URL, internal_host
from hindsight.core.rules.structure import root_cause_sections
from hindsight.core.rules.timeline import CLOSURE, DETECTION, RESTORATION, ordered_moments

AUDIENCES = ("internal", "summary", "public")
_PRIORITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3, "P4": 4, "critical": 0, "urgent": 0}
_PRIORITY_ORDER |= {"high": 1, "medium": 2, "low": 3}


@dataclasses.dataclass(frozen=True)
class KeyTimes:
    """When the incident started, was detected and was resolved, from front matter or timeline."""

    started: dt.datetime | None
    detected: dt.datetime | None
    resolved: dt.datetime | None

    @property
    def time_to_detect(self) -> dt.timedelta | None:
        return span(self.started, self.detected)

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return span(self.started, self.resolved)


def key_times(document: Document) -> KeyTimes:
    """Front matter wins; otherwise the first entry, the first detection, the first restoration."""
    moments = ordered_moments(document.timeline())
    real = [(e, m) for e, m in moments if e.day is not None]

    def first(pattern: re.Pattern[str]) -> dt.datetime | None:
        return next((m for e, m in real if pattern.search(e.text.lower())), None)

    return KeyTimes(
        document.meta_time("started") or (real[0][1] if real else None),
        document.meta_time("detected") or first(DETECTION),
        document.meta_time("resolved") or first(RESTORATION),
    )


def _priority_key(item: ActionItem) -> int:
    return _PRIORITY_ORDER.get(item.priority, 9)


def top_actions(document: Document, limit: int = 5) -> list[ActionItem]:
    """Open items, most urgent first, in document order within a priority."""
    open_items = [item for item in document.action_items() if item.status != "done"]
    return sorted(open_items, key=_priority_key)[:limit]


def executive_summary(document: Document) -> str:
    """One page of Markdown: key facts, the summary, impact, durations and the top actions."""
    meta = document.meta
    title = document.title or str(meta.get("title") or "Post-mortem")
    times = key_times(document)
    facts = [
        ("Severity", str(meta.get("severity") or "not set")),
        ("Services", ", ".join(document.meta_list("services")) or "not listed"),
        ("Started", f"{times.started:%Y-%m-%d %H:%M}" if times.started else "unknown"),
        ("Time to detect", format_duration(times.time_to_detect, unknown="unknown")),
        ("Time to resolve", format_duration(times.time_to_resolve, unknown="unknown")),
    ]
    out = [f"# {title}: executive summary", ""]
    out += [f"- **{name}:** {value}" for name, value in facts] + [""]
    summary = document.find(SectionKind.SUMMARY)
    blocks = (
        summary[0].blocks if summary else [b for b in document.preamble if b.kind == "paragraph"]
    )
    out += ["## Summary", ""] + [b.text + "\n" for b in blocks if b.kind != "html"]
    impact = [b for s in document.find(SectionKind.IMPACT) for b in s.blocks if b.kind != "html"]
    if impact:
        out += ["## Impact", ""] + [b.text + "\n" for b in impact]
    actions = top_actions(document)
    if actions:
        out += ["## Top actions", ""]
        for item in actions:
            details = ", ".join(
                part
                for part in (item.owner, f"due {item.due}" if item.due else "", item.priority)
                if part
            )
            out.append(f"- {strip_metadata(item.text)}" + (f" ({details})" if details else ""))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def redact(text: str, names: frozenset[str]) -> str:
    """Remove what customers must not see: addresses, internal links, channels and people."""

    text = re.sub(r"\[([^\]]+)\]\(([^)]*)\)", _keep_public_link, text)
    text = URL.sub(
        lambda m: "[internal link]" if internal_host(m.group(1), []) else m.group(0), text
    )
    text = IPV4.sub("[internal address]", text)
    text = IPV6.sub("[internal address]", text)
    text = HOSTNAME.sub("[internal system]", text)
    text = EMAIL.sub("[team]", text)
    text = CHANNEL.sub("our incident channel", text)
    text = re.sub(r"(?<![\w/])@[A-Za-z][\w-]+", "an engineer", text)
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", "an engineer", text)
    return text


def _keep_public_link(match: re.Match[str]) -> str:
    """A Markdown link keeps its target only when that is a public web address."""
    target = URL.match(match.group(2))
    return match.group(0) if target and not internal_host(target.group(1), []) else match.group(1)


def public_document(document: Document) -> Document:
    """Customer-relevant content only: summary, impact, key moments, causes, what changes."""
    names = textutil.people_names(document)

    def clean(blocks: list[Block]) -> list[Block]:
        kept = [b for b in blocks if b.kind in {"paragraph", "list", "quote"}]
        return [Block(b.kind, redact(b.text, names), b.line) for b in kept]

    sections: list[Section] = []
    summary = document.find(SectionKind.SUMMARY)
    summary_blocks = summary[0].blocks if summary else document.preamble
    sections.append(Section(SectionKind.SUMMARY, "Summary", 2, clean(summary_blocks)))
    impact = [b for s in document.find(SectionKind.IMPACT) for b in s.blocks]
    if impact:
        sections.append(Section(SectionKind.IMPACT, "Impact", 2, clean(impact)))
    moments = [
        TimelineEntry(e.day, e.clock, redact(e.text, names), "", e.end_clock, e.tz)
        for e in document.timeline()
        if e.clock
        and (DETECTION.search(e.text) or RESTORATION.search(e.text) or CLOSURE.search(e.text))
    ]
    if moments:
        sections.append(Section(SectionKind.TIMELINE, "Timeline", 2, entries=moments))
    causes = clean([b for s in root_cause_sections(Context(document)) for b in s.blocks])
    if causes:  # an analysis still to be written (only a guidance comment) gets no heading
        sections.append(Section(SectionKind.ROOT_CAUSE, "What caused it", 2, causes))
    # Owners, dates and priorities are internal bookkeeping; customers get the change itself.
    items = [ActionItem(redact(strip_metadata(i.text), names)) for i in document.action_items()]
    if items:
        text = "\n".join(f"- {item.text}" for item in items)
        sections.append(
            Section(SectionKind.ACTION_ITEMS, "What we are changing", 2, [Block("list", text)])
        )
    title = redact(document.title or str(document.meta.get("title") or ""), names)
    return Document(meta={}, title=title, sections=sections)
