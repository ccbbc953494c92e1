"""A GET never writes: every page is rendered inside a query log that must hold no
INSERT, UPDATE or DELETE. Background work happens in the worker, not in views."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.monitors.models import Monitor
from hindsight.outbox.services import enqueue
from hindsight.runner.services import beat
from hindsight.statuspage.content import public_incidents
from hindsight.statuspage.models import ScheduledMaintenance, StatusPage, Subscriber
from hindsight.web.demo import seed

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def demo(settings, tmp_path) -> StatusPage:
    """The demo data, a maintenance window whose start has passed (the worker has not
    moved it yet), a subscriber with links to follow and a waiting delivery."""
    settings.DATA_DIR = tmp_path  # no snapshot: every public page renders live
    seed(web_url="http://127.0.0.1:8000/")
    page = StatusPage.objects.get()
    window = ScheduledMaintenance.objects.create(
        page=page,
        title="Database upgrade",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    window.components.set(page.components.all()[:1])
    Subscriber.objects.create(page=page, kind="email", email="reader@example.com")
    enqueue(sender="nobody", destination="x:1", label="x", event="e", payload={})
    beat(worker="w1", region="default")
    return page


def _public_paths(page: StatusPage) -> list[str]:
    incident = public_incidents(page).first()
    assert incident is not None
    subscriber = Subscriber.objects.get()
    paths = [
        "/status/",
        f"/status/incidents/{incident.pk}/",
        "/status/history/",
        "/status/history.atom",
        "/status/history.rss",
        "/status/badge.svg",
        "/status/subscribe/",
        f"/status/{page.slug}/",
        f"/status/subscriptions/confirm/{subscriber.confirm_token}/",
        f"/status/subscriptions/unsubscribe/{subscriber.unsubscribe_token}/",
        "/healthz",
    ]
    names = ["summary", "status", "components", "incidents", "scheduled-maintenances"]
    return paths + [f"/api/v2/{name}.json" for name in names]


def _team_paths() -> list[str]:
    incident = Incident.objects.first()
    monitor = Monitor.objects.first()
    assert incident is not None and monitor is not None
    return [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        "/monitors/",
        f"/monitors/{monitor.pk}/",
        "/postmortems/",
        "/integrations/",
        "/statuspage/",
        f"/statuspage/incidents/{incident.pk}/updates/new/",
        "/outbox/",
        "/outbox/?state=pending",
        "/api/incidents",
    ]


def _writes_of(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code < 500, f"{path} answered {response.status_code}"
    return [q["sql"][:120] for q in queries.captured_queries if WRITES.match(q["sql"])]


def test_no_public_page_writes_to_the_database(demo):
    client = Client()
    writes = {path: _writes_of(client, path) for path in _public_paths(demo)}
    assert {path: sql for path, sql in writes.items() if sql} == {}


def test_no_team_page_writes_to_the_database(demo, an_admin: User):
    client = Client()
    client.force_login(an_admin)
    writes = {path: _writes_of(client, path) for path in _team_paths()}
    assert {path: sql for path, sql in writes.items() if sql} == {}
