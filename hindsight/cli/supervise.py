"""Keep one `hindsight worker` running beside `hindsight serve`.

The worker is a child process; a thread of the serve process (not of a web
process) waits on it. When it exits without being asked to, the exit is
logged and the worker started again, after a pause that doubles while it
keeps dying quickly (1 s up to 60 s), so a worker that cannot start does not
spin. Its heartbeat tells `/healthz` whether it is alive meanwhile.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

log = logging.getLogger("hindsight.serve")

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# A worker that ran this long counts as healthy: the next restart pauses only FIRST_PAUSE.
STEADY_AFTER = 60.0


class Supervisor:
    """Start ``command`` now and restart it whenever it dies, until ``stop``."""

    def __init__(
        self,
        command: Sequence[str] = (sys.executable, "-m", "hindsight", "worker"),
        *,
        on_start: Callable[[int, int], None] = lambda pid, restarts: None,
    ) -> None:
        self.command = list(command)
        self.restarts = 0
        self._on_start = on_start
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def start(self) -> int:
        """Start the worker and the thread that watches it; return the worker's pid."""
        self._spawn()
        self._thread.start()
        assert self._process is not None
        return self._process.pid

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # Its own session: a Ctrl-C in the terminal reaches serve, which stops the
            # worker itself; any exit the supervisor did not ask for is a death.
            self._process = subprocess.Popen(self.command, start_new_session=True)
            self._on_start(self._process.pid, self.restarts)

    def _watch(self) -> None:
        pause = FIRST_PAUSE
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY_AFTER:
                pause = FIRST_PAUSE
            log.error(
                "the worker (pid %s) exited with code %s; starting it again in %.0f s",
                process.pid,
                code,
                pause,
            )
            if self._stopping.wait(pause):
                return
            pause = min(LONGEST_PAUSE, pause * 2)
            self.restarts += 1
            self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop watching, then ask the worker to finish (SIGTERM), killing it after ``timeout``."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
