"""Waiting for what the code under test does, not for a while: events that another process
sets (a worker process tells the test it is running), and processes' exits."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess


@dataclass(frozen=True)
class Notifier:
    """Sets a ProcessEvent from any process (it pickles: only the address travels)."""

    address: tuple[str, int]

    def __call__(self) -> socket.socket:
        """Set the event; the open connection comes back, so the caller may wait on it for
        a release (``release`` of the event closes the other end)."""
        return socket.create_connection(self.address, timeout=30)


class ProcessEvent:
    """An event another process sets: a listening socket on the loopback; setting it is
    connecting to it (``notifier``), waiting for it is accepting. Works whatever the way the
    other process was started (fork, spawn, forkserver), unlike multiprocessing's events."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._accepted: list[socket.socket] = []
        host, port = self._listener.getsockname()[:2]
        self.notifier = Notifier((host, port))

    def wait(self, timeout: float) -> bool:
        """Whether the event was set (once more than it was waited for before) within
        ``timeout`` seconds."""
        self._listener.settimeout(timeout)
        try:
            connection, _ = self._listener.accept()
        except TimeoutError:
            return False
        self._accepted.append(connection)
        return True

    def release(self) -> None:
        """Close every connection the setters made: a setter waiting on its own returns."""
        for connection in self._accepted:
            connection.close()
        self._accepted.clear()
        self._listener.close()


def wait_for_exits(processes: Iterable[BaseProcess], timeout: float) -> None:
    """Return once every one of ``processes`` has exited (its sentinel is ready); fail past
    ``timeout`` seconds. Each sentinel is duplicated first, so a pool that reaps and closes
    its worker meanwhile cannot take the handle away."""
    sentinels = [os.dup(process.sentinel) for process in processes]
    deadline = time.monotonic() + timeout
    try:
        pending = list(sentinels)
        while pending:
            ready = wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{len(pending)} process(es) still running after {timeout} s")
            pending = [fd for fd in pending if fd not in ready]
    finally:
        for fd in sentinels:
            os.close(fd)
