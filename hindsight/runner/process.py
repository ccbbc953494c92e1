"""The worker process: every registered job, side by side, until stopped.

``hindsight worker`` builds one ``Runner``. Its steps: beat the heartbeat
(and keep beating); start one task per scheduled job, ``concurrency`` tasks
per queue job and one per continuous job; each task calls its job's function
in a database thread, records what happened and waits for the next turn. A
job that raises is logged, recorded and retried after its back-off; it never
stops the runner or another job. On stop, calls in flight finish, the
heartbeat is removed and the database connections are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hindsight.runner import services, wakeups
from hindsight.runner.registry import Claim, Context, Every, Job, Queue, Retry
from hindsight.runner.threads import DatabaseThreads

log = logging.getLogger(__name__)

SOONEST_SECONDS = 1.0  # a scheduled job held by another worker is looked at again no sooner
HEARTBEAT_SECONDS = 5.0
IDLE_SLOT_SECONDS = 30.0  # a queue's extra slots look this seldom unless called in
# A queue whose function raises (rows failing are the job's own business) or a schedule
# that cannot be read: the database is away, so look again soon, then less often.
OUTAGE_RETRY = Retry(first_seconds=1, cap_seconds=30)


@dataclass
class JobStats:
    """What one job did in this worker, for logs, the CLI and tests."""

    runs: int = 0
    work: int = 0
    errors: int = 0
    last_error: str = ""


class Runner:
    """Runs ``jobs`` in this process until ``stop`` (or for ``seconds``)."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        worker: str = "",
        region: str = "default",
        options: dict[str, Any] | None = None,
        poll_seconds: float | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.jobs = list(jobs)
        self.worker = worker or services.worker_name()
        self.region = region
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.stats = {job.name: JobStats() for job in self.jobs}
        self._options = options or {}
        self._stopping = asyncio.Event()
        self._wakes: dict[str, asyncio.Event] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        threads = sum(j.when.slots() if isinstance(j.when, Queue) else 1 for j in self.jobs)
        self._db = DatabaseThreads(threads + 1, name="hindsight-job")  # + 1: the heartbeat

    def stop(self) -> None:
        """Ask every job to finish what it is doing and the runner to return; safe
        from any thread (a signal handler, a test, a supervisor)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._stopping.set()
        else:
            loop.call_soon_threadsafe(self._stopping.set)

    def wake(self, name: str) -> None:
        """Run job ``name`` now rather than at its next poll or interval (a queue, or a
        job every worker runs on its own machine); safe from any thread."""
        event, loop = self._wakes.get(name), self._loop
        if event is None or loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(event.set)

    async def run(self, *, seconds: float | None = None) -> dict[str, JobStats]:
        """Run every job until stopped, or for ``seconds``; return what each did."""
        self._loop = asyncio.get_running_loop()
        self._wakes = {job.name: asyncio.Event() for job in self.jobs}
        context = Context(
            worker=self.worker,
            region=self.region,
            options=self._options,
            wake=self.wake,
            stopping=self._stopping,
        )
        await self._beat()
        log.info("worker %s running %s", self.worker, ", ".join(j.name for j in self.jobs))
        tasks = [asyncio.create_task(self._heartbeat())]
        for job in self.jobs:
            if isinstance(job.when, Queue):
                tasks += [
                    asyncio.create_task(self._queue(job, context, slot))
                    for slot in range(job.when.slots())
                ]
            elif isinstance(job.when, Every):
                tasks.append(asyncio.create_task(self._scheduled(job, context)))
            else:
                tasks.append(asyncio.create_task(self._continuous(job, context)))
        listener = self._listen()
        try:
            if seconds is None:
                await self._stopping.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
            self._stopping.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            listener.set()
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                await self._db.run(services.forget, worker=self.worker)
            await asyncio.get_running_loop().run_in_executor(None, self._db.close_connections)
        log.info("worker %s stopped", self.worker)
        return self.stats

    async def _beat(self) -> None:
        try:
            await self._db.run(services.beat, worker=self.worker, region=self.region)
        except Exception as exc:  # the database restarting must not end the worker
            log.warning("heartbeat of worker %s failed: %s", self.worker, exc)

    async def _heartbeat(self) -> None:
        while not await self._pause(self.heartbeat_seconds):
            await self._beat()

    async def _pause(self, seconds: float, wake: asyncio.Event | None = None) -> bool:
        """Wait ``seconds`` (or until woken); True when the runner is stopping."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if wake is not None:
            waits.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, timeout=max(0.0, seconds), return_when="FIRST_COMPLETED")
        finally:
            for waiting in waits:
                waiting.cancel()
        if wake is not None:
            wake.clear()
        return self._stopping.is_set()

    async def _call(self, job: Job, context: Context) -> tuple[int, str]:
        """Run the job's function once in a database thread; (work done, error or "")."""
        assert job.run is not None
        stats = self.stats[job.name]
        stats.runs += 1
        try:
            done = await self._db.run(job.run, context)
        except Exception as exc:
            stats.errors += 1
            stats.last_error = f"{type(exc).__name__}: {exc}"[:500]
            log.exception("job %s failed in worker %s", job.name, self.worker)
            return 0, stats.last_error
        stats.work += done
        return done, ""

    async def _queue(self, job: Job, context: Context, slot: int) -> None:
        """One slot of a queue: take work while there is some, else wait.

        Only the first slot polls; the others sleep until a slot that found
        work (or a wake-up) calls them in, so an idle queue costs one cheap
        query a second however many slots it has.
        """
        failures = 0
        wake = self._wakes[job.name]
        assert isinstance(job.when, Queue)
        first = job.when.poll_seconds if self.poll_seconds is None else self.poll_seconds
        poll = first if slot == 0 else max(first, IDLE_SLOT_SECONDS)
        while not self._stopping.is_set():
            done, error = await self._call(job, context)
            if error:
                failures += 1
                if await self._pause(OUTAGE_RETRY.delay(failures).total_seconds()):
                    return
                continue
            failures = 0
            if done:
                wake.set()  # more work may be waiting: let the idle slots join in
                await asyncio.sleep(0)  # let the other tasks in between
                continue
            if await self._pause(poll, wake):
                return

    async def _scheduled(self, job: Job, context: Context) -> None:
        assert isinstance(job.when, Every)
        interval = job.when.interval()
        if interval <= 0:
            log.info("job %s is switched off (interval 0)", job.name)
            return
        failures = 0
        while not self._stopping.is_set():
            try:
                wait = await self._scheduled_turn(job, context, interval)
                failures = 0
            except Exception as exc:  # the database is away: try again later
                failures += 1
                log.warning("scheduling job %s failed: %s", job.name, exc)
                wait = OUTAGE_RETRY.delay(failures).total_seconds()
            if await self._pause(wait, self._wakes[job.name]):
                return

    async def _scheduled_turn(self, job: Job, context: Context, interval: float) -> float:
        """Run a scheduled job if it is this worker's turn; return seconds until the next look."""
        if job.claim is not Claim.ONE_WORKER:
            _, error = await self._call(job, context)
            return (
                job.retry.delay(self.stats[job.name].errors).total_seconds() if error else interval
            )
        # Claim, run, record and read the next time in one trip to a database thread.
        turn = await self._db.run(services.take_turn, job=job, context=context)
        stats = self.stats[job.name]
        if turn.done is not None:
            stats.runs += 1
            stats.work += turn.done
        if turn.error:
            stats.runs += 1
            stats.errors += 1
            stats.last_error = turn.error
        if turn.next_look is None:
            return interval
        wait = (turn.next_look - timezone.now()).total_seconds()
        return min(interval, max(SOONEST_SECONDS, wait))

    async def _continuous(self, job: Job, context: Context) -> None:
        assert job.loop is not None
        failures = 0
        while not self._stopping.is_set():
            stats = self.stats[job.name]
            stats.runs += 1
            try:
                stats.work += await job.loop(context)
                failures = 0
            except Exception as exc:
                failures += 1
                stats.errors += 1
                stats.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.exception("job %s stopped with an error; restarting it", job.name)
            if await self._pause(job.retry.delay(failures).total_seconds() if failures else 1.0):
                return

    def _listen(self) -> threading.Event:
        """On PostgreSQL, wake queues as soon as a change that feeds them commits."""
        stop = threading.Event()
        if wakeups.available():
            # Queues, and scheduled jobs every worker runs for its own machine (a
            # withdrawal from the status page must reach every machine's snapshot).
            woken = {
                job.name
                for job in self.jobs
                if isinstance(job.when, Queue) or job.claim is Claim.EVERY_WORKER
            }

            def wake(name: str) -> None:
                if name in woken:
                    self.wake(name)

            thread = threading.Thread(
                target=wakeups.listen,
                args=(wake, stop),
                name="hindsight-listen",
                daemon=True,
            )
            thread.start()
        return stop


def run_worker(runner: Runner) -> dict[str, JobStats]:
    """Run ``runner`` on uvloop (when installed) until SIGINT/SIGTERM: the CLI's entry point."""
    import signal

    async def main() -> dict[str, JobStats]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        return await runner.run()

    with asyncio.Runner(loop_factory=event_loop_factory()) as loop_runner:
        return loop_runner.run(main())


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (about a third less CPU per check), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def jobs_for(names: Sequence[str] = ()) -> list[Job]:
    """The registered jobs, or only those named (in registry order)."""
    from hindsight.runner.registry import get, registered

    if not names:
        return registered()
    wanted = {get(name).name for name in names}
    return [job for job in registered() if job.name in wanted]
