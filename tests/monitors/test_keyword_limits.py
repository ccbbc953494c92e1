"""The check engine is bounded: keyword patterns run on RE2, body limits have a ceiling."""

from __future__ import annotations

import asyncio

import pytest

from hindsight.monitors import services
from hindsight.monitors.models import CheckResult, Monitor
from hindsight.monitors.worker import Worker, WorkerOptions
from hindsight.probe.keyword import compile_keyword
from tests.monitors.support import make_all_due, make_monitor

# Python's backtracking `re` takes exponential time on this pattern against "xxxx…x".
CATASTROPHIC = r"(x+x+)+y"


def test_a_catastrophic_pattern_is_searched_in_linear_time():
    pattern = compile_keyword(CATASTROPHIC, is_regex=True)
    assert pattern.search("x" * 200_000) is None


@pytest.mark.django_db
def test_it_refuses_a_pattern_re2_cannot_compile_when_the_monitor_is_saved():
    monitor = Monitor(
        name="backref",
        kind="keyword",
        target="http://127.0.0.1:9/",
        config={"keyword": r"(a)\1", "keyword_is_regex": True},
    )
    assert services.monitor_problems(monitor) == {
        "config": "Invalid keyword regex '(a)\\\\1': invalid escape sequence: \\1 "
        "(patterns use RE2 syntax: no backreferences or lookaround)"
    }


@pytest.mark.django_db
def test_it_refuses_a_body_limit_over_the_ceiling():
    monitor = Monitor(
        name="huge",
        kind="keyword",
        target="http://127.0.0.1:9/",
        config={"keyword": "ok", "max_body_bytes": 1 << 30},
    )
    assert services.monitor_problems(monitor) == {
        "config": "The body limit is at most 4194304 bytes (4 MiB), not 1073741824"
    }


@pytest.mark.django_db(transaction=True)
def test_a_catastrophic_pattern_does_not_hold_up_a_hundred_other_monitors(target):
    target.body = "x" * 60_000
    normal = [make_monitor(f"normal {n}", target.url(f"/n{n}")) for n in range(100)]
    evil = make_monitor(
        "evil",
        target.url("/evil"),
        kind="keyword",
        config={"keyword": CATASTROPHIC, "keyword_is_regex": True},
    )
    options = WorkerOptions(region="default", concurrency=50, batch_size=200)
    for _ in range(2):
        make_all_due()
        assert asyncio.run(Worker(options).run(rounds=1)).checks == 101
    assert CheckResult.objects.filter(monitor__in=normal, status="up").count() == 200
    assert list(CheckResult.objects.filter(monitor=evil).values_list("status", flat=True)) == [
        "down",
        "down",
    ]
