"""What went well, what could be improved, causes, blame and length, as people write them."""

from __future__ import annotations

import pytest

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

HEAD = "# Outage\n\n## Summary\n\nOn 2 March from 14:02 to 14:52 checkout failed for customers.\n\n"


def fired(rule: str, text: str, **options: object) -> list[int]:
    config = Config(enable=frozenset({rule}), options={rule: options} if options else {})
    return [f.line for f in review(parse(HEAD + text), config=config, explicit=True).findings]


def test_praise_said_in_passing_counts_as_what_went_well():
    text = "## Lessons\n\n- The shared incident board worked well.\n- Paging was slow.\n"
    assert fired("went-well-missing", text) == []


def test_a_report_without_anything_that_went_well_is_reported():
    assert fired("went-well-missing", "## Lessons\n\n- Paging was slow.\n") == [1]


def test_lessons_in_subsections_count_as_what_could_be_improved():
    text = "## Lessons learned\n\n### Disclosure\n\nWe announced the fix too early.\n"
    assert fired("improvements-missing", text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Sam forgot to renew the certificate.",
        "Raul dismissed the alert as noise.",
        "Priya should have tested the change.",
        "It was an act of laziness.",
        "The on-call engineer didn't bother to check.",
    ],
)
def test_blaming_wording_is_found(sentence: str):
    text = "---\nauthors: [Sam Ortiz, Raul Diaz, Priya Shah]\n---\n" + HEAD
    text += f"## What could be improved\n\n- {sentence}\n"
    config = Config(enable=frozenset({"blame-language"}))
    assert len(review(parse(text), config=config).findings) == 1


def test_collective_hindsight_is_not_blame():
    text = "## What could be improved\n\n- We should have tested the migration on a copy.\n"
    assert fired("blame-language", text) == []


def test_a_long_document_gets_a_length_finding_even_with_a_summary():
    text = "## Root cause analysis\n\n" + "The pool was shared by every worker. " * 20
    assert fired("document-length", text, max_words=100) == [1]


def test_the_timeline_does_not_count_towards_the_length():
    text = "## Timeline\n\n" + "".join(
        f"- 14:{n:02d} worker {n} restarted the pool\n" for n in range(40)
    )
    assert fired("document-length", text, max_words=100) == []


def test_a_cause_that_is_only_a_label_is_reported():
    assert fired(
        "root-cause-shallow", "## Root cause\n\nThe failure was due to a minor bug.\n"
    ) == [9]


def test_an_undetermined_root_cause_is_reported():
    assert fired("root-cause-shallow", "## Root cause\n\nYet to be determined.\n") == [7]


def test_a_single_cause_written_as_one_sentence_is_one_factor():
    text = "## Root cause\n\nThe deploy failed because the timeout was 1 second.\n"
    assert fired("root-cause-single-factor", text) == [9]


def test_a_sentence_that_joins_causes_counts_each():
    text = (
        "## Root cause\n\nIt was caused by a combination of a naive grep and a bad variable name.\n"
    )
    assert fired("root-cause-single-factor", text) == []
