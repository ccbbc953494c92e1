"""Runner services: schedules of one-worker jobs, heartbeats, running a job by hand."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hindsight.runner import leases
from hindsight.runner.models import JobSchedule, WorkerHeartbeat
from hindsight.runner.registry import Claim, Context, Every, Job, Queue, get

log = logging.getLogger(__name__)

# Heartbeats of workers gone this long are deleted (a stopped worker deletes its own).
FORGET_AFTER = timedelta(days=1)


def claim_scheduled(
    *, job: Job, owner: str, now: datetime | None = None, due_or_not: bool = False
) -> JobSchedule | None:
    """Lease a one-worker job's schedule row if the job is due (or ``due_or_not``) and
    nobody runs it."""
    now = now or timezone.now()
    if not JobSchedule.objects.filter(job=job.name).exists():
        try:
            with transaction.atomic():
                JobSchedule.objects.create(job=job.name, next_attempt_at=now)
        except IntegrityError:
            pass  # another worker created it first
    rows = JobSchedule.objects.filter(job=job.name)
    if due_or_not:
        rows.filter(leases.free(now)).update(next_attempt_at=now)
    ids = leases.claim(
        rows, owner=owner, limit=1, lease=timedelta(seconds=job.timeout_seconds), now=now
    )
    return JobSchedule.objects.get(pk=ids[0]) if ids else None


def next_scheduled(*, job: Job) -> datetime | None:
    """When a one-worker job may next run: its next run, or the end of another worker's lease."""
    row = JobSchedule.objects.filter(job=job.name).first()
    if row is None:
        return None
    if row.lease_until is not None and row.lease_until > row.next_attempt_at:
        return row.lease_until
    return row.next_attempt_at


def finish_scheduled(
    *, job: Job, row: JobSchedule, owner: str, error: str = "", now: datetime | None = None
) -> None:
    """Record a run of a one-worker job and set its next run (later after failures)."""
    now = now or timezone.now()
    if error:
        leases.fail(row, owner=owner, error=error, retry=job.retry, now=now, last_finished_at=now)
        return
    interval = job.when.interval() if isinstance(job.when, Every) else 0.0
    leases.finish(
        JobSchedule,
        row.pk,
        owner=owner,
        attempts=0,
        last_error="",
        last_finished_at=now,
        next_attempt_at=now + timedelta(seconds=interval),
    )


def worker_name() -> str:
    """A name unique to this worker process: host, process id and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def beat(*, worker: str, region: str, now: datetime | None = None) -> None:
    """Say this worker is alive (create its heartbeat row on the first beat)."""
    now = now or timezone.now()
    if WorkerHeartbeat.objects.filter(worker=worker).update(beat_at=now):
        return
    WorkerHeartbeat.objects.create(
        worker=worker,
        host=socket.gethostname(),
        pid=os.getpid(),
        region=region,
        started_at=now,
        beat_at=now,
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def forget(*, worker: str) -> None:
    """Remove a stopping worker's heartbeat."""
    WorkerHeartbeat.objects.filter(worker=worker).delete()


@dataclass(frozen=True)
class WorkerHealth:
    state: str  # "ok", "stale" (workers exist, none beat recently) or "missing" (no worker)
    last_beat: datetime | None


def worker_health(*, now: datetime | None = None) -> WorkerHealth:
    """Whether some worker has beaten within HINDSIGHT_WORKER_STALE_SECONDS."""
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if latest is None:
        return WorkerHealth("missing", None)
    stale = latest < now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return WorkerHealth("stale" if stale else "ok", latest)


@dataclass(frozen=True)
class Turn:
    """One look at a one-worker job: what it did (None: not this worker's turn),
    its error, and when to look again."""

    done: int | None
    error: str
    next_look: datetime | None


def take_turn(*, job: Job, context: Context, due_or_not: bool = False) -> Turn:
    """Run a one-worker job here if it is due (or ``due_or_not``) and nobody else runs
    it, and record the outcome on its schedule row; all in the calling thread."""
    assert job.run is not None, "a continuous job has no turns"
    row = claim_scheduled(job=job, owner=context.worker, due_or_not=due_or_not)
    done: int | None = None
    error = ""
    if row is not None:
        try:
            done = job.run(context)
        except Exception as exc:  # recorded on the row and retried after the back-off
            error = _error(exc)
            log.exception("job %s failed in worker %s", job.name, context.worker)
        finish_scheduled(job=job, row=row, owner=context.worker, error=error)
    return Turn(done=done, error=error, next_look=next_scheduled(job=job))


def run_now(*, name: str, worker: str = "", region: str = "default") -> int:
    """Run one job here and now, in this thread: a queue until it finds no more
    work, any other job once. Returns the units of work done (for the CLI and tests)."""
    job = get(name)
    if job.run is None:
        raise ValueError(f"Job {name!r} runs continuously inside `hindsight worker` only")
    context = Context(worker=worker or worker_name(), region=region)
    if job.claim is Claim.ONE_WORKER and not isinstance(job.when, Queue):
        # Still one worker at a time: take the lease so a running worker waits.
        turn = take_turn(job=job, context=context, due_or_not=True)
        if turn.done is None:
            raise RuntimeError(f"Job {name!r} is running in another worker right now")
        if turn.error:
            raise RuntimeError(f"Job {name!r} failed: {turn.error}")
        return turn.done
    if not isinstance(job.when, Queue):
        return job.run(context)
    total = 0
    while done := job.run(context):
        total += done
    return total


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
