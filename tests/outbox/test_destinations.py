"""Deliveries to different destinations never wait on each other (real loopback servers)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.utils import timezone

from hindsight.catalog.models import Service
from hindsight.incidents.services import declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery, Destination
from hindsight.outbox.services import deliver_due
from hindsight.runner.process import Runner, jobs_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_receiver_that_never_answers_does_not_delay_a_healthy_one(
    recorder, silent_server, settings
):
    settings.OUTBOX_CONCURRENCY = 2
    service = Service.objects.create(name="Checkout", slug="checkout")
    NotificationChannel.objects.create(name="dead", kind="webhook", target=silent_server.url)
    NotificationChannel.objects.create(name="healthy", kind="webhook", target=recorder.url)
    for n in range(12):
        declare_incident(title=f"Outage {n}", severity="SEV2", services=[service])
    runner = Runner(jobs_for(["deliveries"]), worker="w1")
    thread = threading.Thread(target=asyncio.run, args=(runner.run(seconds=25),))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(recorder.requests) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        healthy_done = len(recorder.requests)
        # The dead receiver got its first request and is still holding it (10 s timeout):
        # nothing to it has finished, yet every healthy delivery is through.
        dead = Delivery.objects.filter(destination__label__startswith="dead")
        dead_tried = dead.exclude(attempts=0).count()
        dead_connections = len(silent_server.connections)
    finally:
        runner.stop()
        thread.join(30)
    assert healthy_done == 12
    assert dead_connections == 1
    assert dead_tried == 0


def test_a_destination_that_is_down_backs_off_as_a_whole(free_port, recorder):
    service = Service.objects.create(name="Checkout", slug="checkout")
    NotificationChannel.objects.create(
        name="down", kind="webhook", target=f"http://127.0.0.1:{free_port}/"
    )
    NotificationChannel.objects.create(name="up", kind="webhook", target=recorder.url)
    for n in range(3):
        declare_incident(title=f"Outage {n}", severity="SEV2", services=[service])
    now = timezone.now()
    assert deliver_due(worker="w", now=now) == (3, 1)  # one try at the down one, then it waits
    down = Destination.objects.get(label__startswith="down")
    assert down.attempts == 1
    assert "could not reach" in down.last_error
    attempts = sorted(Delivery.objects.filter(destination=down).values_list("attempts", flat=True))
    assert attempts == [0, 0, 1]  # in order: the oldest is retried first, the rest wait
