"""Database threads for asyncio code: each keeps its Django connection open."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


class DatabaseThreads:
    """A worker's own threads for Django calls; each keeps its database connection open.

    Opening a connection per call cost a PostgreSQL backend start (and on SQLite
    the connection PRAGMAs) twice per batch. The connections live as long as the
    worker's run: `close_connections` closes each thread's one, so nothing holds
    the database after the worker stops (a test database's teardown included).
    """

    def __init__(self, size: int, *, name: str = "hindsight-db") -> None:
        self._size = size
        self._pool = ThreadPoolExecutor(size, thread_name_prefix=name)

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
        self._pool.shutdown(wait=False)


def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return function(*args, **kwargs)
    except Exception:
        connection.close()  # a failed call may leave a broken connection: start afresh
        raise
