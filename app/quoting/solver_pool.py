"""Solving off the event loop, in warm worker processes with a hard deadline.

CP-SAT's own time limit can overrun on some models (or-tools #3243, #4882), so the bound
that always holds is the process: a solve still running at its time limit plus a grace is
killed with its worker (pebble replaces the worker). At most ``workers`` solves run at
once; a request waits up to ``queue_wait`` seconds for a free slot, then is refused with
503 and ``Retry-After``, so the queue never grows without bound.

Snapshots reach the workers as a file, pickled once per catalog revision (a 10,000-component
catalog pickles to 24 MB: too much to send with every request); each worker keeps the last
one it loaded, so a warm worker does no catalog work at all.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.configurator import ConfigurationRequest, Limits, Solution, configure
from app.kit.errors import SolverBusy, SolverKilled
from app.kit.worker_pool import Busy, Died, TimedOut, WorkerPool
from catalog import CatalogSnapshot

Solve = Callable[[CatalogSnapshot, ConfigurationRequest, Limits], Solution]


_cached: tuple[str, CatalogSnapshot] | None = None


def _warm() -> None:
    # Import OR-Tools and the solver once per worker, not once per request.
    from ortools.sat.python import cp_model  # noqa: F401


def _run(solve: Solve, key: str, path: str, request: ConfigurationRequest, limits: Limits) -> Any:
    global _cached
    if _cached is None or _cached[0] != key:
        # The snapshot lives as long as the worker serves this revision: frozen, the cyclic
        # collector stops walking its objects on every collection (measured: half a second
        # of a 10,000-component solve). The previous one is unfrozen so it can go.
        gc.unfreeze()
        _cached = None
        gc.collect()
        _cached = (key, pickle.loads(Path(path).read_bytes()))
        gc.freeze()
    return solve(_cached[1], request, limits)


class Solver(Protocol):
    """Solves a request on a snapshot named by ``key``: the pool, or in process."""

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution: ...


class InlineSolver:
    """Solves in the calling thread: for the command line, where one solve runs at a time
    and a worker process would only add its start-up."""

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        return configure(snapshot, request, limits)


class SolverPool:
    def __init__(
        self,
        *,
        workers: int,
        queue_wait: float,
        grace: float,
        solve: Solve = configure,
    ) -> None:
        self.workers, self.queue_wait, self.grace = workers, queue_wait, grace
        self._solve = solve
        self._workers = WorkerPool(workers=workers, queue_wait=queue_wait, initializer=_warm)
        self._lock = threading.Lock()
        self._directory: Path | None = None  # made on the first solve, removed on close
        self._files: dict[str, Path] = {}  # revision key -> pickled snapshot, newest last
        self._users: Counter[str] = Counter()  # revision key -> solves using its file

    def solves_with(self, solve: Solve) -> bool:
        return self._solve is solve

    def _file(self, key: str, snapshot: CatalogSnapshot) -> str:
        """The pickled snapshot's file for ``key``, written once; the caller holds a use of
        it (``_release`` gives it back). Files of older revisions go once no solve uses
        them."""
        with self._lock:
            self._users[key] += 1
            path = self._files.get(key)
            if path is not None:
                return str(path)
        # Pickled outside the lock (a big catalog takes seconds); a racing writer of the
        # same revision writes the same bytes, and the rename makes either one whole.
        data = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._directory is None:
                self._directory = Path(tempfile.mkdtemp(prefix="offerwright-snapshots-"))
            name = hashlib.sha256(key.encode()).hexdigest()[:32]
            path = self._directory / f"{name}.pickle"
            partial = path.with_suffix(f".{threading.get_ident()}.partial")
            partial.write_bytes(data)
            partial.replace(path)  # a worker never reads half a file
            self._files.pop(key, None)
            self._files[key] = path  # newest last
            self._sweep()
            return str(path)

    def _release(self, key: str) -> None:
        with self._lock:
            self._users[key] -= 1
            if self._users[key] <= 0:
                del self._users[key]
            self._sweep()

    def _sweep(self) -> None:
        """Remove the files of all but the newest revision that no solve is using."""
        for old in list(self._files)[:-1]:
            if old not in self._users:
                self._files.pop(old).unlink(missing_ok=True)

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        """Run one solve in a worker; ``key`` names the snapshot (its catalog revision)."""
        try:
            path = self._file(key, snapshot)
            result: Solution = self._workers.run(
                _run, self._solve, key, path, request, limits,
                timeout=limits.time_limit_seconds + self.grace,
            )  # fmt: skip
            return result
        except Busy as error:
            # Most solves take well under a second: a short retry finds a free solver.
            raise SolverBusy(
                "every solver is busy; retry in a moment", headers={"Retry-After": "1"}
            ) from error
        except TimedOut as error:
            raise SolverKilled(
                f"the solve ran past its time limit of {limits.time_limit_seconds:g} s "
                "and was stopped; narrow the request or retry",
                headers={"Retry-After": "1"},
            ) from error
        except Died as error:
            raise SolverKilled(
                "the solver stopped unexpectedly (out of memory?); retry",
                headers={"Retry-After": "1"},
            ) from error
        finally:
            self._release(key)

    def close(self) -> None:
        self._workers.close()
        with self._lock:
            if self._directory is not None:
                shutil.rmtree(self._directory, ignore_errors=True)
                self._directory = None
            self._files.clear()
