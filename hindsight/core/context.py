"""What rules see: a parsed document plus what several rules derive from it, computed once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from hindsight.core import textutil
from hindsight.core.diagrams import diagram_fence, diagram_label
from hindsight.core.model import ActionItem, Block, Document, Section, SectionKind, TimelineEntry
from hindsight.core.sections import is_narrative


class Context:
    """A document plus what several rules derive from it, computed once."""

    def __init__(
        self,
        document: Document,
        audience: str = "internal",
        acronyms: frozenset[str] = frozenset(),
    ) -> None:
        self.document = document
        self.audience = audience
        self.acronyms = acronyms  # the organisation's own abbreviations, from the config
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value several rules derive from the document, computed by the first to ask."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @functools.cached_property
    def sections(self) -> list[Section]:
        """Every section in document order, nested ones included, flattened once."""
        return list(self.document.walk())

    @functools.cached_property
    def _by_kind(self) -> dict[SectionKind, list[Section]]:
        found: dict[SectionKind, list[Section]] = {}
        for section in self.sections:
            found.setdefault(section.kind, []).append(section)
        return found

    def find(self, kind: SectionKind) -> list[Section]:
        """All sections of one kind, in document order (as `Document.find`, without a walk)."""
        return list(self._by_kind.get(kind, ()))

    @functools.cached_property
    def lowered_source(self) -> str:
        """The whole source text in lower case, for rules that pre-check it."""
        return self.document.source.lower()

    @functools.cached_property
    def items(self) -> list[ActionItem]:
        """The document's action items, collected once for all rules."""
        return self.document.action_items()

    @functools.cached_property
    def entries(self) -> list[TimelineEntry]:
        """The document's timeline entries, collected once for all rules."""
        return self.document.timeline()

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return textutil.people_names(self.document, self.items, self.entries)

    @functools.cached_property
    def summary_section(self) -> Section | None:
        """The document's summary section: the first Summary heading (not a "What happened"
        story), when it opens the document rather than sitting below the timeline."""
        summaries = [s for s in self.find(SectionKind.SUMMARY) if not is_narrative(s.title)]
        if not summaries:
            return None
        first = summaries[0]
        later = (SectionKind.TIMELINE, SectionKind.ROOT_CAUSE)
        opened = [s for s in self.sections if s.kind in later and s.line < first.line]
        return None if opened and self._opening else first

    @functools.cached_property
    def _opening(self) -> list[Block]:
        """Prose before the first heading, without MDX imports and other code-like lines."""
        return [
            b
            for b in self.document.preamble
            if b.kind == "paragraph" and not b.text.lstrip().startswith(("import ", "export "))
        ]

    @functools.cached_property
    def summary_blocks(self) -> list[Block]:
        """The summary's blocks: a Summary section at the top, else the untitled opening prose,
        else the "What happened" story."""
        if self.summary_section is not None:
            return list(self.summary_section.blocks)
        if self._opening:
            return self._opening
        summaries = self.find(SectionKind.SUMMARY)
        return list(summaries[0].blocks) if summaries else []

    def blocks(self, *kinds: SectionKind) -> Iterator[Block]:
        """Blocks of every section of the given kinds (all sections when none given)."""
        for section in self.sections:
            if not kinds or section.kind in kinds:
                yield from section.blocks

    def all_blocks(self) -> Iterator[Block]:
        yield from self.document.preamble
        yield from self.blocks()

    def lines(self, *kinds: SectionKind, preamble: bool = False) -> Iterator[tuple[int, str]]:
        """(line number, text) for prose, timeline entries and action items of those kinds."""
        if preamble:
            for block in self.document.preamble:
                yield from _block_lines(block)
        for section in self.sections:
            if kinds and section.kind not in kinds:
                continue
            for block in section.blocks:
                yield from _block_lines(block)
            for entry in section.entries:
                yield entry.line, " ".join(filter(None, (entry.actor, entry.text)))
            for item in section.items:
                yield item.line, " ".join(filter(None, (item.text, item.owner)))


def _block_lines(block: Block) -> Iterator[tuple[int, str]]:
    if block.kind == "code" and diagram_fence(block.text):
        # A diagram's boxes are prose too: "why: Sam forgot the pool" is blame in any form.
        for offset, text in enumerate(block.text.split("\n")[1:], 1):
            label = diagram_label(text)
            if label:
                yield block.line + offset, label
        return
    if block.kind in {"code", "html"}:
        return
    for offset, text in enumerate(block.text.split("\n")):
        yield block.line + offset, text
