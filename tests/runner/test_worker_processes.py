"""Real `hindsight worker` processes on the test database (PostgreSQL in CI)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from hindsight.incidents.services import declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox import services as outbox
from hindsight.outbox.models import Delivery
from tests.runner.support import process_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class Receiver:
    """A loopback webhook receiver that records each request's delivery id.

    With ``hang_first`` it holds the first request open (a receiver that stalls),
    long enough for the test to kill the worker that sent it.
    """

    def __init__(self, *, hang_first: bool = False) -> None:
        self.ids: list[str] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.ids.append(self.headers["webhook-id"])
                if hang_first and len(receiver.ids) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                    return
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _declare(count: int) -> list[Delivery]:
    """Declare incidents; each one queues a delivery per notification channel."""
    for n in range(count):
        declare_incident(title=f"Outage {n}", severity="SEV3")
    return list(Delivery.objects.all())


def _workers(tmp_path: Path, count: int, jobs: str) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "hindsight", "worker", "--jobs", jobs],
            env=process_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(count)
    ]


def _stop(workers: list[subprocess.Popen[bytes]]) -> list[str]:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    return [w.communicate(timeout=30)[1].decode() for w in workers]


def test_two_worker_processes_deliver_a_backlog_exactly_once(receiver, tmp_path):
    for n in range(10):
        NotificationChannel.objects.create(name=f"hook {n}", kind="webhook", target=receiver.url)
    backlog = _declare(20)
    assert len(backlog) == 200
    workers = _workers(tmp_path, 2, "deliveries")
    try:
        deadline = time.monotonic() + 90
        while len(receiver.ids) < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # a duplicate, if there were one, would arrive meanwhile
    finally:
        errors = _stop(workers)
    assert Counter(receiver.ids) == Counter(str(d.pk) for d in backlog), errors
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_a_killed_workers_delivery_is_sent_by_another_with_the_same_id(tmp_path):
    receiver = Receiver(hang_first=True)
    try:
        NotificationChannel.objects.create(name="crm", kind="webhook", target=receiver.url)
        [delivery] = _declare(1)
        [worker] = _workers(tmp_path, 1, "deliveries")
        try:
            assert receiver.first_arrived.wait(60), "the worker never sent"
            worker.send_signal(signal.SIGKILL)  # mid-send: the receiver has not answered
            worker.wait(30)
        finally:
            _stop([worker])
        # Its lease on the destination still holds: nobody else sends meanwhile ...
        assert outbox.deliver_due(worker="other") == (0, 0)
        # ... and once it runs out, another worker finishes the job.
        later = timezone.now() + outbox.LEASE + timedelta(seconds=1)
        assert outbox.deliver_due(worker="other", now=later) == (1, 0)
    finally:
        receiver.close()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    # The receiver saw the message twice, with one id: it can tell it is the same one.
    assert receiver.ids == [str(delivery.pk)] * 2
