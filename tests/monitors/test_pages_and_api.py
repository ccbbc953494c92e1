"""Monitor pages and API: viewers read, editors define, pause and resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.catalog.models import Service
from hindsight.monitors import storage
from hindsight.monitors.models import CheckResult, Flip, MaintenanceWindow, Monitor
from tests.monitors.support import make_monitor

pytestmark = pytest.mark.django_db


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Api:
    def __init__(self, user: User) -> None:
        _, secret = create_token(username=user.username, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/monitors{path}")

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/monitors{path}", body or {}, content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/monitors{path}", body, content_type="application/json")


@pytest.fixture
def checkout() -> Monitor:
    monitor = make_monitor("checkout health", "http://127.0.0.1:9/health")
    now = timezone.now().replace(second=0, microsecond=0)
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor,
            checked_at=now - timedelta(minutes=m),
            status="down" if m == 5 else "up",
            latency_ms=None if m == 5 else 40.0 + m,
            status_code=503 if m == 5 else 200,
            error="HTTP 503" if m == 5 else "",
        )
        for m in range(1, 20)
    )
    Flip.objects.create(monitor=monitor, old_state="up", new_state="down", reason="HTTP 503")
    storage.roll_up(now=now + timedelta(minutes=5))
    return monitor


def test_the_list_shows_state_and_uptime_to_a_viewer(the_viewer, checkout):
    page = browser(the_viewer).get("/monitors/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "checkout health" in html
    assert "94.74 %" in html  # 18 of 19 rolled-up minutes answered
    assert "New monitor" not in html
    assert 'href="/monitors/"' in browser(the_viewer).get("/incidents/").content.decode()


def test_the_detail_page_draws_the_latency_chart_and_lists_flips_and_results(the_viewer, checkout):
    html = browser(the_viewer).get(f"/monitors/{checkout.pk}/").content.decode()
    assert "<svg" in html and "<polyline" in html
    assert "up → down" in html
    assert "HTTP 503" in html
    assert "Pause" not in html, "viewers get no write buttons"


def test_an_editor_creates_a_monitor_and_bad_input_is_explained(an_editor):
    client = browser(an_editor)
    bad = client.post(
        "/monitors/new/",
        {
            "name": "api",
            "kind": "http",
            "target": "http://127.0.0.1:9/",
            "interval_seconds": 5,
            "timeout_seconds": 2,
            "confirmations_down": 2,
            "confirmations_up": 1,
            "quorum": 1,
            "config_text": "{not json",
        },
    )
    assert bad.status_code == 200
    assert "Check options is not valid JSON" in bad.content.decode()
    assert Monitor.objects.count() == 0
    good = client.post(
        "/monitors/new/",
        {
            "name": "api",
            "kind": "keyword",
            "target": "http://127.0.0.1:9/",
            "interval_seconds": 60,
            "timeout_seconds": 5,
            "confirmations_down": 2,
            "confirmations_up": 1,
            "quorum": 1,
            "config_text": '{"keyword": "ok"}',
            "regions_text": "eu, us",
        },
    )
    assert good.status_code == 302, good.context["form"].errors
    monitor = Monitor.objects.get()
    assert good["Location"] == f"/monitors/{monitor.pk}/"
    assert monitor.config == {"keyword": "ok"} and monitor.regions == ["eu", "us"]
    assert sorted(monitor.region_states.values_list("region", flat=True)) == ["eu", "us"]


def test_a_responder_cannot_create_or_pause(a_responder, checkout):
    client = browser(a_responder)
    assert client.get("/monitors/new/").status_code == 403
    assert client.post(f"/monitors/{checkout.pk}/pause/").status_code == 403
    assert Monitor.objects.get().paused is False


def test_an_editor_pauses_resumes_and_plans_maintenance(an_editor, checkout):
    client = browser(an_editor)
    client.post(f"/monitors/{checkout.pk}/pause/")
    assert Monitor.objects.get().state == "paused"
    client.post(f"/monitors/{checkout.pk}/resume/")
    assert Monitor.objects.get().state == "pending"
    client.post(
        f"/monitors/{checkout.pk}/maintenance/",
        {
            "starts_at": "2026-12-06T02:00",
            "ends_at": "2026-12-06T03:00",
            "recurrence": "weekly",
            "time_zone": "Europe/Paris",
            "reason": "deploys",
        },
    )
    window = MaintenanceWindow.objects.get()
    assert (window.recurrence, window.reason) == ("weekly", "deploys")
    refused = client.post(
        f"/monitors/{checkout.pk}/maintenance/",
        {"starts_at": "2026-12-06T02:00", "ends_at": "2026-12-06T03:00", "time_zone": "Mars/Base"},
        follow=True,
    )
    assert "Maintenance window not added" in refused.content.decode()
    assert MaintenanceWindow.objects.count() == 1


def test_the_api_lists_reads_flips_and_uptime_for_a_viewer(the_viewer, checkout):
    api = Api(the_viewer)
    listed = api.get("/").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "checkout health"
    assert api.get(f"/{checkout.pk}").json()["state"] == checkout.state
    assert api.get(f"/{checkout.pk}/flips").json()["items"][0]["new_state"] == "down"
    uptime = api.get(f"/{checkout.pk}/uptime").json()
    assert uptime["uptime_24h"] == pytest.approx(100 * 18 / 19, abs=0.01)
    denied = api.post("/", {"name": "x", "target": "http://127.0.0.1:9/"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


def test_the_api_creates_updates_pauses_with_clear_errors(an_editor):
    Service.objects.create(name="Search", slug="search")
    api = Api(an_editor)
    created = api.post(
        "/", {"name": "search", "target": "http://127.0.0.1:9/s", "service": "search"}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["service"] == "search" and created.json()["state"] == "pending"
    bad = api.patch(f"/{pk}", {"interval": 1})
    assert bad.status_code == 422
    assert "interval: must be at least 20 seconds" in bad.json()["detail"]
    assert Monitor.objects.get().interval_seconds == 60
    assert api.patch(f"/{pk}", {"interval": 120}).json()["interval"] == 120
    assert api.post(f"/{pk}/pause").json()["state"] == "paused"
    assert api.post(f"/{pk}/resume").json()["state"] == "pending"
    unknown = api.patch(f"/{pk}", {"colour": "red"})
    assert unknown.status_code == 422
    assert api.get("/999").status_code == 404


def test_anonymous_api_calls_are_refused():
    assert Client().get("/api/monitors/").status_code == 401
    assert Client().get("/monitors/").status_code == 302


def test_rollup_times_are_utc_minutes(checkout):
    first = checkout.rollups.filter(period="minute").order_by("bucket_start").first()
    assert first.bucket_start.tzinfo is not None
    assert first.bucket_start.astimezone(UTC).second == 0
    assert first.bucket_start < datetime.now(UTC)
