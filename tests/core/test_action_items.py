"""Action items as people write them: what is done, who owns it, by when, how urgent, where."""

from __future__ import annotations

import datetime as dt

import pytest

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

HEAD = "# Outage\n\n## Summary\n\nOn 2 March from 14:02 to 14:52 checkout failed for customers.\n\n"


def open_items(text: str) -> list[str]:
    return [item.text for item in parse(HEAD + text).action_items() if item.status != "done"]


def incomplete(text: str) -> list[tuple[int, str]]:
    config = Config(enable=frozenset({"action-item-incomplete"}))
    return [(f.line, f.message) for f in review(parse(HEAD + text), config=config).findings]


@pytest.mark.parametrize(
    "item",
    [
        "[x] Raise the pool size to 200",
        "✅ Raise the pool size to 200",
        "☑ Raise the pool size to 200",
        "Raise the pool size to 200 ✔",
        "Raise the pool size to 200 (done)",
        "Raise the pool size to 200 — done",
        "~~Raise the pool size to 200~~",
        "Raised the pool size to 200",
        "We added a pool-size alert at 150 connections",
    ],
)
def test_it_reads_completed_work_as_done(item: str):
    assert open_items(f"## Action items\n\n- {item}\n") == []


def test_it_reads_items_under_a_completed_heading_as_done():
    text = "## Immediate actions (completed)\n\n- Raise the pool size to 200\n"
    assert open_items(text) == []


def test_it_reads_a_status_column_as_done():
    text = (
        "## Action items\n\n| Action | Status |\n| --- | --- |\n| Raise the pool to 200 | Done |\n"
    )
    assert open_items(text) == []


def test_it_keeps_open_items_open():
    text = "## Action items\n\n- [ ] Raise the pool size to 200\n- Add a pool alert at 150\n"
    assert open_items(text) == ["Raise the pool size to 200", "Add a pool alert at 150"]


def test_nested_bullets_are_the_items_detail_not_items():
    text = "## Action items\n\n- Add a pool alert at 150\n  - see the pool dashboard\n  - page on-call\n"
    assert len(parse(HEAD + text).action_items()) == 1


def test_bullets_under_a_bare_label_are_the_items():
    text = "## Action items\n\n- Checkout\n  - Add a pool alert at 150\n  - Raise the pool to 200\n"
    assert open_items(text) == ["Add a pool alert at 150", "Raise the pool to 200"]


@pytest.mark.parametrize(
    ("item", "priority"),
    [
        ("**HIGH** Add a pool alert at 150", "high"),
        ("High: Add a pool alert at 150", "high"),
        ("Add a pool alert at 150 (high priority)", "high"),
        ("Add a pool alert at 150, priority: low", "low"),
        ("Add a pool alert at 150 [P2]", "P2"),
    ],
)
def test_it_reads_priorities_as_people_write_them(item: str, priority: str):
    found = parse(HEAD + f"## Action items\n\n- {item}\n").action_items()
    assert found[0].priority == priority


def test_items_take_the_deadline_and_priority_of_their_heading():
    text = "## Action items\n\n### P1 — by Q3 2026\n\n- Add a pool alert at 150 — @maria\n"
    item = parse(HEAD + text).action_items()[0]
    assert (item.due, item.priority, incomplete(text)) == (dt.date(2026, 9, 30), "P1", [])


def test_it_reads_an_owner_after_a_dash():
    item = parse(HEAD + "## Action items\n\n- Add a pool alert — Maria Lopez, due 2026-04-01\n")
    assert item.action_items()[0].owner == "Maria Lopez"


def test_one_finding_per_item_lists_everything_it_lacks():
    assert incomplete("## Action items\n\n- Add a pool alert at 150 connections\n") == [
        (9, '"Add a pool alert at 150 connections" has no owner, no deadline and no priority.')
    ]


def test_an_item_linked_to_its_tracker_issue_is_complete():
    text = "## Action items\n\n- Add a pool alert at 150 ([#4812](https://git.example/x/issues/4812))\n"
    assert incomplete(text) == []


def test_it_finds_items_under_a_bold_label_outside_an_action_items_heading():
    text = "## Root cause\n\n- The pool was too small.\n\n**Actions planned:**\n\n- Raise the pool to 200\n"
    assert open_items(text) == ["Raise the pool to 200"]


def test_it_finds_promises_in_prose_when_nothing_is_listed():
    text = (
        "## What we learned\n\nThe pool was sized for last year's traffic. Going forward, we will "
        "review pool sizes every quarter.\n"
    )
    assert open_items(text) == ["Going forward, we will review pool sizes every quarter."]


def test_it_finds_a_follow_up_filed_in_a_tracker():
    text = "## Resolution\n\nWe raised the pool. A load test is tracked in #4812.\n"
    assert open_items(text) == ["A load test is tracked in #4812."]


def test_prose_in_an_action_items_section_is_read_for_what_it_asks():
    text = "## Action items\n\nThe bug will be fixed in the next release. We had a long day.\n"
    assert open_items(text) == ["The bug will be fixed in the next release."]


def test_a_document_without_any_follow_up_has_no_action_items():
    config = Config(enable=frozenset({"action-items-none"}))
    report = review(parse(HEAD + "## Root cause\n\n- The pool was too small.\n"), config=config)
    assert [f.message for f in report.findings] == [
        "There are no action items: nothing is assigned, so nothing will change."
    ]
