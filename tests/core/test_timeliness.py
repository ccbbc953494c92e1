"""When a post-mortem was written, from what the document shows, against when the incident ended."""

from __future__ import annotations

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

BODY = (
    "# Outage\n\n## Summary\n\nOn 2 March 2026 checkout failed.\n\n## Timeline\n\n"
    "- 2026-03-02 14:09 alert fired\n- 2026-03-02 14:52 rolled back\n"
)


def late(text: str, filename: str = "") -> list[tuple[int, str]]:
    config = Config(enable=frozenset({"written-late"}))
    return [
        (f.line, f.message.split(";")[0])
        for f in review(parse(text, filename), config=config, explicit=True).findings
    ]


def test_a_blog_date_in_yaml_front_matter_is_when_it_was_written():
    assert late("---\ndate: 2026-03-20\n---\n" + BODY) == [
        (2, "Written 18 days after the incident was resolved (dated 2026-03-20 by line 2")
    ]


def test_a_date_in_toml_front_matter_is_read():
    assert [line for line, _ in late('+++\ndate = "2026-03-20"\n+++\n' + BODY)] == [2]


def test_a_dated_file_name_after_the_incident_is_when_it_was_written():
    assert late(BODY, "2026-03-09-checkout.md") == [
        (1, "Written 7 days after the incident was resolved (dated 2026-03-09 by the file name")
    ]


def test_a_file_name_dated_by_the_incident_is_not_a_writing_date():
    assert late(BODY, "2026-03-02-checkout.md") == []


def test_a_date_line_at_the_top_is_read():
    assert [
        line for line, _ in late(BODY.replace("# Outage\n", "# Outage\n\nDate: Mar 20, 2026\n"))
    ] == [3]


def test_without_a_timeline_the_summary_gives_the_incident_date():
    text = "# Outage\n\nOn September 9, 2026 we found leaked tokens.\n\n## Response\n\nWe rotated them.\n"
    assert [line for line, _ in late(text, "2026-09-24-tokens.md")] == [1]


def test_a_status_page_incident_date_is_not_a_writing_date():
    text = "---\ndate: 2026-03-02T14:02:00Z\nresolvedWhen: 2026-03-02T14:52:00Z\n---\n" + BODY
    assert late(text) == []
