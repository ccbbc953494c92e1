"""GET /metrics: parsed by prometheus_client's own parser, guarded by a token or an allow-list."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families

from hindsight.actions.models import ActionItem
from hindsight.incidents.services import declare_incident
from hindsight.monitors.models import CheckResult, Monitor, MonitorRegionState
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import enqueue
from hindsight.runner.models import JobSchedule

pytestmark = pytest.mark.django_db
TOKEN = "scrape-me-0123456789"
DOC = (Path(__file__).resolve().parents[2] / "docs" / "monitors.md").read_text()


@pytest.fixture(autouse=True)
def token(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOW = []


@pytest.fixture
def installation() -> None:
    now = timezone.now()
    shop = Monitor.objects.create(name="Shop", target="https://shop.example.com/")
    MonitorRegionState.objects.create(
        monitor=shop, region="eu", state="down", next_due_at=now - timedelta(seconds=90)
    )
    MonitorRegionState.objects.create(monitor=shop, region="us", state="up", next_due_at=now)
    for status, latency, error in [
        ("up", 120.0, ""),
        ("up", 80.0, ""),
        ("down", None, "timed out"),
    ]:
        CheckResult.objects.create(
            monitor=shop, region="eu", status=status, latency_ms=latency, error=error
        )
    incident = declare_incident(title="Checkout errors", severity="SEV2")
    ActionItem.objects.create(incident=incident, title="Add a canary", due_date=date(2020, 1, 1))
    ActionItem.objects.create(incident=incident, title="Write the runbook")
    enqueue(sender="x", destination="channel:1", label="hook", event="incident.opened", payload={})
    dead = enqueue(
        sender="x", destination="channel:2", label="hook", event="incident.opened", payload={}
    )
    Delivery.objects.filter(pk=dead.pk).update(state="dead")
    JobSchedule.objects.create(job="rollups", next_attempt_at=now - timedelta(seconds=300))


def _scrape(**headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert answer.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }


def test_the_official_parser_reads_monitor_state_and_latency(installation: None) -> None:
    samples = _scrape()

    assert samples[("hindsight_monitor_up", (("monitor", "Shop"), ("region", "eu")))] == 0
    assert samples[("hindsight_monitor_up", (("monitor", "Shop"), ("region", "us")))] == 1
    latest = samples[
        ("hindsight_monitor_response_time_seconds", (("monitor", "Shop"), ("region", "eu")))
    ]
    assert latest == 0.08  # the newest check that got an answer


def test_it_counts_checks_and_errors_of_the_last_hour(installation: None) -> None:
    samples = _scrape()

    eu = (("monitor", "Shop"), ("region", "eu"))
    assert samples[("hindsight_monitor_checks_last_hour", (*eu, ("result", "up")))] == 2
    assert samples[("hindsight_monitor_checks_last_hour", (*eu, ("result", "down")))] == 1
    assert samples[("hindsight_monitor_check_errors_last_hour", eu)] == 1


def test_it_reports_lag_outbox_incidents_and_action_items(installation: None) -> None:
    samples = _scrape()

    assert samples[("hindsight_job_lag_seconds", (("job", "rollups"),))] >= 300
    assert samples[("hindsight_check_lag_seconds", ())] >= 90
    assert samples[("hindsight_outbox_deliveries", (("state", "pending"),))] == 1
    assert samples[("hindsight_outbox_deliveries", (("state", "dead"),))] == 1
    assert samples[("hindsight_incidents_open", (("severity", "SEV2"),))] == 1
    assert samples[("hindsight_incidents_open", (("severity", "SEV1"),))] == 0
    assert samples[("hindsight_action_items_open", ())] == 2
    assert samples[("hindsight_action_items_overdue", ())] == 1


def test_openmetrics_is_served_to_a_scraper_that_asks(installation: None) -> None:
    answer = Client().get(
        "/metrics",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
        HTTP_ACCEPT="application/openmetrics-text; version=1.0.0",
    )

    assert answer["Content-Type"].startswith("application/openmetrics-text")
    names = {family.name for family in openmetrics(answer.content.decode())}
    assert "hindsight_incidents_open" in names


def test_every_documented_metric_is_served_and_every_served_one_documented(
    installation: None,
) -> None:
    served = {name for name, _ in _scrape()}
    section = DOC.split("## Prometheus metrics", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(hindsight_\w+)` \|", section, re.M))

    assert served == documented


def test_the_documented_scrape_config_sends_the_token_from_a_file() -> None:
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S) if "scrape_configs" in b]
    job = yaml.safe_load(block)["scrape_configs"][0]

    assert job["metrics_path"] == "/metrics"
    assert "credentials_file" in job["authorization"]


def test_a_wrong_token_is_refused_with_the_json_error() -> None:
    answer = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer guess")

    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_an_allowed_address_needs_no_token(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = [ipaddress.ip_network("127.0.0.0/8")]

    assert Client().get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403


def test_it_is_off_until_a_token_or_allow_list_is_set(settings: Any) -> None:
    settings.METRICS_TOKEN = ""

    answer = Client().get("/metrics")

    assert answer.status_code == 403
    assert "HINDSIGHT_METRICS_TOKEN" in answer.json()["detail"]


def test_recorded_checks_raise_the_counters_that_metrics_serve() -> None:
    from hindsight import probe
    from hindsight.monitors import claims

    from .support import make_all_due, make_monitor

    make_monitor("API", "http://127.0.0.1:9/health")
    now = timezone.now()
    for status in (probe.Status.UP, probe.Status.DOWN, probe.Status.DOWN):
        make_all_due()
        slots = claims.claim_due(owner="w1", region="default", limit=10, now=now)
        result = probe.ProbeResult(status=status, checked_at=now, latency_ms=1.0)
        claims.record_batch(slots=slots, results=[result] * len(slots), owner="w1")

    samples = _scrape()

    api = (("monitor", "API"), ("region", slots[0].region))
    assert samples[("hindsight_monitor_checks_total", api)] == 3
    assert samples[("hindsight_monitor_check_failures_total", api)] == 2
