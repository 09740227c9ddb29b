"""What the composition root and the routes need of a job engine, beyond deferring: start
and stop it with the app, wait a little for a job's result, list the jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.jobs.queue import Jobs
from app.kit.pagination import Page

T = TypeVar("T")


class JobEngine(Jobs, Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def wait_for(self, found: Callable[[], T | None], seconds: float) -> T | None:
        """``found()`` once it answers (not None), within ``seconds``; else None."""

    def listing(
        self, session: Session, status: str | None, task: str | None, limit: int,
        cursor: str | None,
    ) -> Page[dict[str, Any]]: ...  # fmt: skip
