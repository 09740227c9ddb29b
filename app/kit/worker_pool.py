"""Worker processes with a hard deadline, shared by the solver and the PDF renderer.

At most ``workers`` tasks run at once; at most ``queue`` callers wait, each up to
``queue_wait`` seconds, for a free slot; the others get ``Busy`` (503 with ``Retry-After``)
at once, so no queue grows without bound.
A task still running at its timeout is killed with its process (``TimedOut``); a process
that dies in a task (out of memory, a crash in a C library) is ``Died``. A pool whose
workers died outside any task (pebble then refuses every later task) is replaced, so one
bad moment never breaks the service for good.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from pebble import ProcessExpired, ProcessPool

from app.kit.gate import Busy, Gate

__all__ = ["Busy", "Died", "TimedOut", "WorkerPool"]


class TimedOut(Exception):
    """The task ran past its timeout; its worker was killed."""


class Died(Exception):
    """The worker died during the task (out of memory, or a crash)."""


class WorkerPool:
    def __init__(
        self,
        *,
        workers: int,
        queue_wait: float,
        queue: int | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: Iterable[Any] = (),
        context: BaseContext | None = None,
    ) -> None:
        self.workers, self.queue_wait = workers, queue_wait
        self._initializer, self._initargs, self._context = initializer, tuple(initargs), context
        # By default as many may wait as run: enough to keep the workers fed.
        self._gate = Gate(slots=workers, queue=workers if queue is None else queue, wait=queue_wait)
        self._lock = threading.Lock()
        self._pool: ProcessPool | None = None

    def _started(self) -> ProcessPool:
        with self._lock:
            if self._pool is None:
                options: dict[str, Any] = {"context": self._context} if self._context else {}
                self._pool = ProcessPool(
                    max_workers=self.workers, initializer=self._initializer,
                    initargs=self._initargs, **options,
                )  # fmt: skip
            return self._pool

    def _replace(self, broken: ProcessPool) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.stop()  # type: ignore[no-untyped-call]  # untyped in pebble
        broken.join()

    def run(self, function: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in a worker, within ``timeout`` seconds."""
        with self._gate.admitted():
            pool = self._started()
            try:
                future = pool.schedule(function, args=args, kwargs=kwargs, timeout=timeout)
                return future.result()
            except FutureTimeout as error:
                raise TimedOut from error
            except ProcessExpired as error:
                raise Died from error
            except (BrokenProcessPool, RuntimeError) as error:
                if isinstance(error, RuntimeError) and pool.active:
                    raise  # a task's own RuntimeError, not the pool's
                self._replace(pool)
                raise Died from error

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]  # untyped in pebble
            pool.join()
