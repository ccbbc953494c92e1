"""Engine and rule behaviour: registry, config, suppression, score, and rule edge cases."""

from __future__ import annotations

import pytest

from hindsight.core.config import Config, ConfigError, config_from_toml
from hindsight.core.parser import parse
from hindsight.core.review import Hit, Registry, review, rule

BASE = "# Outage\n\n## Summary\n\nOn 2 March from 14:02 to 14:52 checkout failed for customers.\n\n"


def rules_fired(text: str, *, only: str, audience: str = "internal", config=None) -> list[int]:
    config = config or Config(enable=frozenset({only}))
    return [
        f.line
        for f in review(parse(text), config=config, audience=audience).findings
        if f.rule == only
    ]


def test_blame_fires_on_a_named_person_failing_but_not_on_a_neutral_action():
    text = BASE + (
        "## Timeline\n\n- 14:10 @maria restarted the database\n- 14:20 Maria failed to check the "
        "replica\n- 14:30 Tom Berg rolled back the deploy\n\n## What could be improved\n\n"
        "- It was human error.\n"
    )
    assert rules_fired(text, only="blame-language") == [10, 15]


def test_blame_uses_names_from_the_document():
    neutral = BASE + "## Timeline\n\n- 14:10 Priya failed to start, the node was full\n"
    named = "---\nauthors: [Priya Shah]\n---\n" + neutral
    assert rules_fired(neutral, only="blame-language") == []
    assert rules_fired(named, only="blame-language") == [12]


def test_system_failures_are_not_blame():
    text = BASE + "## Timeline\n\n- 14:10 Deployment failed to start\n- 14:12 The disk broke\n"
    assert rules_fired(text, only="blame-language") == []


def test_an_inline_comment_suppresses_one_finding():
    text = BASE + (
        "## What could be improved\n\n<!-- hindsight: disable=blame-language -->\n"
        "- Tom forgot the checklist.\n- Ann forgot the runbook.\n"
    )
    assert rules_fired(text, only="blame-language") == [11]


def test_config_thresholds_change_what_fires():
    text = BASE + "## Timeline\n\n- 09:00 Alertmanager paged on-call\n- 10:30 @maria restored it\n"
    assert rules_fired(text, only="timeline-gap") == [10]
    relaxed = Config(enable=frozenset({"timeline-gap"}), options={"timeline-gap": {"minutes": 120}})
    assert rules_fired(text, only="timeline-gap", config=relaxed) == []


