"""Picking timeline events and editing action items as rows: edits to the Markdown."""

from __future__ import annotations

import datetime as dt

from hindsight.core import edits
from hindsight.core.model import ActionItem

AT = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
TIMELINE = """<!-- guidance -->

| Time | Actor | Event |
| --- | --- | --- |
| 2026-03-02 14:09 UTC | Alertmanager | Paged on-call |
| 2026-03-02 14:52 UTC | Maria | Rolled back |"""


def test_a_picked_event_goes_into_the_table_in_time_order() -> None:
    body = edits.add_entry(TIMELINE, at=AT, actor="Sam", text="Found the cause")
    assert body.split("\n")[-2] == "| 2026-03-02 14:30 UTC | Sam | Found the cause |"


def test_an_event_already_in_the_text_is_not_added_twice() -> None:
    once = edits.add_entry(TIMELINE, at=AT, actor="Sam", text="Found the cause")
    assert edits.add_entry(once, at=AT, actor="Sam", text="Found the cause") == once


def test_taking_an_event_out_removes_its_row_only() -> None:
    picked = edits.add_entry(TIMELINE, at=AT, actor="Sam", text="Found the cause")
    assert edits.remove_entry(picked, at=AT, text="Found the cause") == TIMELINE


def test_a_pipe_in_an_event_is_escaped_and_found_again() -> None:
    body = edits.add_entry(TIMELINE, at=AT, actor="Sam", text="a | b")
    assert edits.find_entry(body, at=AT, text="a | b") is not None


def test_an_event_goes_under_the_tables_own_columns() -> None:
    body = "| When | What |\n| --- | --- |\n| 2026-03-02 14:09 UTC | Paged |"
    added = edits.add_entry(body, at=AT, actor="Sam", text="Found it")
    assert added.split("\n")[-1] == "| 2026-03-02 14:30 UTC | Sam: Found it |"


def test_a_timeline_without_a_table_gets_one() -> None:
    assert edits.add_entry("<!-- guidance -->", at=AT, actor="Sam", text="Found it") == (
        "<!-- guidance -->\n\n| Time | Actor | Event |\n| --- | --- | --- |\n"
        "| 2026-03-02 14:30 UTC | Sam | Found it |"
    )


def test_a_bulleted_event_is_taken_out_with_its_continuation_lines() -> None:
    body = "- 2026-03-02 14:30 UTC Sam: Found\n  the cause\n- 2026-03-02 14:52 UTC Rolled back"
    assert (
        edits.remove_entry(body, at=AT, text="Found the cause")
        == "- 2026-03-02 14:52 UTC Rolled back"
    )


def test_action_items_as_rows_become_one_table_and_the_prose_stays() -> None:
    body = "Intro.\n\n- [ ] Fix x — @sam, due 2026-04-01, P2\n- Other thing\n\nNotes after."
    items = edits.action_items(body)
    assert edits.set_action_items(body, items) == (
        "Intro.\n\n| Action | Owner | Due | Priority | Term | Status |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| Fix x | @sam | 2026-04-01 | P2 |  | open |\n"
        "| Other thing |  |  |  |  |  |\n\nNotes after."
    )


def test_a_new_action_item_reads_back_with_every_field() -> None:
    item = ActionItem("Add alert", "@maria", dt.date(2026, 3, 20), "P1", "long-term", "open")
    (read,) = edits.action_items(edits.set_action_items("<!-- guidance -->", [item]))
    assert (read.text, read.owner, read.due, read.priority, read.term, read.status) == (
        "Add alert",
        "@maria",
        dt.date(2026, 3, 20),
        "P1",
        "long-term",
        "open",
    )


def test_a_long_term_sub_heading_sets_the_term_of_the_items_under_it() -> None:
    body = "### Long-term\n\n- Replace the rotation job"
    assert [i.term for i in edits.action_items(body)] == ["long-term"]
