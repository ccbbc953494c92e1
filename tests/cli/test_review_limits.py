"""`hindsight review` is bounded: hostile or broken files are refused or reported, one at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc

import pytest

from hindsight.cli import app

from .conftest import GOOD, schema_errors

LAUGHS = "\n".join(
    [
        "---",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "authors: *i",
        "severity: SEV1",
        "---",
        GOOD.split("---\n", 2)[2],
    ]
)
BAD_DATE = GOOD.replace("written: 2026-03-03", "written: 2026-02-30")


def findings(result, name: str) -> list[tuple[str, int, str]]:
    """(rule, line, message) of the file whose path ends with `name`, from JSON output."""
    files = json.loads(result.stdout)["files"]
    (found,) = [f for f in files if f["path"].endswith(name)]
    return [(f["rule"], f["line"], f["message"]) for f in found["findings"]]


def cannot_run(runner, *args: str) -> str:
    """Run `hindsight review ARGS`, expect exit 2 (nothing reviewed) and return stderr."""
    result = runner.invoke(app, ["review", *args])
    assert result.exit_code == 2, result.output
    return result.stderr.strip()


def test_a_billion_laughs_front_matter_is_a_finding_and_memory_stays_small(runner, write):
    path = write("laughs.md", LAUGHS)
    assert path.stat().st_size < 2048
    tracemalloc.start()
    try:
        result = runner.invoke(app, ["review", "--format", "json", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert result.exit_code == 1
    (invalid,) = [f for f in findings(result, "laughs.md") if f[0] == "front-matter-invalid"]
    assert invalid[1] == 3  # the first alias, in `b: &b [*a, ...]`
    assert "uses the YAML alias *a, which Hindsight does not expand" in invalid[2]


def test_a_bad_date_in_front_matter_is_a_finding_and_the_rest_is_reviewed(runner, write):
    path = write("pm.md", BAD_DATE)
    result = runner.invoke(app, ["review", "--format", "json", str(path)])
    assert result.exit_code == 1
    rules = findings(result, "pm.md")
    assert rules[0][:2] == ("front-matter-invalid", 7)
    assert "'2026-02-30' is not a real date (day is out of range for month)" in rules[0][2]
    assert json.loads(result.stdout)["files"][0]["score"] > 0  # still scored as a post-mortem


def test_a_fifo_is_refused_without_waiting_for_a_writer(write, tmp_path):
    good = write("good.md", GOOD)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "hindsight", "review", str(fifo), str(good)]
    # A reader blocked on the FIFO would hang here; the timeout turns that into a failure.
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"hindsight: cannot review {fifo}: it is a FIFO (named pipe), not a regular file"
    )
    assert f"{good}: score 100/100" in result.stdout


def test_a_device_is_refused_before_anything_is_read(runner):
    assert cannot_run(runner, "/dev/zero") == (
        "hindsight: cannot review /dev/zero: it is a character device, not a regular file"
    )


def test_a_device_linked_into_a_folder_is_named_not_skipped(runner, write, tmp_path):
    write("docs/good.md", GOOD)
    (tmp_path / "docs" / "zero.md").symlink_to("/dev/zero")
    result = runner.invoke(app, ["review", str(tmp_path / "docs")])
    assert result.exit_code == 1
    assert "zero.md: it is a character device, not a regular file" in result.stderr
    assert "good.md: score 100/100" in result.stdout


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(runner, write):
    path = write("pm.md", GOOD)
    assert cannot_run(runner, "--max-size", "1KB", str(path)) == (
        f"hindsight: cannot review {path}: it is 1.7 KB, over the 1 KB limit for one file "
        "(raise it with --max-size or max_size in hindsight.toml)"
    )


def test_the_default_limit_is_10_mb(runner, tmp_path):
    path = tmp_path / "huge.md"
    with path.open("wb") as sparse:
        sparse.truncate(11 * 1024 * 1024)
    assert "it is 11 MB, over the 10 MB limit for one file" in cannot_run(runner, str(path))


def test_the_size_limit_can_be_set_in_hindsight_toml(runner, write):
    write("hindsight.toml", 'max_size = "1KB"\n')
    path = write("pm.md", GOOD)
    assert "over the 1 KB limit" in cannot_run(runner, str(path))


def test_a_bad_size_limit_cannot_run(runner, write):
    path = write("pm.md", GOOD)
    assert cannot_run(runner, "--max-size", "huge", str(path)) == (
        "hindsight: bad config: --max-size must be a size such as 512KB or 10MB, got 'huge'"
    )


def test_one_bad_file_does_not_stop_the_others_and_the_sarif_stays_valid(
    runner, write, in_tmp, validator
):
    write("hindsight.toml", 'max_size = "64KB"\n')
    write("pms/good.md", GOOD)
    write("pms/bad-date.md", BAD_DATE)
    write("pms/laughs.md", LAUGHS)
    write("pms/binary.md", b"\xff\xfe\x00")
    write("pms/big.md", GOOD * 40)
    (in_tmp / "pms" / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(in_tmp / "pms" / "pipe.md")
    result = runner.invoke(app, ["review", "--format", "sarif", "pms"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert schema_errors(validator, log) == []
    run = log["runs"][0]
    results = run["results"]
    reviewed = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    refused = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes}
    assert {"pms/bad-date.md", "pms/laughs.md"} <= reviewed
    assert refused == {"pms/binary.md", "pms/big.md", "pms/pipe.md", "pms/zero.md"}
    assert len(result.stderr.strip().splitlines()) == 4


def test_github_annotations_name_a_file_not_reviewed(runner, write, tmp_path):
    good = write("pms/good.md", GOOD)
    binary = write("pms/binary.md", b"\xff\xfe\x00")
    result = runner.invoke(app, ["review", "--format", "github", str(tmp_path / "pms")])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error file={binary},title=not reviewed::not UTF-8 text"
    ]
    assert str(good) not in result.stdout


def test_nothing_reviewable_exits_2(runner, write, tmp_path):
    write("pms/binary.md", b"\xff\xfe\x00")
    (tmp_path / "pms" / "zero.md").symlink_to("/dev/zero")
    result = runner.invoke(app, ["review", "--format", "json", str(tmp_path / "pms")])
    assert result.exit_code == 2
    assert [(f["status"], f["score"]) for f in json.loads(result.stdout)["files"]] == [
        ("not-reviewed", None),
        ("not-reviewed", None),
    ]


def test_a_file_that_cannot_be_read_is_listed_as_not_reviewed_in_json(runner, write, tmp_path):
    write("pms/good.md", GOOD)
    binary = write("pms/binary.md", b"\xff\xfe\x00")
    result = runner.invoke(app, ["review", "--format", "json", str(tmp_path / "pms")])
    assert json.loads(result.stdout)["files"][-1] == {
        "path": str(binary),
        "status": "not-reviewed",
        "score": None,
        "findings": [],
        "reason": "not UTF-8 text",
    }


def test_a_clean_file_next_to_an_unreadable_one_exits_1(runner, write, tmp_path):
    write("pms/good.md", GOOD)
    write("pms/binary.md", b"\xff\xfe\x00")
    result = runner.invoke(app, ["review", str(tmp_path / "pms")])
    assert result.exit_code == 1
    assert "good.md: score 100/100" in result.stdout


def test_a_crash_on_one_file_is_reported_and_the_others_are_reviewed(
    runner, write, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    from hindsight.cli import reviewer

    real_parse = reviewer.parse

    def parse(text: str, filename: str = ""):
        if "CRASH" in text:
            raise RuntimeError("boom")
        return real_parse(text, filename)

    monkeypatch.setattr(reviewer, "parse", parse)
    write("pms/a.md", "CRASH\n")
    write("pms/b.md", GOOD)
    result = runner.invoke(app, ["review", str(tmp_path / "pms")])
    assert result.exit_code == 1
    assert "a.md: internal error (RuntimeError: boom); please report it" in result.stderr
    assert "b.md: score 100/100" in result.stdout
