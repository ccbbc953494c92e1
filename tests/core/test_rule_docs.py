"""Every rule is documented, and its documented examples do what the docs say."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hindsight.core import rules  # noqa: F401  (registers the built-in rules)
from hindsight.core.config import Config, config_from_toml
from hindsight.core.parser import parse
from hindsight.core.review import CATEGORIES, REGISTRY, Registry, Rule, review

from .conftest import RULE_DOCS

ALL_RULES = [rule.id for rule in REGISTRY]


def example(rule_id: str, heading: str) -> tuple[str, Config]:
    """The first ```markdown block under `## Bad` or `## Good` in docs/rules/<id>.md, and the
    configuration it runs with: a ```toml block just before it, if the page shows one."""
    text = (RULE_DOCS / f"{rule_id}.md").read_text(encoding="utf-8")
    start = re.search(rf"^## {heading}$", text, re.M)
    assert start, f"docs/rules/{rule_id}.md has no ## {heading} section"
    # The example itself contains "## " headings, so take the fenced block after the heading.
    section = text[start.end() :]
    block = re.search(r"^```markdown\n(.*?)^```$", section, re.M | re.S)
    assert block, f"docs/rules/{rule_id}.md: ## {heading} has no ```markdown example"
    settings = re.search(r"^```toml\n(.*?)^```$", section[: block.start()], re.M | re.S)
    config = config_from_toml(settings.group(1), f"{rule_id}.md") if settings else None
    only = Config(enable=frozenset({rule_id}))
    if config is not None:
        only = dataclasses.replace(config, enable=frozenset({rule_id}))
    return block.group(1), only


def findings(rule: Rule, sample: tuple[str, Config]) -> list[str]:
    text, config = sample
    audience = "internal" if "internal" in rule.audiences else "public"
    report = review(parse(text), config=config, audience=audience)
    return [f.rule for f in report.findings if f.rule == rule.id]


def undocumented(registry: Registry) -> list[str]:
    return [rule.id for rule in registry if not (RULE_DOCS / f"{rule.id}.md").is_file()]


def test_every_registered_rule_has_a_doc_file():
    assert undocumented(REGISTRY) == []


def test_an_undocumented_rule_is_caught():
    extra = Registry()
    extra.register(
        Rule("no-such-doc", "structure", "info", "m", "s", check=lambda context, options: [])
    )
    assert undocumented(extra) == ["no-such-doc"]


def test_every_rule_has_exactly_one_known_category_and_says_what_to_do():
    for rule in REGISTRY:
        assert rule.category in CATEGORIES
        assert rule.message.strip() and rule.suggestion.strip(), rule.id


def test_every_category_has_a_rule():
    assert {rule.category for rule in REGISTRY} == set(CATEGORIES)


@pytest.mark.parametrize("rule_id", ALL_RULES)
def test_the_rule_fires_on_its_bad_example(rule_id):
    assert findings(REGISTRY.get(rule_id), example(rule_id, "Bad")), rule_id


@pytest.mark.parametrize("rule_id", ALL_RULES)
def test_the_rule_is_quiet_on_its_good_example(rule_id):
    assert findings(REGISTRY.get(rule_id), example(rule_id, "Good")) == []


def test_the_reviewer_guide_lists_every_rule():
    guide = (RULE_DOCS.parent / "reviewer.md").read_text(encoding="utf-8")
    assert [rule_id for rule_id in ALL_RULES if f"(rules/{rule_id}.md)" not in guide] == []


def test_every_rule_page_and_guide_row_is_a_rule_that_exists():
    guide = (RULE_DOCS.parent / "reviewer.md").read_text(encoding="utf-8")
    pages = {path.stem for path in RULE_DOCS.glob("*.md")}
    rows = set(re.findall(r"\(rules/([a-z0-9-]+)\.md\)", guide))
    assert (pages - set(ALL_RULES), rows - set(ALL_RULES)) == (set(), set())
