"""Every dashboard figure against values worked out by hand on a fixed data set.

March 2026, "now" is 2026-03-31 12:00 UTC:

| incident | sev  | service  | detect | ack    | resolve | post-mortem                       |
|----------|------|----------|--------|--------|---------|-----------------------------------|
| A 03-02  | SEV1 | checkout | 5 min  | 10 min | 120 min | approved after 24 h, score 80      |
| B 03-10  | SEV2 | checkout | 20 min | —      | 60 min  | published after 96 h, score 60     |
| C 03-20  | SEV2 | search   | 2 min  | 30 min | 360 min | not written, score —              |
| D 03-25  | SEV3 | search   | 10 min | 2 min  | open    | draft, score 90                   |

A and C list a certificate expiry among their factors (A also a manual step).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hindsight.insights import rollup
from hindsight.insights.recognition import recognition_for
from hindsight.insights.tables import table

from .conftest import action, body, incident, postmortem

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
MIN = 60


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def march(an_editor):
    a = incident(
        "A",
        severity="SEV1",
        services=("checkout",),
        started=t(2, 10),
        detected=t(2, 10, 5),
        acknowledged=t(2, 10, 15),
        resolved=t(2, 12),
    )
    b = incident(
        "B",
        severity="SEV2",
        services=("checkout",),
        started=t(10, 9),
        detected=t(10, 9, 20),
        resolved=t(10, 10),
    )
    c = incident(
        "C",
        severity="SEV2",
        services=("search",),
        started=t(20, 8),
        detected=t(20, 8, 2),
        acknowledged=t(20, 8, 32),
        resolved=t(20, 14),
    )
    d = incident(
        "D",
        severity="SEV3",
        services=("search",),
        started=t(25, 0),
        status="investigating",
        detected=t(25, 0, 10),
        acknowledged=t(25, 0, 12),
    )
    expiry = "The certificate expired because renewal was manual."
    pm_a = postmortem(a, body=body(expiry), quality_score=80, approved_at=t(3, 12))
    postmortem(b, quality_score=60, published_at=t(14, 10))
    postmortem(c, body=body("The certificate expired unnoticed."))
    postmortem(d, quality_score=90)
    action(
        a,
        "a1",
        postmortem=pm_a,
        created_at=t(2, 13),
        due_date=date(2026, 3, 10),
        status="done",
        completed_at=t(9, 9),
        external_url="https://tracker.example/1",
    )
    action(
        a,
        "a2",
        postmortem=pm_a,
        created_at=t(3, 9),
        due_date=date(2026, 3, 15),
        status="done",
        completed_at=t(20, 9),
    )
    action(c, "a3", created_at=t(5, 9), due_date=date(2026, 3, 25))
    action(c, "a4", created_at=t(6, 9), due_date=date(2026, 3, 20), status="wont_do")
    return rollup.compute(now=NOW, include_restricted=True, repeat_days=30)


def test_it_counts_incidents_by_month_and_severity(march):
    assert march["counts"]["2026-03"] == {"SEV1": 1, "SEV2": 2, "SEV3": 1, "SEV4": 0}


def test_it_gives_median_p90_and_mean_time_to_detect(march):
    assert march["durations"]["month"]["2026-03"]["time_to_detect"] == pytest.approx(
        {
            "count": 4,
            "median": 7.5 * MIN,
            "p90": 17 * MIN,
            "mean": 9.25 * MIN,
        }
    )


def test_it_leaves_unacknowledged_incidents_out_of_time_to_acknowledge(march):
    assert march["durations"]["month"]["2026-03"]["time_to_acknowledge"] == pytest.approx(
        {
            "count": 3,
            "median": 10 * MIN,
            "p90": 26 * MIN,
            "mean": 14 * MIN,
        }
    )


def test_it_leaves_open_incidents_out_of_time_to_resolve(march):
    assert march["durations"]["month"]["2026-03"]["time_to_resolve"] == pytest.approx(
        {
            "count": 3,
            "median": 120 * MIN,
            "p90": 312 * MIN,
            "mean": 180 * MIN,
        }
    )


def test_it_breaks_durations_down_by_severity(march):
    assert march["durations"]["severity"]["SEV2"]["time_to_detect"]["median"] == 11 * MIN


def test_it_breaks_durations_down_by_service(march):
    assert march["durations"]["service"]["Checkout"]["time_to_resolve"]["median"] == 90 * MIN


def test_it_counts_repeats_of_a_service_or_factor_within_the_window(march):
    latest = {(r["incident"], r["reason"]) for r in march["repeats"]["latest"]}
    assert (march["repeats"]["month"]["2026-03"]["repeats"], len(latest)) == (3, 3)


def test_it_gives_action_item_completion_and_overdue_for_the_month(march):
    assert march["actions"]["2026-03"] == {
        "created": 4,
        "done": 2,
        "completion_rate": pytest.approx(2 / 3),
        "overdue": 1,
    }


def test_it_gives_the_share_of_postmortems_written_within_48_hours(march):
    assert march["timeliness"]["2026-03"] == {
        "decided": 3,
        "on_time": 1,
        "share": pytest.approx(1 / 3),
    }


def test_it_gives_the_review_score_over_time(march):
    assert march["scores"]["2026-03"] == {
        "count": 3,
        "median": 80,
        "p90": pytest.approx(88),
        "mean": pytest.approx(230 / 3),
    }


def test_it_ranks_contributing_factors_by_incidents(march):
    assert (march["factors"], march["categories"]) == (
        [{"tag": "certificate-expiry", "incidents": 2}, {"tag": "manual-step", "incidents": 1}],
        [{"category": "technology", "incidents": 2}, {"category": "process", "incidents": 1}],
    )


def test_it_exports_a_chart_s_numbers_as_csv(march):
    assert table("time-to-resolve", march).csv().splitlines()[-1] == "2026-03,3,7200,18720,10800"


def test_it_recognises_the_most_thorough_postmortems_of_the_month(march, an_editor):
    found = recognition_for(month="2026-03", user=an_editor, now=NOW)
    assert [(r.postmortem.incident.title, r.points) for r in found] == [("A", 115.0), ("B", 60.0)]


def test_it_keeps_the_recognition_in_the_snapshot(march):
    assert [(r["title"], r["points"]) for r in march["recognition"]["2026-03"]] == [
        ("Post-mortem: A", 115.0),
        ("Post-mortem: B", 60.0),
    ]


def test_it_leaves_restricted_incidents_out_for_everyone_else(march):
    incident("Secret", severity="SEV4", started=t(30, 1), restricted=True)
    without = rollup.compute(now=NOW, include_restricted=False, repeat_days=30)
    assert without["counts"]["2026-03"]["SEV4"] == 0


def test_the_worker_runs_the_rollup_as_a_job_so_the_dashboard_reads_a_stored_snapshot():
    from hindsight.insights.models import MetricsSnapshot
    from hindsight.runner.registry import Context, get

    stored = get("insights-rollup").run(Context(worker="test"))
    assert (stored, MetricsSnapshot.objects.count()) == (2, 2)
