"""`hindsight review`: output formats, exit codes and configuration."""

from __future__ import annotations

import json

from hindsight.cli import app
from hindsight.core.review import CATEGORIES

from ..system import CORPUS as SHARED_CORPUS
from .conftest import BLAMING, GOOD

CORPUS = SHARED_CORPUS / "postmortems"


def test_it_exits_0_and_prints_the_score_for_a_good_postmortem(runner, write):
    path = write("good.md", GOOD)
    result = runner.invoke(app, ["review", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{path}: score 100/100 (0 errors, 0 warnings, 0 info)"


def test_it_exits_1_on_error_findings_with_file_line_rule_and_suggestion(runner, write):
    path = write("blame.md", BLAMING)
    result = runner.invoke(app, ["review", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "── What could be improved"
    assert lines[1].startswith(f"{path}:41: error blame-language: This wording blames a person")
    assert lines[2].startswith("    suggestion: Describe what in the system allowed it")
    assert "\x1b[" not in result.stdout  # no colour when not writing to a terminal


def test_json_output_follows_the_contract(runner, write):
    good, blaming = write("a/good.md", GOOD), write("a/blame.md", BLAMING)
    result = runner.invoke(app, ["review", "--format", "json", str(good.parent)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert list(data) == ["files"]
    assert [(f["path"], f["score"]) for f in data["files"]] == [
        (str(blaming), 94),
        (str(good), 100),
    ]
    finding = data["files"][0]["findings"][0]
    assert set(finding) == {"rule", "category", "severity", "line", "message", "suggestion"}
    assert (finding["rule"], finding["category"], finding["severity"], finding["line"]) == (
        "blame-language",
        "blame",
        "error",
        41,
    )
    assert finding["category"] in CATEGORIES


def test_github_output_is_workflow_annotations(runner, write):
    path = write("blame.md", BLAMING)
    result = runner.invoke(app, ["review", "--format", "github", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"::error file={path},line=41,title=blame-language::")


def test_the_public_audience_turns_on_the_disclosure_rules(runner, write):
    path = write("good.md", GOOD)
    internal = runner.invoke(app, ["review", "--format", "json", str(path)])
    public = runner.invoke(app, ["review", "--format", "json", "--audience", "public", str(path)])
    rules = {f["rule"] for f in json.loads(public.stdout)["files"][0]["findings"]}
    assert internal.exit_code == 0
    assert public.exit_code == 1
    assert "disclosure-personal-name" in rules


def test_a_readme_found_in_a_folder_is_reported_and_not_reviewed(runner, write):
    path = write("postmortems/README.md", "# Tools\n\nRun `make`.\n")
    result = runner.invoke(app, ["review", str(path.parent)])
    assert result.exit_code == 0
    assert f"{path}:1: warning not-a-postmortem:" in result.stdout
    assert result.stdout.splitlines()[-1] == f"{path}: not a post-mortem, not scored"


def test_a_readme_found_in_a_folder_has_no_score_in_json(runner, write):
    path = write("postmortems/README.md", "# Tools\n\nRun `make`.\n")
    result = runner.invoke(app, ["review", "--format", "json", str(path.parent)])
    entry = json.loads(result.stdout)["files"][0]
    assert (entry["status"], entry["score"], entry["reason"]) == (
        "not-reviewed",
        None,
        "found in a folder, it doesn't read like a post-mortem",
    )


def test_json_gives_a_reviewed_file_its_status(runner, write):
    path = write("a/good.md", GOOD)
    result = runner.invoke(app, ["review", "--format", "json", str(path)])
    assert list(json.loads(result.stdout)["files"][0].items())[:3] == [
        ("path", str(path)),
        ("status", "reviewed"),
        ("score", 100),
    ]


def test_a_file_with_front_matter_that_cannot_be_read_is_not_hidden_in_a_folder(runner, write):
    path = write("postmortems/notes.md", "---\ntitle: [unclosed\n---\n\n# Notes\n\nRun `make`.\n")
    result = runner.invoke(app, ["review", str(path.parent)])
    assert result.exit_code == 1
    assert f"{path}:3: error front-matter-invalid: The front matter can't be read" in result.stdout
    assert "not-a-postmortem" not in result.stdout


def test_a_file_named_on_the_command_line_is_always_reviewed(runner, write):
    path = write("README.md", "# Tools\n\nRun `make`.\n")
    result = runner.invoke(app, ["review", str(path)])
    assert result.exit_code == 1
    assert "not-a-postmortem" not in result.stdout
    assert f"{path}:1: error missing-section: There is no Timeline section" in result.stdout


def test_a_missing_file_cannot_run(runner, tmp_path):
    result = runner.invoke(app, ["review", str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"hindsight: cannot review {tmp_path / 'nope.md'}: no such file or folder"
    )


def test_a_binary_file_cannot_run(runner, write):
    path = write("image.md", b"\xff\xd8\xff\xe0 not text")
    result = runner.invoke(app, ["review", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"hindsight: cannot review {path}: not UTF-8 text"


def test_text_output_groups_findings_per_section_and_per_action_item(runner, write):
    path = write("pm.md", BLAMING.replace("| @tom | 2026-03-20 |", "|  | 2026-03-20 |"))
    result = runner.invoke(app, ["review", str(path)])
    lines = result.stdout.splitlines()
    headings = [line for line in lines if line.startswith("── ")]
    assert headings == [
        "── What could be improved",
        '── Action items › "Add a provider-latency step to the review checklist"',
    ]
    under_item = lines[lines.index(headings[1]) + 1]
    assert under_item.startswith(f"{path}:48: warning action-item-incomplete: ")