def test_config_from_pyproject_disables_rules_and_overrides_severity():
    config = config_from_toml(
        '[tool.hindsight]\ndisable = ["timeline-gap"]\n'
        '[tool.hindsight.rules.action-item-incomplete]\nseverity = "error"\n',
        "pyproject.toml",
        pyproject=True,
    )
    assert config is not None
    assert not config.enabled("timeline-gap")
    assert config.severities == {"action-item-incomplete": "error"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('disable = ["no-such-rule"]', "unknown rules: no-such-rule"),
        ('[rules.timeline-gap]\nminutes = "soon"', "rules.timeline-gap.minutes must be a int"),
        ("[rules.timeline-gap]\nhours = 2", "has no option `hours`"),
        ("colour = true", "unknown setting(s): colour"),
        ("disable = [", "not valid TOML"),
    ],
)
def test_bad_config_says_what_is_wrong(toml, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_from_toml(toml, "hindsight.toml")


def test_a_pyproject_without_a_hindsight_table_is_no_config():
    assert config_from_toml("[project]\nname = 'x'\n", "pyproject.toml", pyproject=True) is None


def test_extensions_register_through_the_same_registry():
    registry = Registry()

    @rule(
        id="no-friday-deploys",
        category="timeline",
        severity="warning",
        message="Deployed on a Friday.",
        suggestion="Deploy earlier in the week.",
        registry=registry,
    )
    def friday(context, options):
        if "friday" in context.document.source.lower():
            yield Hit(1)

    text = BASE + "## Timeline\n\n- 14:09 Deployed on Friday\n"
    report = review(parse(text), registry=registry)
    assert [(f.rule, f.category, f.severity) for f in report.findings] == [
        ("no-friday-deploys", "timeline", "warning")
    ]


def test_a_rule_with_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown category"):
        rule(
            id="x",
            category="vibes",
            severity="info",
            message="m",
            suggestion="s",
            registry=Registry(),
        )(lambda context, options: [])


FULL = BASE + (
    "## Timeline\n\n| Time | Actor | Event |\n| --- | --- | --- |\n"
    "| 2026-03-02 14:09 UTC | Alertmanager | Paged on-call: checkout errors above 5% |\n"
    "| 2026-03-02 14:52 UTC | @maria | Rolled back the deploy; errors back to normal |\n\n"
    "## Root cause analysis\n\n- The provider needs 3 s; the new timeout was 1 s.\n"
    "- The review checklist has no step for provider latency.\n\n"
    "## What went well\n\n- The alert paged on-call within 7 minutes.\n\n"
    "## What could be improved\n\n- Deploys are not shown on the checkout dashboard.\n\n"
    "## Action items\n\n- [ ] Add a latency step to the review checklist — @tom, due 2026-03-20, "
    "P2\n"
)


def test_a_complete_postmortem_scores_100():
    assert review(parse(FULL)).score == 100


def test_a_missing_part_costs_its_whole_weight():
    without = FULL.replace(
        "## What went well\n\n- The alert paged on-call within 7 minutes.\n\n", ""
    )
    assert review(parse(without)).score == 94  # what went well weighs 6 of 100


def test_a_defect_in_a_part_costs_less_than_the_part_missing():
    vague = FULL.replace("Add a latency step to the review checklist", "Improve monitoring")
    missing = FULL[: FULL.index("## Action items")]
    assert review(parse(missing)).score < review(parse(vague)).score < 100


def test_a_leak_costs_more_in_customer_facing_text():
    leaking = FULL.replace(
        "Deploys are not shown", "Deploys to db-prod-1.corp.internal are not shown"
    )
    internal = review(parse(leaking)).score
    public = review(parse(leaking), audience="public").score
    assert (internal, public) == (100, 85)  # a hostname and @handles: all 15 points


def test_one_rule_cannot_cost_more_than_its_cap_however_often_it_fires():
    items = "".join(f"- [ ] Write runbook {n} for the checkout service\n" for n in range(40))
    many = FULL.replace("- [ ] Add a latency step", items + "- [ ] Add a latency step")
    assert review(parse(many)).score == 92  # half of the 16 action-item points


def test_a_readme_found_in_a_folder_is_not_reviewed_and_not_scored():
    report = review(parse("# Tooling\n\nRun make.\n"))
    assert [f.rule for f in report.findings] == ["not-a-postmortem"]
    assert (report.score, report.status) == (None, "not-reviewed")


def test_a_file_whose_front_matter_cannot_be_read_is_reviewed_with_the_error():
    report = review(parse("---\nseverity: [SEV1\n---\n\n# Notes\n\nRun make.\n"))
    assert (report.status, [f.rule for f in report.findings][:1]) == (
        "reviewed",
        ["front-matter-invalid"],
    )


def test_a_file_the_user_names_is_always_reviewed():
    report = review(parse("# Tooling\n\nRun make.\n"), explicit=True)
    assert (report.status, "not-a-postmortem" in {f.rule for f in report.findings}) == (
        "reviewed",
        False,
    )


def test_action_deadlines_are_checked_against_the_day_it_was_written():
    text = (
        "---\nwritten: 2026-03-03\n---\n"
        + BASE
        + (
            "## Action items\n\n- [ ] A — @a, due 2026-03-01, P1\n"
            "- [ ] B — @b, due 2028-01-01, P1\n"
            "- [ ] C — @c, due 2026-04-01, P1\n- [ ] D — @d, due next week, P1\n"
        )
    )
    report = review(parse(text), config=Config(enable=frozenset({"action-item-incomplete"})))
    assert [(f.line, f.message) for f in report.findings] == [
        (12, '"A" has a deadline (2026-03-01) before the post-mortem was written (2026-03-03).'),
        (13, '"B" has a deadline (2028-01-01) more than 365 days out.'),
        (15, '"D" has no date ("next week" is not one).'),
    ]


def test_a_team_owner_is_not_enough():
    text = BASE + "## Action items\n\n- [ ] Add alerts at 80% — @sre-team, due 2026-04-01, P1\n"
    report = review(parse(text), config=Config(enable=frozenset({"action-item-incomplete"})))
    assert report.findings[0].message == (
        '"Add alerts at 80%" has a team as owner (@sre-team) rather than one person.'
    )


def test_vague_action_items_get_a_specific_suggestion():
    text = (
        BASE + "## Action items\n\n- Improve monitoring\n- Look into alerting\n- Be more careful\n"
    )
    report = review(parse(text), config=Config(enable=frozenset({"vague-statement"})))
    assert [f.line for f in report.findings] == [9, 10, 11]
    assert "Add CPU utilisation alerts at 80% and 90%" in report.findings[0].suggestion


def test_an_acronym_defined_on_first_use_is_fine():
    timeline = "## Timeline\n\n- 14:09 Alertmanager paged on-call\n"
    defined = BASE.replace("checkout failed", "the payment service provider (PSP) failed")
    defined += timeline
    undefined = BASE.replace("checkout failed", "the PSP failed") + timeline
    assert rules_fired(defined, only="undefined-acronym") == []
    assert rules_fired(undefined, only="undefined-acronym") == [5]


def test_written_more_than_48_hours_after_resolution_is_late():
    text = "---\nresolved: 2026-03-02 14:52:00\nwritten: 2026-03-05 09:00:00\n---\n" + BASE
    report = review(parse(text), config=Config(enable=frozenset({"written-late"})))
    assert report.findings[0].line == 3
    assert report.findings[0].message.startswith("Written 66 hours after")


def test_review_date_missing_is_off_by_default():
    untracked = FULL.replace("— @tom, due 2026-03-20, P2", "")
    assert "review-date-missing" not in {f.rule for f in review(parse(untracked)).findings}


def test_review_date_missing_reports_open_untracked_items_when_turned_on():
    untracked = FULL.replace("— @tom, due 2026-03-20, P2", "")
    assert rules_fired(untracked, only="review-date-missing") == [1]


def test_a_named_blaming_sentence_is_reported_in_customer_facing_text():
    blaming = FULL.replace(
        "- The review checklist has no step for provider latency.",
        "- Maria misjudged the timeout and didn't bother to test it.",
    )
    report = review(parse(blaming), audience="public")
    blame = [(f.line, f.severity) for f in report.findings if f.rule == "blame-language"]
    assert (blame, report.score) == ([(17, "error")], 80)  # 85 without the blaming sentence
