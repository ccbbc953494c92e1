"""`hindsight review --format sarif`: what GitHub code scanning needs to ingest it."""

from __future__ import annotations

import json

from hindsight.cli import app
from hindsight.core.sarif import FINGERPRINT

from .conftest import BLAMING, GOOD, schema_errors


def sarif(runner, *args: str) -> dict:
    result = runner.invoke(app, ["review", "--format", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def locations(log: dict) -> set[str]:
    return {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }


def test_it_is_valid_against_the_official_schema_with_format_checks(
    runner, write, in_tmp, validator
):
    write("docs/pm one.md", BLAMING)
    write("docs/good.md", GOOD)
    write("docs/binary.md", b"\xff\xfe")
    log = sarif(runner, "docs")
    assert schema_errors(validator, log) == []


def test_the_format_checks_are_real(runner, write, in_tmp, validator):
    write("blame.md", BLAMING)
    log = sarif(runner, "blame.md")
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules/blame-language.md"
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"]["uri"] = "pm one.md"
    assert schema_errors(validator, log) == [
        "runs/0/tool/driver/rules/0/helpUri: 'docs/rules/blame-language.md' is not a 'uri'",
        "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
        "'pm one.md' is not a 'uri-reference'",
    ]


def test_every_rule_has_descriptions_an_absolute_help_uri_and_no_name_repeating_its_id(
    runner, write, in_tmp
):
    write("blame.md", BLAMING)
    rules = sarif(runner, "blame.md")["runs"][0]["tool"]["driver"]["rules"]
    blame = next(rule for rule in rules if rule["id"] == "blame-language")
    assert blame["shortDescription"]["text"] == (
        "This wording blames a person rather than the system."
    )
    assert blame["fullDescription"]["text"].startswith(blame["shortDescription"]["text"])
    assert blame["helpUri"] == (
        "https://github.com/hindsight/hindsight/blob/main/docs/rules/blame-language.md"
    )
    assert [r["id"] for r in rules if "name" in r or not r["helpUri"].startswith("https://")] == []
    assert all(r["shortDescription"]["text"] != r["fullDescription"]["text"] for r in rules)


def test_results_point_at_their_rule(runner, write, in_tmp):
    write("blame.md", BLAMING)
    run = sarif(runner, "blame.md")["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "blame-language")
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "blame-language"
    assert (result["level"], result["locations"][0]["physicalLocation"]["region"]) == (
        "error",
        {"startLine": 41},
    )


def test_the_rule_docs_address_comes_from_hindsight_toml(runner, write, in_tmp):
    write("hindsight.toml", 'rule_docs = "https://wiki.example.com/pm-rules/{rule}.html"\n')
    write("blame.md", BLAMING)
    rules = sarif(runner, "blame.md")["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://wiki.example.com/pm-rules/{rules[0]['id']}.html"


def test_the_rule_docs_option_is_a_base_the_page_name_is_added_to(runner, write, in_tmp):
    write("blame.md", BLAMING)
    log = sarif(runner, "--rule-docs", "https://docs.example.com/rules/", "blame.md")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://docs.example.com/rules/{rules[0]['id']}.md"


def test_a_relative_rule_docs_address_cannot_run(runner, write, in_tmp):
    write("blame.md", BLAMING)
    result = runner.invoke(app, ["review", "--format", "sarif", "--rule-docs", "docs", "blame.md"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "hindsight: bad config: --rule-docs must be an absolute http(s) address, got 'docs'"
    )


def test_paths_are_relative_to_the_working_directory_and_percent_encoded(runner, write, in_tmp):
    write("post mortems/#12 at 100%.md", BLAMING)
    log = sarif(runner, "post mortems")
    assert locations(log) == {"post%20mortems/%2312%20at%20100%25.md"}
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == in_tmp.as_uri() + "/"


def test_an_absolute_path_inside_the_working_directory_is_made_relative(runner, write, in_tmp):
    path = write("docs/blame.md", BLAMING)
    assert locations(sarif(runner, str(path))) == {"docs/blame.md"}


def test_a_file_outside_the_working_directory_is_a_file_uri(runner, write, in_tmp, monkeypatch):
    path = write("elsewhere/a b.md", BLAMING)
    (in_tmp / "repo").mkdir()
    monkeypatch.chdir(in_tmp / "repo")
    assert locations(sarif(runner, str(path))) == {path.as_uri()}
    assert path.as_uri().endswith("/elsewhere/a%20b.md")


def fingerprints(log: dict) -> dict[str, int]:
    return {
        r["partialFingerprints"][FINGERPRINT]: r["locations"][0]["physicalLocation"]["region"][
            "startLine"
        ]
        for r in log["runs"][0]["results"]
    }


def test_the_same_finding_on_two_identical_lines_gets_two_fingerprints(runner, write, in_tmp):
    twice = "- Maria forgot to check the dashboard.\n" * 2
    write(
        "pm.md", GOOD.replace("- Diagnosis took 22 minutes", twice + "- Diagnosis took 22 minutes")
    )
    results = sarif(runner, "pm.md")["runs"][0]["results"]
    prints = [
        r["partialFingerprints"][FINGERPRINT] for r in results if r["ruleId"] == "blame-language"
    ]
    assert len(prints) == 2
    assert [p.split(":")[1] for p in prints] == ["1", "2"]
    assert prints[0].split(":")[0] == prints[1].split(":")[0]


def test_fingerprints_survive_lines_added_elsewhere(runner, write, in_tmp):
    write("pm.md", BLAMING)
    before = fingerprints(sarif(runner, "pm.md"))
    write("pm.md", BLAMING.replace("## Summary\n\n", "## Summary\n\nUpdated in review.\n\n"))
    after = fingerprints(sarif(runner, "pm.md"))
    assert {key: after[key] - line for key, line in before.items()} == dict.fromkeys(before, 2)


def test_a_file_not_reviewed_is_an_error_notification(runner, write, in_tmp):
    write("docs/good.md", GOOD)
    write("docs/binary.md", b"\xff\xfe")
    log = sarif(runner, "docs")
    (invocation,) = log["runs"][0]["invocations"]
    (note,) = invocation["toolExecutionNotifications"]
    assert (note["level"], note["message"]["text"]) == ("error", "Not reviewed: not UTF-8 text")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/binary.md"
