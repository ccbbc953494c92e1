"""docs/insights.md documents every filter, factor tag and table, and its example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hindsight.core.factors import VOCABULARY
from hindsight.insights.params import FILTER_NAMES
from hindsight.insights.tables import BUILDERS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "insights.md").read_text()


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_every_filter_is_documented(name):
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("tag", [t.tag for t in VOCABULARY])
def test_every_factor_tag_is_documented(tag):
    assert f"| `{tag}` |" in DOC


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_chart_and_csv_is_documented(name):
    assert f"`{name}`" in DOC


def test_the_code_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC, re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/insights.md", "exec"), {})
