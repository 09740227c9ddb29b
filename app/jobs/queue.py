"""The seam between the domains and the background job engine: a domain asks for a job
to run once its transaction commits, and never knows which engine runs it (procrastinate
on PostgreSQL, in-process threads on SQLite). Job functions are plain functions of ids;
the composition root binds what they need (database, renderer, settings) and names them.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

# What a job is given: ids and short texts, so a job survives a restart as a row of JSON.
JobArgument = int | str


class Jobs(Protocol):
    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        """Run ``task`` with ``arguments`` once ``session``'s transaction has committed;
        never when it rolls back."""
