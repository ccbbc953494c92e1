"""Timelines as people write them: their times, days, zones, order, key moments and actors."""

from __future__ import annotations

import datetime as dt

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

HEAD = "# Outage\n\n## Summary\n\nOn 2 March 2026 checkout failed for customers.\n\n"


def entries(timeline: str) -> list[tuple[dt.date | None, dt.time | None, str]]:
    return [(e.day, e.clock, e.text) for e in parse(HEAD + "## Timeline\n\n" + timeline).timeline()]


def fired(rule: str, timeline: str) -> list[tuple[int, str]]:
    report = review(parse(HEAD + "## Timeline\n\n" + timeline), config=Config(enable={rule}))
    return [(f.line, f.message) for f in report.findings]


def test_it_reads_military_times():
    assert entries("- 1625 UTC alert fired\n- 1650 - paged on-call\n") == [
        (None, dt.time(16, 25), "alert fired"),
        (None, dt.time(16, 50), "paged on-call"),
    ]


def test_it_does_not_read_a_year_as_a_military_time():
    assert parse(HEAD + "## History\n\n- 2019 - we moved to Kubernetes\n").timeline() == []


def test_it_reads_entries_separated_by_line_breaks():
    assert entries("14:02 deploy<br>14:09 alert fired<br/>14:52 rolled back\n") == [
        (None, dt.time(14, 2), "deploy"),
        (None, dt.time(14, 9), "alert fired"),
        (None, dt.time(14, 52), "rolled back"),
    ]


def test_date_headings_set_the_day_and_are_not_entries():
    text = "### March 2, 2026\n\n- 23:50 alert fired\n\n### March 3, 2026\n\n- 00:10 rolled back\n"
    assert entries(text) == [
        (dt.date(2026, 3, 2), dt.time(23, 50), "alert fired"),
        (dt.date(2026, 3, 3), dt.time(0, 10), "rolled back"),
    ]


def test_date_lines_set_the_day_and_are_not_entries():
    text = "**Date:** 2026-03-02\n\n- 14:09 alert fired\n\n2026-03-03 (all times UTC)\n\n- 09:00 fixed\n"
    assert [(day, clock) for day, clock, _ in entries(text)] == [
        (dt.date(2026, 3, 2), dt.time(14, 9)),
        (dt.date(2026, 3, 3), dt.time(9, 0)),
    ]


def test_nested_bullets_under_a_day_take_that_day():
    text = "- 3/2\n  - 14:09 alert fired\n    - on-call acknowledged\n- 3/3\n  - 09:00 fixed\n"
    assert entries(text) == [
        (dt.date(2026, 3, 2), dt.time(14, 9), "alert fired on-call acknowledged"),
        (dt.date(2026, 3, 3), dt.time(9, 0), "fixed"),
    ]


def test_it_reads_separate_day_and_time_columns_and_the_zone_in_the_header():
    text = "| Day | Time (UTC) | Event |\n| --- | --- | --- |\n| 2026-03-02 | 14:09 | paged |\n"
    found = parse(HEAD + "## Timeline\n\n" + text).timeline()[0]
    assert (found.day, found.clock, found.tz) == (dt.date(2026, 3, 2), dt.time(14, 9), "UTC")


def test_an_impossible_time_is_reported():
    assert fired("timeline-entry-time", "- 13:55 PM alert fired\n") == [
        (9, "13:55 PM mixes a 24-hour time with AM/PM, so the entry can't be placed in time.")
    ]


def test_a_template_placeholder_time_is_reported_but_an_honest_unknown_is_not():
    text = "| Time | Event |\n| --- | --- |\n| 14:?? | paged |\n| HH:mm | Short event |\n"
    assert [line for line, _ in fired("timeline-entry-time", text)] == [12]


def test_a_time_zone_switch_is_reported():
    text = "- 14:02 UTC deploy\n- 14:09 UTC alert fired\n- 06:31 PST rolled back\n"
    assert [line for line, _ in fired("timeline-time-zone", text)] == [11]


def test_a_bare_hour_among_am_pm_times_is_reported():
    text = "- 11:57 AM discussion\n- 12:08 PM fix merged\n- 1:17 test shared\n"
    assert [line for line, _ in fired("timeline-time-zone", text)] == [11]


def test_order_errors_across_day_markers_are_found():
    text = "### March 3, 2026\n\n- 09:00 fixed\n\n### March 2, 2026\n\n- 14:09 alert fired\n"
    assert [line for line, _ in fired("timeline-order", text)] == [15]


def test_separate_timelines_on_one_page_are_ordered_separately():
    text = (
        HEAD + "## Timeline\n\n- 2026-03-02 14:09 alert fired\n\n## Earlier incident\n\n"
        "### Timeline\n\n- 2025-01-05 10:00 disk filled\n"
    )
    assert review(parse(text), config=Config(enable={"timeline-order"})).findings == []


def test_key_moments_are_read_from_ordinary_wording():
    text = "- 14:09 A user reported failed payments\n- 14:52 Checkout is back online\n"
    assert fired("timeline-key-moments", text) == []


def test_a_missing_restoration_is_reported_at_the_last_entry():
    assert [line for line, _ in fired("timeline-key-moments", "- 14:09 alert fired\n")] == [9]


def test_handles_and_backticked_names_are_actors():
    text = "- 14:09 `alertmanager` paged\n- 14:20 @maria restarted it\n- 14:30 it was restarted\n"
    text += "- 14:40 `deploy-bot` rolled back\n"
    assert fired("timeline-actor", text) == []


def test_a_timeline_in_the_passive_voice_without_actors_is_reported():
    text = "- 14:09 on-call was paged\n- 14:20 the pod was restarted\n- 14:30 it was rolled back\n"
    text += "- 14:40 the incident was closed\n"
    assert [line for line, _ in fired("timeline-actor", text)] == [9]
