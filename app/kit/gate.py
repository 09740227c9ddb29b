"""Admission with a bounded queue: what turns overload into a prompt 503 with Retry-After
instead of a pile of waiting requests. Shared by the solver and renderer pools and the
options engines."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """Every slot stayed taken for the whole wait, or the queue was already full."""


class Gate:
    """At most ``slots`` holders at once; at most ``queue`` callers waiting for a slot, each
    for ``wait`` seconds at most. A caller beyond the queue is refused at once."""

    def __init__(self, *, slots: int, queue: int, wait: float) -> None:
        self.slots, self.queue, self.wait = slots, queue, wait
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    def _acquire(self) -> None:
        if self._slots.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self.queue:
                raise Busy
            self._waiting += 1
        try:
            admitted = self._slots.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise Busy

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold a slot for the block; ``Busy`` when none comes in time."""
        self._acquire()
        try:
            yield
        finally:
            self._slots.release()
