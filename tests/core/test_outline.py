"""Cutting a post-mortem into its sections for the editor, and putting it back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hindsight.core import outline
from hindsight.core.model import SectionKind
from hindsight.core.outline import PRACTICE, Part
from hindsight.core.parser import parse
from hindsight.core.template import new_postmortem

from ..system import corpus_postmortems

TEXT = """---
title: Queue stuck
---

# Queue stuck

Intro line.

## Summary

It broke.

```
## not a heading inside code
```

### Detail

More.

## Lessons learned

Keep it.
"""


def test_it_keeps_front_matter_head_and_each_top_level_section() -> None:
    cut = outline.split(TEXT)
    assert (cut.front, cut.head, [p.title for p in cut.parts]) == (
        "title: Queue stuck",
        "# Queue stuck\n\nIntro line.",
        ["Summary", "Lessons learned"],
    )


def test_it_leaves_headings_in_code_and_subsections_inside_their_section() -> None:
    summary = outline.split(TEXT).parts[0].body
    assert summary == "It broke.\n\n```\n## not a heading inside code\n```\n\n### Detail\n\nMore."


def test_joining_the_parts_gives_the_text_back() -> None:
    assert outline.join(outline.split(TEXT)) == TEXT


@pytest.mark.parametrize("path", corpus_postmortems(), ids=lambda p: p.name)
def test_every_corpus_post_mortem_reads_the_same_after_split_and_join(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse(outline.join(outline.split(text))) == parse(text)


def test_it_offers_the_six_sections_a_text_lacks_in_the_practices_order() -> None:
    cut = outline.with_practice_sections(outline.split(TEXT))
    kinds = [p.kind for p in cut.parts if p.kind is not SectionKind.LESSONS]
    assert (tuple(kinds), cut.parts[-1].title) == (PRACTICE, "Lessons learned")


def test_an_offered_section_left_empty_is_not_written() -> None:
    assert outline.join(outline.with_practice_sections(outline.split(TEXT))) == TEXT


def test_an_offered_section_that_was_written_in_is_kept() -> None:
    cut = outline.split("# T\n\n## Summary\n\nX.\n")
    offered = outline.with_practice_sections(cut)
    parts = tuple(
        Part(p.title, "Found it.", p.level) if p.placeholder else p for p in offered.parts
    )
    joined = outline.join(outline.Outline(cut.front, cut.head, parts))
    assert [s.title for s in parse(joined).sections][:3] == [
        "Summary",
        "Timeline",
        "Root cause analysis",
    ]


def test_it_knows_the_line_each_section_starts_on() -> None:
    text = new_postmortem({"title": "X"}, dt.date(2026, 3, 3))
    headings = [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("## ")]
    assert outline.part_lines(outline.split(text)) == headings


def test_setting_a_front_matter_value_keeps_its_comment_and_the_other_lines() -> None:
    text = "---\ntitle: X  # what broke\nstatus: draft  # workflow\n---\n\nBody\n"
    assert outline.set_front_value(text, "status", "in_review") == (
        "---\ntitle: X  # what broke\nstatus: in_review  # workflow\n---\n\nBody\n"
    )


def test_setting_a_missing_front_matter_value_adds_it() -> None:
    assert outline.set_front_value("# X\n", "status", "draft") == "---\nstatus: draft\n---\n\n# X\n"
