"""The check engine's loop: lease due checks from the database, run them, record them.

It runs as the ``checks`` job of `hindsight worker` (see ``monitors/jobs.py``).
Django calls are sync and run on the loop's own `DatabaseThreads`; the checks
themselves run on the probe engine with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from hindsight import egress, probe
from hindsight.monitors import claims, engine
from hindsight.monitors.models import MonitorRegionState
from hindsight.runner.threads import DatabaseThreads

log = logging.getLogger(__name__)

# On stop, batches in flight get this long to finish; then their unfinished checks
# are cancelled and handed back (due at once) so the process exits within seconds.
STOP_GRACE_SECONDS = 2.0


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
    owner: str = ""
    # Called (from a database thread) after a batch wrote flips that wait for processing.
    on_flips: Callable[[], None] | None = None


class Worker:
    """One worker process (or thread): claim, check, record, repeat.

    The loop's steps: lease up to `batch_size` due slots; run them on the
    shared probe session with at most `concurrency` checks in flight; record
    results, flips and next due times; release leases; wake the flips job when
    a batch wrote flips that wait for it. Up to `pipelines` batches run at once.
    """

    def __init__(self, options: WorkerOptions) -> None:
        self.options = options
        self.owner = options.owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stats = WorkerStats()
        self._stop = asyncio.Event()
        self._abandon = asyncio.Event()  # stop waiting for checks in flight
        self._queued = 0  # claimed checks still waiting for a place under `concurrency`
        self._room = asyncio.Event()
        self._db = DatabaseThreads(options.pipelines)

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
        log.info("checks of %s started for region %r", self.owner, self.options.region)
        failures = 0  # claims failed in a row, for the back-off
        try:
            while not self._stop.is_set():
                if rounds is not None and self.stats.rounds >= rounds:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                await slots_free.acquire()
                if not await self._room_to_claim():
                    slots_free.release()
                    break
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
                self._queued += len(batch)  # counted now: the next claim waits for room
                task = asyncio.create_task(self._check_and_record(batch, session, limiter))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                task.add_done_callback(lambda _: slots_free.release())
            if in_flight:
                await self._finish(list(in_flight))
        finally:
            await session.close()
            await asyncio.get_running_loop().run_in_executor(None, self._db.close_connections)
        log.info("checks of %s stopped after %s checks", self.owner, self.stats.checks)
        return self.stats

    async def _finish(self, batches: list[asyncio.Task[None]]) -> None:
        """Let the batches in flight finish; once stopped, give them STOP_GRACE_SECONDS,
        then hand their unfinished checks back."""
        everything = asyncio.gather(*batches)
        stopped = asyncio.ensure_future(self._stop.wait())
        waits: list[asyncio.Future[Any]] = [everything, stopped]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not everything.done():
            _, late = await asyncio.wait(batches, timeout=STOP_GRACE_SECONDS)
            if late:
                log.info("handing back the unfinished checks of %s batch(es)", len(late))
                self._abandon.set()
        await everything

    async def _room_to_claim(self) -> bool:
        """Wait while a concurrency's worth of claimed checks still waits to start (in a
        mass timeout other workers take the rest); False when stopped meanwhile."""
        while self._queued >= self.options.concurrency and not self._stop.is_set():
            self._room.clear()
            room = asyncio.ensure_future(self._room.wait())
            stop = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait([room, stop], return_when=asyncio.FIRST_COMPLETED)
            room.cancel()
            stop.cancel()
        return not self._stop.is_set()

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
        checks = [
            asyncio.create_task(self._one(spec, slot, session, limiter))
            for spec, slot in zip(specs, batch, strict=True)
        ]
        keeper = asyncio.create_task(self._keep_leases(batch))
        try:
            await self._until_done_or_abandoned(checks)
        finally:
            keeper.cancel()
        done = [(slot, task) for slot, task in zip(batch, checks, strict=True) if task.done()]
        unfinished = [slot for slot, task in zip(batch, checks, strict=True) if not task.done()]
        for task in checks:
            task.cancel()
        if unfinished:
            await self._db.run(claims.hand_back, slots=unfinished, owner=self.owner)
        batch = [slot for slot, _ in done]
        results = [task.result() for _, task in done]
        if not batch:
            return
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

    async def _until_done_or_abandoned(self, checks: list[asyncio.Task[probe.ProbeResult]]) -> None:
        everything = asyncio.gather(*checks, return_exceptions=True)
        abandoned = asyncio.ensure_future(self._abandon.wait())
        try:
            waits: list[asyncio.Future[Any]] = [everything, abandoned]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            abandoned.cancel()

    async def _keep_leases(self, batch: list[MonitorRegionState]) -> None:
        """Extend the batch's leases while its checks wait and run (a mass timeout queues
        them behind the concurrency limit for longer than one timeout)."""
        every = claims.lease_grace().total_seconds() / 2
        while True:
            await asyncio.sleep(every)
            try:
                await self._db.run(claims.renew, slots=batch, owner=self.owner)
            except DatabaseError as exc:
                log.warning("renewing %s check leases failed: %s", len(batch), exc)

    async def _one(
        self,
        spec: probe.CheckSpec | None,
        slot: MonitorRegionState,
        session: probe.Session,
        limiter: asyncio.Semaphore,
    ) -> probe.ProbeResult:
        if spec is None:
            self._started_one()
            return probe.ProbeResult(
                status=probe.Status.DOWN,
                checked_at=timezone.now(),
                error_class=probe.ErrorClass.INVALID_SPEC,
                reason=engine.spec_error(slot.monitor) or "The monitor's settings are invalid",
            )
        try:
            await limiter.acquire()
        except asyncio.CancelledError:
            self._started_one()
            raise
        self._started_one()
        try:
            return await probe.run_check(spec, session=session)
        finally:
            limiter.release()

    def _started_one(self) -> None:
        self._queued -= 1
        if self._queued < self.options.concurrency:
            self._room.set()

    def _record(self, batch: Sequence[MonitorRegionState], results: list[probe.ProbeResult]) -> int:
        flips = claims.record_batch(slots=batch, results=results, owner=self.owner)
        if self.options.on_flips and any(f.processed_at is None for f in flips):
            self.options.on_flips()
        return len(flips)
