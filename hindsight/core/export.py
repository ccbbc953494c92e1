"""A post-mortem for an audience, as Markdown, printable HTML or JSON.

The audiences are those of `hindsight render`: the full internal text, the
one-page executive summary and the customer-facing version (core.audience).
The customer-facing version is checked with the disclosure rules after
redaction; anything they still find refuses the export instead of leaking it.
`hindsight render` and the web app's exports both go through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from hindsight.core import audience as audiences
from hindsight.core import textutil
from hindsight.core.config import Config
from hindsight.core.html import html_page, markdown_to_html
from hindsight.core.model import Document
from hindsight.core.parser import parse
from hindsight.core.render import entry_time, render
from hindsight.core.review import REGISTRY, Finding, review

# "full" is what the web app calls the internal version.
AUDIENCES = ("full", "summary", "public")
_ALIASES = {"full": "internal", "internal": "internal", "summary": "summary", "public": "public"}


class DisclosureError(ValueError):
    """The customer-facing version would still disclose internal details or blame a person."""

    def __init__(self, leaks: list[Finding]) -> None:
        super().__init__("the public version would disclose internal details or blame a person")
        self.leaks = leaks


# What must never reach customers: internal details, and wording that blames a person.
CUSTOMER_CHECKS = frozenset({"disclosure", "blame"})


def disclosure_only() -> Config:
    """A review configuration that runs only the checks a customer-facing text must pass."""
    return Config(enable=frozenset(r.id for r in REGISTRY if r.category in CUSTOMER_CHECKS))


def strip_front_matter(markdown: str) -> str:
    """Markdown without its YAML front matter (HTML readers don't want raw YAML)."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            return markdown[end + 5 :]
    return markdown


def public_markdown(document: Document, names: Collection[str] = ()) -> str:
    """The redacted customer-facing Markdown; DisclosureError when a leak survives.

    `names`: people to redact besides those the document mentions (who took part).
    """
    known = textutil.people_names(document) | frozenset(names)
    public = audiences.public_document(document, known)
    leaks = [
        finding
        for finding in review(public, audience="public", config=disclosure_only()).findings
        if finding.category in CUSTOMER_CHECKS
    ]
    if leaks:
        raise DisclosureError(leaks)
    return render(public)


def audience_markdown(text: str, audience: str, names: Collection[str] = ()) -> str:
    """The Markdown for an audience: the text itself, the summary or the public version."""
    kind = _ALIASES[audience]
    if kind == "summary":
        return audiences.executive_summary(parse(text))
    if kind == "public":
        return public_markdown(parse(text), names)
    return text


def title_of(document: Document, fallback: str = "Post-mortem") -> str:
    return document.title or str(document.meta.get("title") or fallback)


def audience_html(
    text: str, audience: str, fallback_title: str = "Post-mortem", names: Collection[str] = ()
) -> str:
    """A self-contained printable HTML page for an audience (sanitised, no outside files)."""
    markdown = audience_markdown(text, audience, names)
    return html_page(title_of(parse(markdown), fallback_title), strip_front_matter(markdown))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def audience_json(text: str, audience: str, names: Collection[str] = ()) -> dict[str, Any]:
    """The version for an audience as data: sections, timeline and action items."""
    markdown = audience_markdown(text, audience, names)
    document = parse(markdown)
    kind = _ALIASES[audience]
    return {
        "audience": "full" if kind == "internal" else kind,
        "title": title_of(document),
        "meta": _plain(document.meta) if kind == "internal" else {},
        "sections": [
            {
                "kind": section.kind.value,
                "title": section.title,
                "html": markdown_to_html(section.text),
            }
            for section in document.walk()
        ],
        "timeline": [
            {"time": entry_time(entry), "actor": entry.actor, "text": entry.text}
            for entry in document.timeline()
        ],
        "action_items": [
            {
                "text": item.text,
                "owner": item.owner if kind != "public" else "",
                "due": item.due.isoformat() if item.due else item.due_text or None,
                "priority": item.priority,
                "term": item.term,
                "status": item.status,
            }
            for item in document.action_items()
        ],
        "markdown": markdown,
    }
