"""The runner: jobs from one registry, failures recorded and retried, one worker at a time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hindsight.runner import services
from hindsight.runner.models import JobSchedule, WorkerHeartbeat
from hindsight.runner.process import Runner
from hindsight.runner.registry import Claim, Context, Every, Job, Queue, Retry, registered

pytestmark = pytest.mark.django_db(transaction=True)

QUICK = Retry(first_seconds=0.2, cap_seconds=0.5)


def _job(
    name: str,
    run: Callable[[Context], int],
    *,
    when: Every | Queue | None = None,
    claim: Claim = Claim.ONE_WORKER,
) -> Job:
    return Job(
        name=name,
        description=name,
        when=when or Every(60),
        claim=claim,
        retry=QUICK,
        run=run,
    )


def _run(runner: Runner, seconds: float) -> None:
    asyncio.run(runner.run(seconds=seconds))


def test_a_job_that_raises_is_recorded_and_the_others_keep_running():
    calls: list[str] = []

    def broken(context: Context) -> int:
        calls.append("broken")
        raise RuntimeError("the tracker is down")

    def healthy(context: Context) -> int:
        calls.append("healthy")
        return 0

    jobs = [_job("broken", broken), _job("healthy", healthy, when=Queue(), claim=Claim.ROWS)]
    runner = Runner(jobs, worker="w1", poll_seconds=0.05)
    _run(runner, 1.5)
    schedule = JobSchedule.objects.get(job="broken")
    assert schedule.last_error == "RuntimeError: the tracker is down"
    assert schedule.attempts >= 2  # retried after its back-off, not given up
    assert calls.count("broken") >= 2
    assert calls.count("healthy") >= 10  # polled all along, unaffected
    assert runner.stats["broken"].errors == calls.count("broken")


def test_a_scheduled_job_runs_on_one_worker_at_a_time():
    runs: list[str] = []

    def once(context: Context) -> int:
        runs.append(context.worker)
        return 1

    job = _job("report", once)
    threads = [
        threading.Thread(target=_run, args=(Runner([job], worker=f"w{n}"), 1.5)) for n in (1, 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(runs) == 1  # due once in the 60 s schedule, whichever worker got it


def test_a_dead_workers_scheduled_job_is_taken_over_when_its_lease_ends():
    job = _job("report", lambda context: 1)
    now = timezone.now()
    assert services.claim_scheduled(job=job, owner="killed", now=now) is not None
    assert services.claim_scheduled(job=job, owner="alive", now=now) is None
    later = now + timedelta(seconds=job.timeout_seconds + 1)
    taken = services.claim_scheduled(job=job, owner="alive", now=later)
    assert taken is not None and taken.lease_owner == "alive"


def test_a_worker_beats_while_it_runs_and_forgets_itself_when_it_stops():
    seen: list[list[str]] = []

    def look(context: Context) -> int:
        seen.append(list(WorkerHeartbeat.objects.values_list("worker", flat=True)))
        connection.close()
        return 0

    _run(Runner([_job("look", look)], worker="w1"), 0.5)
    assert seen == [["w1"]]
    assert not WorkerHeartbeat.objects.exists()


def test_a_queue_is_woken_before_its_next_poll():
    calls: list[float] = []
    second = threading.Event()

    def counting(context: Context) -> int:
        calls.append(1)
        if len(calls) == 2:
            second.set()
        return 0

    job = _job("q", counting, when=Queue(), claim=Claim.ROWS)
    runner = Runner([job], worker="w1", poll_seconds=60)  # only a wake-up runs it again soon
    thread = threading.Thread(target=_run, args=(runner, 30))
    thread.start()
    try:
        while not calls:
            second.wait(0.01)
        runner.wake("q")
        assert second.wait(5)
    finally:
        runner.stop()
        thread.join(30)


def test_every_background_job_is_declared_once_in_the_registry():
    names = [job.name for job in registered()]
    assert names == [
        "deliveries",
        "checks",
        "flips",
        "monitor-slots",
        "quiet-incidents",
        "rollups",
        "pruning",
        "statuspage-publish",
        "maintenance",
        "statuspage-refresh",
        "action-reminders",
        "recurrence-watch",
        "tracker-pull",
        "insights-rollup",
        "chat-imports",
    ]


def test_a_second_job_of_the_same_name_is_refused():
    from hindsight.runner.registry import register

    with pytest.raises(ValueError, match="already registered"):
        register(_job("flips", lambda context: 0))


def test_a_notify_wakes_listening_workers_when_its_transaction_commits():
    from django.db import transaction

    from hindsight.runner import wakeups

    if connection.vendor != "postgresql":
        assert not wakeups.available()  # SQLite: workers poll every second instead
        return
    heard: list[str] = []
    stop = threading.Event()
    listener = threading.Thread(target=wakeups.listen, args=(heard.append, stop))
    listener.start()
    try:
        threading.Event().wait(0.5)  # LISTEN is in place
        with transaction.atomic():
            wakeups.notify("deliveries")
            threading.Event().wait(1.5)
            before_commit = list(heard)
        deadline = timezone.now() + timedelta(seconds=5)
        while not heard and timezone.now() < deadline:
            threading.Event().wait(0.05)
    finally:
        stop.set()
        listener.join(10)
    assert before_commit == []
    assert heard == ["deliveries"]
