"""What a job engine runs: named tasks (plain functions of ids, bound by the composition
root to what they need), and how a failing one is retried."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from app.jobs.queue import JobArgument


class TaskFunction(Protocol):
    def __call__(self, **arguments: JobArgument) -> None: ...


class FailureHook(Protocol):
    def __call__(self, error: str, /, **arguments: JobArgument) -> None: ...


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    run: TaskFunction
    # Called once when the job has failed for good (its last attempt raised), so the
    # domain can say so where people look (a proposal's history, say).
    failed: FailureHook | None = None


Tasks = Mapping[str, Task]


class RetryLater(Exception):
    """Raised by a task that keeps its own schedule (a webhook delivery): run me again in
    ``retry_in`` seconds. The engine's own attempts and backoff do not apply; the task
    decides when it has failed for good (and then returns)."""

    def __init__(self, detail: str, retry_in: float) -> None:
        super().__init__(detail)
        self.retry_in = retry_in


@dataclass(frozen=True, slots=True)
class Retries:
    """``max_attempts`` tries in all; before try n + 1, ``base_seconds`` x 2^(n - 1)."""

    max_attempts: int
    base_seconds: float

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th try failed."""
        return float(self.base_seconds * 2 ** max(attempts - 1, 0))

    def last(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def described(error: BaseException) -> str:
    """What a failed job records: the error's kind and message, never a traceback."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}"[:2000] if text else type(error).__name__


def tasks_of(*tasks: Task) -> dict[str, Task]:
    return {task.name: task for task in tasks}


Clock = Callable[[], float]
