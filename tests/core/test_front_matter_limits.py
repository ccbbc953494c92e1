"""Front matter that can't be trusted: aliases, impossible dates, deep nesting."""

from __future__ import annotations

import datetime as dt

from hindsight.core.parser import parse

BODY = "# Outage\n\n## Summary\n\nCheckout failed.\n"


def test_it_refuses_a_yaml_alias_and_still_reads_the_body():
    document = parse("---\nowners: &team [maria, tom]\nauthors: *team\n---\n" + BODY)
    assert document.meta == {}
    assert document.problems == [
        (
            3,
            "it uses the YAML alias *team, which Hindsight does not expand (one alias can "
            "stand for millions of values): write the value out",
        )
    ]
    assert [section.title for section in document.sections] == ["Summary"]


def test_it_reads_an_anchor_that_no_alias_uses():
    document = parse("---\nseverity: &sev SEV2\ntitle: '*not an alias*'\n---\n" + BODY)
    assert document.meta == {"severity": "SEV2", "title": "*not an alias*"}
    assert document.problems == []


def test_it_keeps_an_impossible_date_as_text_and_the_other_keys_as_values():
    document = parse("---\nseverity: SEV2\nstarted: 2026-03-02\nwritten: 2026-02-30\n---\n" + BODY)
    assert document.meta == {
        "severity": "SEV2",
        "started": dt.date(2026, 3, 2),
        "written": "2026-02-30",
    }
    assert document.problems == [
        (
            4,
            "'2026-02-30' is not a real date (day is out of range for month), so it is read as text",
        )
    ]


def test_it_reports_year_zero_on_its_line():
    document = parse("---\ntitle: x\nresolved:\n  - 0000-01-01\n---\n" + BODY)
    assert document.meta == {"title": "x", "resolved": ["0000-01-01"]}
    assert document.problems[0][0] == 4
    assert document.problems[0][1].startswith("'0000-01-01' is not a real date")


def test_it_reports_nesting_too_deep_for_the_yaml_reader():
    document = parse("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n" + BODY)
    assert document.meta == {}
    assert document.problems[0][0] == 2
    assert "exceeded maximum nesting depth" in document.problems[0][1]


def test_text_under_a_timestamped_heading_is_joined_into_its_entry():
    document = parse(
        "# Outage\n\n## Timeline\n\n### 14:02\n\nAlert fired.\n\nOn-call  paged.\n\n### 14:09\n\nFix.\n"
    )
    assert [entry.text for entry in document.timeline()] == ["Alert fired. On-call paged.", "Fix."]


def test_the_lines_of_a_long_list_item_are_joined_into_one_item():
    lines = "\n".join(f"  part {n}" for n in range(3))
    document = parse("# Outage\n\n## Action items\n\n- Add alerts\n" + lines + "\n")
    assert [item.text for item in document.action_items()] == ["Add alerts part 0 part 1 part 2"]
