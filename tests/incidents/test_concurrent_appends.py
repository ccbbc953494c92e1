"""Concurrent writers lose no timeline event, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.incidents.models import TimelineEvent
from hindsight.incidents.services import append_event, declare_incident
from hindsight.incidents.timeline import NewEvent, append_events

REPO = Path(__file__).resolve().parents[2]
WRITERS = 6
PER_WRITER = 40

# Run in a separate interpreter: append single events and a batch to one incident.
PROCESS_SCRIPT = """
import sys, django
django.setup()
from django.utils import timezone
from hindsight.incidents.models import Incident
from hindsight.incidents.services import append_event
from hindsight.incidents.timeline import NewEvent, append_events
incident = Incident.objects.get(pk=int(sys.argv[1]))
writer = sys.argv[2]
for n in range(int(sys.argv[3])):
    append_event(incident=incident, text=f"{writer} single {n}", idempotency_key=f"{writer}-s{n}")
append_events(incident=incident, events=[
    NewEvent(text=f"{writer} batch {n}", occurred_at=timezone.now(), idempotency_key=f"{writer}-b{n}")
    for n in range(int(sys.argv[3]))
])
"""


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings.get("HOST") or "127.0.0.1"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_threads_appending_singles_and_batches_lose_nothing() -> None:
    incident = declare_incident(title="busy")
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(PER_WRITER):
                append_event(incident=incident, text=f"w{writer} single {n}")
            append_events(
                incident=incident,
                events=[
                    NewEvent(text=f"w{writer} batch {n}", occurred_at=timezone.now())
                    for n in range(PER_WRITER)
                ],
            )
            # The same keyed event from every thread is stored once.
            append_event(incident=incident, text="shared", idempotency_key="shared-key")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    texts = set(incident.events.values_list("text", flat=True))
    expected = {
        f"w{w} {how} {n}"
        for w in range(WRITERS)
        for how in ("single", "batch")
        for n in range(PER_WRITER)
    }
    assert expected <= texts
    assert incident.events.count() == 1 + len(expected) + 1
    assert TimelineEvent.objects.filter(idempotency_key="shared-key").count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_processes_appending_lose_nothing() -> None:
    incident = declare_incident(title="busy across processes")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hindsight.settings",
        "HINDSIGHT_DATABASE_URL": _database_url(),
        "PYTHONPATH": str(REPO),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS_SCRIPT, str(incident.pk), f"p{p}", "15"],
            env=env,
            stderr=subprocess.PIPE,
        )
        for p in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    stored = set(incident.events.exclude(kind="declared").values_list("idempotency_key", flat=True))
    assert stored == {f"p{p}-{how}{n}" for p in range(4) for how in "sb" for n in range(15)}


@pytest.mark.django_db(transaction=True)
def test_racing_batches_with_the_same_keys_store_and_count_each_event_once() -> None:
    incident = declare_incident(title="duplicated delivery")
    created: list[int] = []
    barrier = threading.Barrier(4)
    at = timezone.now().replace(microsecond=123456)

    def write() -> None:
        try:
            barrier.wait(timeout=10)
            events = [
                NewEvent(text=f"line {n}", occurred_at=at, idempotency_key=f"k{n}", raw={"n": n})
                for n in range(300)
            ]
            created.append(append_events(incident=incident, events=events))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(created) == 300
    stored = incident.events.exclude(kind="declared")
    assert stored.count() == 300
    sample = stored.get(idempotency_key="k7")
    assert (sample.raw, sample.occurred_at) == ({"n": 7}, at)
