"""The monitor worker: an asyncio loop that leases due checks from the database and runs them.

Django calls are sync and run on the worker's own `DatabaseThreads`; the checks
themselves run on the probe engine with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import DatabaseError, connection
from django.utils import timezone

from hindsight import egress, probe
from hindsight.monitors import claims, engine, services, storage
from hindsight.monitors.models import MonitorRegionState

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class WorkerStats:
    """What a worker has done, for logs, tests and the benchmark."""

    rounds: int = 0
    checks: int = 0
    flips: int = 0
    errors: int = 0
    lags: list[float] = field(default_factory=list)  # seconds between due and start

    def note_lag(self, seconds: float) -> None:
        if len(self.lags) < 1_000_000:  # bounded memory in long runs
            self.lags.append(seconds)


@dataclass
class WorkerOptions:
    region: str = "default"
    concurrency: int = 200
    batch_size: int = 500
    pipelines: int = 4  # batches in flight at once: checks overlap the DB writes
    idle_sleep: float = 0.5
    housekeeping_every: float = 30.0  # flips, quiet incidents, outbox, rollups, pruning
    owner: str = ""


class Worker:
    """One worker process (or thread): claim, check, record, repeat.

    The loop's steps: lease up to `batch_size` due slots; run them on the
    shared probe session with at most `concurrency` checks in flight; record
    results, flips and next due times; release leases. Up to `pipelines`
    batches run at once. Beside that loop, every `housekeeping_every` seconds
    (and once before the first claim), it turns flips into incidents, resolves
    quiet incidents, sends due notifications, and rolls up and prunes stored
    results.
    """

    def __init__(self, options: WorkerOptions) -> None:
        self.options = options
        self.owner = options.owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stats = WorkerStats()
        self._stop = asyncio.Event()
        self._db = DatabaseThreads(options.pipelines + 1)  # + 1 for housekeeping

    def stop(self) -> None:
        """Ask the loop to finish its batches in flight and return."""
        self._stop.set()

    async def run(self, *, rounds: int | None = None, seconds: float | None = None) -> WorkerStats:
        """Run until stopped, or for `rounds` claim rounds, or for `seconds`."""
        deadline = None if seconds is None else time.monotonic() + seconds
        session = probe.make_session(concurrency=self.options.concurrency, guard=egress.guard())
        limiter = asyncio.Semaphore(self.options.concurrency)
        slots_free = asyncio.Semaphore(self.options.pipelines)
        in_flight: set[asyncio.Task[None]] = set()
        log.info("worker %s started for region %r", self.owner, self.options.region)
        # Once before the first claim (slots for new monitors), then beside the claim loop:
        # rolling up a busy minute must not hold up the checks due meanwhile.
        await self._housekeeping()
        finished = asyncio.Event()
        housekeeping = asyncio.create_task(self._housekeeping_loop(finished))
        failures = 0  # claims failed in a row, for the back-off
        try:
            while not self._stop.is_set():
                if rounds is not None and self.stats.rounds >= rounds:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                await slots_free.acquire()
                try:
                    batch = await self._db.run(self._claim)
                except DatabaseError as exc:
                    # The database restarting or failing over must not end the worker.
                    slots_free.release()
                    self.stats.errors += 1
                    failures += 1
                    pause = min(30.0, self.options.idle_sleep * 2**failures)
                    log.warning("claiming checks failed (%s); retrying in %.1f s", exc, pause)
                    await self._idle(pause)
                    continue
                failures = 0
                self.stats.rounds += 1
                if not batch:
                    slots_free.release()
                    await self._idle()
                    continue
                task = asyncio.create_task(self._check_and_record(batch, session, limiter))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                task.add_done_callback(lambda _: slots_free.release())
            if in_flight:
                await asyncio.gather(*in_flight)
            finished.set()
            await housekeeping
            await self._housekeeping()  # the last batches' flips become incidents now
        finally:
            housekeeping.cancel()
            await session.close()
            await asyncio.get_running_loop().run_in_executor(None, self._db.close_connections)
        log.info("worker %s stopped after %s checks", self.owner, self.stats.checks)
        return self.stats

    async def _housekeeping_loop(self, finished: asyncio.Event) -> None:
        while not finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), timeout=self.options.housekeeping_every)
            if not finished.is_set():
                await self._housekeeping()

    async def _idle(self, seconds: float | None = None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds or self.options.idle_sleep)

    def _claim(self) -> list[MonitorRegionState]:
        return claims.claim_due(
            owner=self.owner, region=self.options.region, limit=self.options.batch_size
        )

    async def _check_and_record(
        self,
        batch: list[MonitorRegionState],
        session: probe.Session,
        limiter: asyncio.Semaphore,
    ) -> None:
        started = timezone.now()
        for slot in batch:
            self.stats.note_lag((started - slot.next_due_at).total_seconds())
        specs: list[probe.CheckSpec | None] = []
        for slot in batch:
            try:
                specs.append(engine.check_spec(slot.monitor))
            except (TypeError, ValueError) as exc:
                log.warning("monitor %s cannot run: %s", slot.monitor_id, exc)
                specs.append(None)
        results = await asyncio.gather(
            *(
                self._one(spec, slot, session, limiter)
                for spec, slot in zip(specs, batch, strict=True)
            )
        )
        try:
            flips = await self._db.run(self._record, batch, results)
        except Exception:
            # Push the batch forward so a monitor that breaks recording cannot crash-loop us.
            log.exception("recording a batch of %s checks failed", len(batch))
            self.stats.errors += 1
            await self._db.run(claims.release, slots=batch, owner=self.owner, now=timezone.now())
            return
        self.stats.checks += len(batch)
        self.stats.flips += flips

    async def _one(
        self,
        spec: probe.CheckSpec | None,
        slot: MonitorRegionState,
        session: probe.Session,
        limiter: asyncio.Semaphore,
    ) -> probe.CheckResult:
        if spec is None:
            return probe.CheckResult(
                status=probe.Status.DOWN,
                checked_at=timezone.now(),
                error_class=probe.ErrorClass.INVALID_SPEC,
                reason=engine.spec_error(slot.monitor) or "The monitor's settings are invalid",
            )
        async with limiter:
            return await probe.run_check(spec, session=session)

    def _record(self, batch: Sequence[MonitorRegionState], results: list[probe.CheckResult]) -> int:
        flips = claims.record_batch(slots=batch, results=results, owner=self.owner)
        if any(f.region == "" for f in flips):
            services.process_flips()
        return len(flips)

    async def _housekeeping(self) -> None:
        for step in (
            services.ensure_slots,
            services.process_flips,
            services.resolve_quiet_incidents,
            _deliver,
            _store,
        ):
            try:
                await self._db.run(step)
            except Exception:
                log.exception("housekeeping step %s failed", step.__name__)
                self.stats.errors += 1


class DatabaseThreads:
    """The worker's own threads for Django calls; each keeps its database connection open.

    Opening a connection per call cost a PostgreSQL backend start (and on SQLite
    the connection PRAGMAs) twice per batch. The connections live as long as the
    worker's run: `close_connections` closes each thread's one, so nothing holds
    the database after the worker stops (a test database's teardown included).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._pool = ThreadPoolExecutor(size, thread_name_prefix="hindsight-db")

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, functools.partial(_call, function, *args, **kwargs)
        )

    def close_connections(self) -> None:
        """Close every thread's connection: one job per thread, held there by a barrier."""
        barrier = threading.Barrier(self._size)

        def close_here() -> None:
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            finally:
                connection.close()

        for future in [self._pool.submit(close_here) for _ in range(self._size)]:
            future.result()


def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return function(*args, **kwargs)
    except Exception:
        connection.close()  # a failed call may leave a broken connection: start afresh
        raise


def _deliver() -> None:
    from hindsight.integrations.outbox import deliver_due

    deliver_due()


def _store() -> None:
    storage.roll_up()
    storage.prune()


def run_worker(options: WorkerOptions) -> WorkerStats:
    """Run a worker until SIGINT/SIGTERM (the CLI's entry point)."""
    import signal

    async def main() -> WorkerStats:
        worker = Worker(options)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        return await worker.run()

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(main())


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (about a third less CPU per check), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
