"""The summary, the report's header, the title and the timeline must tell one story."""

from __future__ import annotations

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

TIMELINE = "## Timeline\n\n- 2026-03-02 14:09 alert fired\n- 2026-03-02 14:52 rolled back\n"


def disagreements(text: str) -> list[tuple[int, str]]:
    config = Config(enable=frozenset({"summary-consistency"}))
    return [(f.line, f.message) for f in review(parse(text), config=config, explicit=True).findings]


def test_a_summary_date_far_from_the_title_date_is_reported():
    text = (
        "# Outage on 2 March 2026\n\n## Summary\n\nOn 12 March 2026 checkout failed.\n\n" + TIMELINE
    )
    assert disagreements(text) == [
        (5, "The summary gives 2026-03-12, but the title dates the incident 2026-03-02.")
    ]


def test_a_summary_that_agrees_with_the_title_is_fine():
    text = (
        "# Outage on 2 March 2026\n\n## Summary\n\nOn 2 March 2026 checkout failed.\n\n" + TIMELINE
    )
    assert disagreements(text) == []


def test_a_summary_date_outside_the_timeline_is_reported():
    text = "# Outage\n\n## Summary\n\nOn 12 March 2026 checkout failed.\n\n" + TIMELINE
    assert disagreements(text) == [
        (5, "The summary gives 2026-03-12, but the timeline runs from 2026-03-02 to 2026-03-02.")
    ]


def test_a_report_date_its_own_timeline_contradicts_is_reported():
    text = (
        "# Reports\n\n## Disk full\n\n**Date:** 26/11/2025\n\n### Timeline\n\n"
        "- 2025-01-01 04:50 alert fired\n- 2025-01-01 05:00 disk cleaned up\n"
    )
    assert [line for line, _ in disagreements(text)] == [9]


def test_a_header_time_the_table_puts_on_another_day_is_reported():
    text = (
        "## Payout failure\n## Date: December 15, 2022\n## Time: 00:50:10 UTC\n## Details\n\n"
        "Payouts went to the wrong address.\n\n## Affected\n\n| Owner | Amount | Time of Incident |\n"
        "| --- | --- | --- |\n| a | 4.4 | 16/12/2022 00:50:10 |\n| b | 2.3 | 16/12/2022 02:59:44 |\n"
    )
    assert disagreements(text) == [
        (
            2,
            "The report is dated 2022-12-15 at 00:50, but the table and timeline put 00:50 on "
            "2022-12-16.",
        )
    ]


def test_a_summary_duration_the_front_matter_contradicts_is_reported():
    text = (
        "---\nstarted: 2026-03-02 14:02:00\nresolved: 2026-03-02 14:52:00\n---\n# Outage\n\n"
        "## Summary\n\nOn 2 March 2026 checkout failed for 3 hours.\n\n" + TIMELINE
    )
    assert [message for _, message in disagreements(text)] == [
        "The summary says it lasted 3 hours, but the front matter's start and end are 50 minutes "
        "apart."
    ]
