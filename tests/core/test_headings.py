"""Headings read for their meaning, and files recognised as post-mortems however they look."""

from __future__ import annotations

import pytest

from hindsight.core.model import SectionKind
from hindsight.core.parser import parse
from hindsight.core.recognise import is_postmortem
from hindsight.core.sections import classify

K = SectionKind


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Timeline of events", K.TIMELINE),
        ("Timeline - May 29, 2021", K.TIMELINE),
        ("Root cause of the outage", K.ROOT_CAUSE),
        ("How did this happen?", K.ROOT_CAUSE),
        ("What worked", K.WENT_WELL),
        ("What didn't work", K.IMPROVEMENTS),
        ("Next steps", K.ACTION_ITEMS),
        ("Corrective measures", K.ACTION_ITEMS),
        ("Root cause remediations", K.ACTION_ITEMS),
        ("Looking forward", K.ACTION_ITEMS),
        ("What did we learn?", K.LESSONS),
        ("Our response", K.RESOLUTION),
        ("Current status", K.SUMMARY),
        ("発生から復旧までのタイムライン", K.TIMELINE),
        ("原因", K.ROOT_CAUSE),
        ("再発防止策（案）", K.ACTION_ITEMS),
        ("Attendees", K.OTHER),
    ],
)
def test_headings_are_read_for_what_they_mean(heading: str, kind: SectionKind):
    assert classify(heading) is kind


def test_a_bold_label_opens_a_part_of_the_report():
    text = (
        "# Reports\n\n## Disk full\n\n**Summary:** The disk of db-1 filled up.\n\n"
        "**Root causes:** Log rotation was off.\n\n**What went well**\nThe alert fired.\n"
    )
    sections = list(parse(text).walk())
    assert [(s.kind, s.title, s.text) for s in sections[1:]] == [
        (K.SUMMARY, "Summary", "The disk of db-1 filled up."),
        (K.ROOT_CAUSE, "Root causes", "Log rotation was off."),
        (K.WENT_WELL, "What went well", "The alert fired."),
    ]


def test_an_opening_level_two_heading_is_the_title_when_there_is_no_level_one():
    document = parse(
        "## Checkout outage on 2 March\n\nCheckout failed.\n\n### Timeline\n\n- 14:09 paged\n"
    )
    assert (document.title, document.preamble[0].text) == (
        "Checkout outage on 2 March",
        "Checkout failed.",
    )


@pytest.mark.parametrize(
    "text",
    [
        "# Security incident with package uploads\n\n" + "The upload token was exposed. " * 8,
        "# v1.4.0リリースで発生した障害について\n\n"
        + "アップデートするとアプリが起動できなくなる。" * 4,
        "---\nseverity: disrupted\nresolvedWhen: 2022-05-27T21:18:00Z\n---\n\nThe certificate expired.\n",
        "## CI failures in AWS\n\n- 23:00 UTC a run failed\n- 11:00 UTC more failures\n"
        "- 12:00 UTC isolated to us-east-2\n\n" + "The network between clouds was down. " * 5,
    ],
)
def test_incident_reports_in_many_shapes_are_recognised(text: str):
    assert is_postmortem(parse(text))


@pytest.mark.parametrize(
    "text", ["# Tooling\n\nRun make.\n", "# Post-mortems\n\nThe reports live here.\n"]
)
def test_a_readme_is_not_taken_for_a_postmortem(text: str):
    assert not is_postmortem(parse(text))
