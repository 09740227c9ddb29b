"""A job engine for unit tests: it records what a domain deferred, and only what was
committed, so a test can assert on the jobs asked for and run them itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.jobs import JobArgument


@dataclass
class RecordingJobs:
    deferred: list[tuple[str, dict[str, JobArgument]]] = field(default_factory=list)

    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        def committed(_: Session) -> None:
            self.deferred.append((task, arguments))

        event.listen(session, "after_commit", committed, once=True)
