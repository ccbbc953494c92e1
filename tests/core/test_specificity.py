"""Vague statements: actions that can't be carried out or checked, and what makes them concrete."""

from __future__ import annotations

import pytest

from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.review import review

HEAD = "# Outage\n\n## Summary\n\nOn 2 March from 14:02 to 14:52 checkout failed for customers.\n\n"


def vague(text: str) -> list[str]:
    config = Config(enable=frozenset({"vague-statement"}))
    return [f.message for f in review(parse(HEAD + text), config=config).findings]


@pytest.mark.parametrize(
    ("item", "why"),
    [
        ("Investigate options for improving the rollover process", "something to look into"),
        ("Consider separate prioritisation of reliability work", "something to look into"),
        ("Setup better dashboards", "no measurable detail"),
        ("Enforce stricter price impact thresholds", "no measurable detail"),
        ("Add alerts when bandwidth reaches a certain threshold", "a placeholder"),
        ("Something about spreading out launches for events", "a placeholder"),
        ("The team will implement measures to prevent similar incidents", "promises an outcome"),
        ("Our ability to manage builds needs to improve", "states a need"),
        ("Be more careful when deploying on Fridays", "states a need"),
    ],
)
def test_it_names_the_kind_of_vagueness(item: str, why: str):
    messages = vague(f"## Action items\n\n- {item}\n")
    assert len(messages) == 1 and why in messages[0], messages


@pytest.mark.parametrize(
    "item",
    [
        "Alert when egress bandwidth stays above 800 Mbit/s for 10 minutes",
        "Add a checkout error-rate panel to the Grafana overview dashboard",
        "Improve grafana-agent memory limits",
        "Investigate the memory growth ([#4812](https://git.example/infra/issues/4812))",
        "Decide between blue-green and canary rollouts by 2026-04-01",
        "[x] Improve monitoring",
    ],
)
def test_a_number_a_named_system_a_date_a_tracker_link_or_being_done_makes_it_concrete(item: str):
    assert vague(f"## Action items\n\n- {item}\n") == []


def test_a_named_system_does_not_turn_a_question_into_a_change():
    assert vague("## Action items\n\n- Investigate grafana-agent memory usage\n") != []


def test_only_the_first_sentence_of_an_item_is_its_action():
    item = "Add a pool alert at 150 connections. This will improve monitoring overall."
    assert vague(f"## Action items\n\n- {item}\n") == []


def test_a_vague_promise_is_found_outside_the_action_items():
    text = "## Resolution\n\nWe replaced the cluster, with additional measures to avoid future lock-outs.\n"
    assert len(vague(text)) == 1


def test_a_lesson_that_asks_people_for_more_care_is_vague():
    messages = vague("## What could be improved\n\n- Be more careful with certificate rotations.\n")
    assert len(messages) == 1 and "asks for more effort" in messages[0], messages


def test_a_lesson_that_names_what_was_missing_is_not_vague():
    text = "## What could be improved\n\n- Nothing links a certificate change to its clients.\n"
    assert vague(text) == []
