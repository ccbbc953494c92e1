"""parse -> render -> parse gives the same document."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.core.model import ActionItem, Block, Document, Section, SectionKind, TimelineEntry
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.sections import CANONICAL_TITLES

from ..system import corpus_postmortems

WORD = st.sampled_from(
    ["disk", "full", "node", "restarted", "alert", "checkout", "slow", "queue", "we", "the", "api"]
)
TEXT = st.lists(WORD, min_size=1, max_size=8).map(" ".join).map(str.capitalize)
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
CLOCKS = st.times().map(lambda t: t.replace(microsecond=0))
PARAGRAPH = TEXT.map(lambda t: Block("paragraph", t + "."))


@st.composite
def timelines(draw: st.DrawFn) -> list[TimelineEntry]:
    # Days carry forward through the whole document, so all entries have one or none.
    dated = draw(st.shared(st.booleans(), key="dated"))
    entries = []
    for _ in range(draw(st.integers(0, 5))):
        clock = draw(st.none() | CLOCKS)
        entries.append(
            TimelineEntry(
                day=draw(DAYS) if dated else None,
                clock=clock,
                text=draw(TEXT),
                actor=draw(st.sampled_from(["", "Maria", "Alertmanager"])),
                end_clock=draw(st.none() | CLOCKS) if clock else None,
                tz=draw(st.sampled_from(["", "UTC", "CET"])) if clock else "",
            )
        )
    return entries


ITEMS = st.lists(
    st.builds(
        ActionItem,
        text=TEXT,
        owner=st.sampled_from(["", "@maria", "Tom Berg"]),
        due=st.none() | DAYS,
        priority=st.sampled_from(["", "P1", "high"]),
        term=st.sampled_from(["", "immediate", "long-term"]),
        status=st.sampled_from(["", "open", "done"]),
    ),
    max_size=4,
)


@st.composite
def sections(draw: st.DrawFn) -> Section:
    kind = draw(st.sampled_from([*CANONICAL_TITLES, SectionKind.OTHER]))
    title = CANONICAL_TITLES.get(kind, draw(st.sampled_from(["Appendix", "Attendees", "Notes"])))
    section = Section(kind, title, 2, draw(st.lists(PARAGRAPH, max_size=2)))
    if kind is SectionKind.TIMELINE:
        section.entries = draw(timelines())
    if kind is SectionKind.ACTION_ITEMS:
        section.items = draw(ITEMS)
    return section


DOCUMENTS = st.builds(
    Document,
    meta=st.fixed_dictionaries(
        {},
        optional={
            "title": TEXT,
            "severity": st.sampled_from(["SEV1", "SEV2"]),
            "services": st.lists(WORD, max_size=3),
            "written": DAYS,
        },
    ),
    title=TEXT,
    preamble=st.lists(PARAGRAPH, max_size=1),
    sections=st.lists(sections(), max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_render_then_parse_gives_the_same_document(document: Document) -> None:
    assert parse(render(document)) == document


LINES = st.sampled_from(
    [
        "# Title",
        "## Summary",
        "## Timeline",
        "### 14:02",
        "## Action items",
        "### Long-term",
        "## Notes",
        "Some prose here.",
        "2024-03-13",
        "- 10:29 UTC: alert fired",
        "- [ ] Add alerts at 80% — @maria, due 2026-12-01, P1",
        "- plain bullet",
        "| Time | Event |",
        "| --- | --- |",
        "| 2024-03-13 10:01 | Node down |",
        "<!-- a comment -->",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=25).map("\n".join))
def test_rendering_any_parsed_text_is_stable(text: str) -> None:
    parsed = parse(text)
    assert parse(render(parsed)) == parsed


def test_every_corpus_document_survives_the_round_trip() -> None:
    for path in corpus_postmortems():
        parsed = parse(path.read_text(encoding="utf-8"))
        assert parse(render(parsed)) == parsed, path.name
