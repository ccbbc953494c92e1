"""Length and timeliness: readable in one sitting, written while memories are fresh."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import incident
from hindsight.core.context import Context
from hindsight.core.items import tracked
from hindsight.core.registry import Hit, rule


def word_count(context: Context) -> int:
    """Words readers must read: prose and action items. The timeline is reference (read when
    needed, scanned otherwise) and code and logs are evidence, so neither counts."""
    texts = [b.text for b in context.all_blocks() if b.kind not in {"code", "html"}]
    texts += [i.text for i in context.items]
    # Tokens with a letter or digit at either end: markup such as "|" or "-" doesn't count.
    return sum(1 for t in "\n".join(texts).split() if t[0].isalnum() or t[-1].isalnum())


@rule(
    id="document-length",
    category="length",
    severity="warning",
    message="The document is too long to be read in one sitting.",
    suggestion="Keep the post-mortem to about four pages: move logs, runbook steps and release "
    "lists to an appendix or a linked page.",
    options={"max_words": 2000},
)
def document_length(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    # Judged on its own: a summary at the top doesn't make ten pages short. A thin document
    # shows in the parts it lacks, so only length is checked here.
    count = word_count(context)
    if count > options["max_words"]:
        yield Hit(
            context.document.title_line or 1,
            f"The document has {count} words (over {options['max_words']}, about four pages); "
            "most readers will stop before the end.",
        )


@rule(
    id="written-late",
    category="timeliness",
    severity="warning",
    message="The post-mortem was written long after the incident was resolved.",
    suggestion="Write the post-mortem within 48 hours of resolution, while details are fresh.",
    options={"hours": 48},
)
def written_late(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    document = context.document
    when = incident.written(document, document.filename)
    if when is None:
        return
    stated = document.meta_time("written")
    resolved = incident.incident_times(document).resolved
    if stated and resolved:
        hours = (stated - resolved).total_seconds() / 3600
    else:
        end = resolved.date() if resolved else incident.incident_end(document)
        if end is None:
            return
        hours = (when.day - end).days * 24.0
    if hours > options["hours"]:
        late = f"{hours:.0f} hours" if hours < 96 else f"{hours / 24:.0f} days"
        source = "the file name" if when.line == 0 else f"line {when.line}"
        yield Hit(
            max(1, when.line),
            f"Written {late} after the incident was resolved (dated {when.day} by {source}; "
            f"more than {options['hours']} hours); memories and chat logs fade fast, and "
            "details get lost.",
        )


@rule(
    id="review-date-missing",
    category="timeliness",
    severity="info",
    message="Open action items have no tracker link and there is no follow-up `review_date`, so "
    "nobody is reminded to check that they were done.",
    suggestion="Link each item to its issue, or add `review_date: YYYY-MM-DD` to the front "
    "matter, a few weeks out.",
    default=False,
)
def review_date_missing(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    if context.document.meta.get("review_date"):
        return
    untracked = [i for i in context.items if i.status != "done" and not tracked(i)]
    if untracked:
        yield Hit(1)
