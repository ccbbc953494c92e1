import datetime as dt

from hindsight.core.model import SectionKind
from hindsight.core.parser import parse


def kinds(text: str) -> list[SectionKind]:
    return [section.kind for section in parse(text).walk()]


def test_it_recognises_heading_synonyms_at_any_level():
    text = (
        "# Outage\n\n### Impact\n\nx\n\n## Root Cause(s)\n\nx\n\n## Contributing Factors\n\nx\n\n"
        "## Lessons Learned\n\n### What went wrong\n\nx\n\n### Where we got lucky\n\nx\n\n"
        "## Corrective Actions\n\nx\n\n## Follow-ups\n\nx\n"
    )
    assert kinds(text) == [
        SectionKind.IMPACT,
        SectionKind.ROOT_CAUSE,
        SectionKind.ROOT_CAUSE,
        SectionKind.LESSONS,
        SectionKind.IMPROVEMENTS,
        SectionKind.LUCKY,
        SectionKind.ACTION_ITEMS,
        SectionKind.ACTION_ITEMS,
    ]


def test_it_reads_the_hyphenated_root_cause_heading():
    assert kinds("## Root-cause analysis\n\nx\n") == [SectionKind.ROOT_CAUSE]


def test_it_keeps_unknown_sections_with_their_text():
    document = parse("# T\n\n## Summary\n\nx\n\n## Attendees\n\n- Maria\n- Tom\n")
    other = document.sections[1]
    assert (other.kind, other.title, other.text) == (
        SectionKind.OTHER,
        "Attendees",
        "- Maria\n- Tom",
    )


def test_it_reads_front_matter_and_keeps_lines_after_it():
    document = parse("---\ntitle: Checkout\nseverity: SEV2\n---\n\n# Checkout\n\n## Summary\n\nx\n")
    assert document.meta == {"title": "Checkout", "severity": "SEV2"}
    assert (document.title_line, document.sections[0].line) == (6, 8)


def test_bad_front_matter_becomes_a_problem_not_a_crash():
    document = parse("---\ntitle: [unclosed\n---\n\n# T\n\n## Summary\n\nx\n")
    assert document.meta == {}
    assert document.problems[0][0] >= 2
    assert document.sections[0].kind is SectionKind.SUMMARY


def test_it_reads_a_timeline_table_with_who_and_dates():
    text = (
        "# T\n\n## Timeline\n\nAll times in UTC.\n\n"
        "| Date/Time | Who/What | Action |\n|---|---|---|\n"
        "| 2023-02-14 10:29 | Maria | Rolled back |\n"
        "| 2023-02-14 10:45 | Alertmanager | Resolved |\n"
    )
    entries = parse(text).timeline()
    assert [(e.day, e.clock, e.actor, e.text, e.line) for e in entries] == [
        (dt.date(2023, 2, 14), dt.time(10, 29), "Maria", "Rolled back", 9),
        (dt.date(2023, 2, 14), dt.time(10, 45), "Alertmanager", "Resolved", 10),
    ]
    assert parse(text).find(SectionKind.TIMELINE)[0].text == "All times in UTC."


def test_it_carries_dates_from_headings_and_date_lines_to_later_times():
    text = (
        "# T\n\n## Timeline\n\n### 2018-01-18 4:19\n\nFirst noticed.\n\n### 4:27\n\nFound it.\n\n"
        "## Feb 19, 07:13\n\nNext day.\n\n## Action items\n\n- Fix it\n"
    )
    entries = parse(text).timeline()
    assert [(e.day, e.clock, e.text) for e in entries] == [
        (dt.date(2018, 1, 18), dt.time(4, 19), "First noticed."),
        (dt.date(2018, 1, 18), dt.time(4, 27), "Found it."),
        (dt.date(2018, 2, 19), dt.time(7, 13), "Next day."),
    ]


def test_it_reads_bullet_timelines_under_date_lines():
    text = (
        "# T\n\n## Timeline\n\n2019-01-22\n\n- 2:54 PM PST: merged\n\n"
        "2019-01-23\n\n- 4:49 AM: reported\n"
    )
    entries = parse(text).timeline()
    assert [(e.day, e.clock, e.tz, e.text) for e in entries] == [
        (dt.date(2019, 1, 22), dt.time(14, 54), "PST", "merged"),
        (dt.date(2019, 1, 23), dt.time(4, 49), "", "reported"),
    ]


def test_it_reads_an_action_item_bullet_with_its_metadata():
    text = "# T\n\n## Action items\n\n- [ ] Add CPU alerts at 80% — @maria, due 2026-12-01, P1\n"
    item = parse(text).action_items()[0]
    assert (item.owner, item.due, item.priority, item.status, item.line) == (
        "@maria",
        dt.date(2026, 12, 1),
        "P1",
        "open",
        5,
    )


def test_it_reads_action_item_tables_in_any_column_order():
    text = (
        "# T\n\n## Follow-ups\n\n"
        "| Priority | Deadline | Task | Assignee | Status |\n|---|---|---|---|---|\n"
        "| high | 2026-05-01 | Add a latency test | Tom Berg | Done |\n"
    )
    item = parse(text).action_items()[0]
    assert (item.text, item.owner, item.due, item.priority, item.status) == (
        "Add a latency test",
        "Tom Berg",
        dt.date(2026, 5, 1),
        "high",
        "done",
    )


def test_group_headings_mark_items_immediate_or_long_term():
    text = "# T\n\n## Action items\n\n### Immediate\n\n- Roll back\n\n### Long-term\n\n- Redesign\n"
    assert [item.term for item in parse(text).action_items()] == ["immediate", "long-term"]


def test_labelled_lists_are_read_as_sections_when_there_are_no_headings():
    text = (
        "# Incident\n\n- **Key events**\n  - First detected 2020-09-21 18:27\n"
        "  - Resolved 2020-09-21 21:41\n"
        "- **Impact**:\n  - Users could not log in.\n"
    )
    document = parse(text)
    assert [s.kind for s in document.sections] == [SectionKind.TIMELINE, SectionKind.IMPACT]
    assert [e.clock for e in document.timeline()] == [dt.time(18, 27), dt.time(21, 41)]


def test_inline_suppressions_cover_the_next_line_or_the_file():
    document = parse(
        "<!-- hindsight: disable=blame-language -->\nJohn forgot.\n"
        "<!-- hindsight: disable-file=timeline-gap -->\n"
    )
    assert "blame-language" in document.suppressions[2]
    assert document.file_suppressions == frozenset({"timeline-gap"})
