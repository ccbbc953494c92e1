"""docs/reviewer.md documents every review setting, and its CI workflow works as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hindsight.cli import app
from hindsight.core.config import SETTINGS

from .conftest import BLAMING, schema_errors

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "reviewer.md"


@pytest.mark.parametrize("key", sorted(SETTINGS))
def test_every_top_level_setting_is_in_the_settings_table(key):
    assert f"\n| `{key}` |" in GUIDE.read_text(encoding="utf-8")


def workflow() -> dict:
    block = re.search(r"^```yaml\n(name: post-mortems\n.*?)^```$", GUIDE.read_text(), re.M | re.S)
    assert block, "docs/reviewer.md has no GitHub workflow"
    return yaml.safe_load(block.group(1))


def test_the_workflow_may_upload_sarif():
    assert workflow()["permissions"]["security-events"] == "write"


@pytest.mark.slow
def test_the_workflow_review_step_writes_the_sarif_the_upload_step_reads(tmp_path, validator):
    steps = workflow()["jobs"]["review"]["steps"]
    (review,) = [step["run"] for step in steps if "hindsight review" in step.get("run", "")]
    (upload,) = [step for step in steps if step.get("uses", "").startswith("github/codeql-action")]
    (tmp_path / "docs" / "postmortems").mkdir(parents=True)
    (tmp_path / "docs" / "postmortems" / "pm.md").write_text(BLAMING, encoding="utf-8")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", review],
        cwd=tmp_path,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # exit 1 (an error finding) lets the upload run
    log = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    assert schema_errors(validator, log) == []
    assert log["runs"][0]["results"][0]["ruleId"] == "blame-language"


def test_the_json_example_has_the_keys_the_review_prints(runner, write, tmp_path):
    block = re.search(r"^```json\n(\{\"files\".*?)^```$", GUIDE.read_text(), re.M | re.S)
    assert block, "docs/reviewer.md has no JSON example"
    documented = [set(entry) for entry in json.loads(block.group(1))["files"]]
    write("pms/checkout.md", BLAMING)
    write("pms/README.md", "# Tools\n\nRun `make`.\n")
    write("pms/old.md", b"\xff\xfe\x00")
    result = runner.invoke(app, ["review", "--format", "json", str(tmp_path / "pms")])
    printed = {
        entry["path"].rsplit("/", 1)[1]: set(entry) for entry in json.loads(result.stdout)["files"]
    }
    assert documented == [printed["checkout.md"], printed["README.md"], printed["old.md"]]
