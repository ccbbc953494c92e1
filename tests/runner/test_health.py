"""/healthz says whether background work is alive: some worker beat recently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.runner.models import WorkerHeartbeat
from hindsight.runner.services import beat

pytestmark = pytest.mark.django_db


def test_it_fails_when_no_worker_ever_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "worker": "missing"}


def test_it_fails_when_the_last_heartbeat_is_stale(client, settings):
    beat(worker="w1", region="default", now=timezone.now() - timedelta(seconds=61))
    settings.WORKER_STALE_SECONDS = 60
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "stale"


def test_it_passes_with_a_recent_heartbeat(client):
    beat(worker="w1", region="default")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "ok"}


def test_a_beat_updates_the_workers_one_row():
    earlier = timezone.now() - timedelta(seconds=30)
    beat(worker="w1", region="eu", now=earlier)
    beat(worker="w1", region="eu")
    [row] = WorkerHeartbeat.objects.all()
    assert row.started_at == earlier and row.beat_at > earlier
