"""The job registry: every piece of background work is declared here once.

A job says what it runs, when (on a schedule, as a queue, or continuously),
how workers share it (one worker at a time, every worker, or by leasing rows)
and how it is retried. Apps declare their jobs in their ``jobs.py``, loaded
when the app is ready; ``hindsight worker`` runs whatever is registered.
Adding background work is one ``register(Job(...))``.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


class Claim(enum.Enum):
    """How several workers share a job."""

    # One worker at a time holds the job's schedule row (a lease) while it runs.
    ONE_WORKER = "one worker"
    # Every worker runs it: work local to the worker's machine (its snapshot files).
    EVERY_WORKER = "every worker"
    # The job leases the rows it works on, so any number of workers run it at once.
    ROWS = "leased rows"


@dataclass(frozen=True)
class Retry:
    """Exponential back-off with jitter, and an optional limit on attempts."""

    first_seconds: float
    cap_seconds: float
    max_attempts: int | None = None

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failure: doubling, capped, ±25 % jitter.

        The jitter keeps many rows that failed together (one receiver down)
        from all coming back in the same second.
        """
        base = min(self.cap_seconds, self.first_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=base * random.uniform(0.75, 1.25))

    def exhausted(self, attempts: int) -> bool:
        """True when ``attempts`` failures mean giving up."""
        return self.max_attempts is not None and attempts >= self.max_attempts

    def describe(self) -> str:
        limit = f", {self.max_attempts} tries" if self.max_attempts else ""
        return f"{self.first_seconds:g}–{self.cap_seconds:g} s{limit}"


@dataclass(frozen=True)
class Every:
    """Run on a schedule: every ``seconds`` (a number, or a function read when the runner starts)."""

    seconds: float | Callable[[], float]

    def interval(self) -> float:
        return float(self.seconds() if callable(self.seconds) else self.seconds)

    def describe(self) -> str:
        return f"every {self.interval():g} s"


@dataclass(frozen=True)
class Queue:
    """Run while there is work: each call takes one unit (a batch, a destination) and
    returns how much it did; a call that finds nothing waits ``poll_seconds`` or for a
    wake-up. ``concurrency`` calls run at once in one worker."""

    concurrency: int | Callable[[], int] = 1
    poll_seconds: float = 1.0

    def slots(self) -> int:
        return max(1, int(self.concurrency() if callable(self.concurrency) else self.concurrency))

    def describe(self) -> str:
        return f"queue ×{self.slots()}"


@dataclass(frozen=True)
class Continuous:
    """An asyncio loop that runs as long as the worker does (the check engine)."""

    def describe(self) -> str:
        return "continuous"


@dataclass
class Context:
    """What a job gets from the worker running it."""

    worker: str
    region: str = "default"
    options: dict[str, Any] = field(default_factory=dict)
    # Wake another job of this worker now (a queue that has new work), e.g. "flips".
    wake: Callable[[str], None] = lambda name: None
    # Continuous jobs: set when the worker stops; the loop finishes and returns.
    stopping: Any = None

    def stopped(self) -> bool:
        """Whether the worker is stopping: a job working through many rows (in a database
        thread) checks it between rows, so SIGTERM is answered within seconds."""
        return bool(self.stopping is not None and self.stopping.is_set())


@dataclass(frozen=True)
class Job:
    """One kind of background work.

    ``run`` is a plain function (run in one of the worker's database threads)
    returning how many units of work it did; ``loop`` is the coroutine of a
    continuous job. ``retry`` is how a failed unit is retried: a scheduled
    run, or each row a queue job leases (the job applies it to its rows).
    ``timeout_seconds`` bounds how long a worker holds a one-worker job
    before another may take it over.
    """

    name: str
    description: str
    when: Every | Queue | Continuous
    claim: Claim
    retry: Retry
    run: Callable[[Context], int] | None = None
    loop: Callable[[Context], Awaitable[int]] | None = None
    timeout_seconds: float = 600.0


_JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add a job to the registry (a second job of the same name is a mistake)."""
    if job.name in _JOBS and _JOBS[job.name] != job:
        raise ValueError(f"A job named {job.name!r} is already registered")
    if (job.loop is None) == (job.run is None):
        raise ValueError(f"Job {job.name!r} needs exactly one of run= or loop=")
    if isinstance(job.when, Continuous) != (job.loop is not None):
        raise ValueError(f"Job {job.name!r}: only a continuous job has a loop")
    _JOBS[job.name] = job
    return job


def registered() -> list[Job]:
    """Every registered job, in the order they were declared."""
    return list(_JOBS.values())


def get(name: str) -> Job:
    """The job called ``name``; KeyError names the jobs there are."""
    try:
        return _JOBS[name]
    except KeyError:
        raise KeyError(f"No job {name!r}; there are: {', '.join(_JOBS)}") from None
