"""The seam between the domains and the background job engine: a domain asks for a job
to run once its transaction commits, and never knows which engine runs it (procrastinate
on PostgreSQL, in-process threads on SQLite). Job functions are plain functions of ids;
the composition root binds what they need (database, renderer, settings) and names them.

The root attaches its engine to the database's sessions (``attach``), so a service deep in
a use case defers with nothing but its session (``defer``)."""

from __future__ import annotations

import hashlib
import json
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

# What a job is given: ids and short texts, so a job survives a restart as a row of JSON.
JobArgument = int | str

_ENGINE = "offerwright_jobs"  # the key of the engine in every session's ``info``


class Jobs(Protocol):
    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        """Run ``task`` with ``arguments`` once ``session``'s transaction has committed;
        never when it rolls back. A job is its task and arguments: asking for one that is
        already waiting or running asks for nothing more (one render per document,
        however many ask for it)."""


def job_key(task: str, arguments: dict[str, JobArgument]) -> str:
    """What names a job for that: its task and arguments, in a canonical order (hashed
    when long: the key is stored in a column of 200 characters)."""
    key = task + ":" + json.dumps(arguments, sort_keys=True, separators=(",", ":"))
    return key if len(key) <= 200 else f"{task[:100]}:{hashlib.sha256(key.encode()).hexdigest()}"


def attach(sessions: sessionmaker[Session], jobs: Jobs) -> None:
    """Every session ``sessions`` makes from now on defers through ``jobs``."""
    info = dict(sessions.kw.get("info") or {})
    info[_ENGINE] = jobs
    sessions.configure(info=info)


def attached(session: Session) -> Jobs | None:
    jobs: Jobs | None = session.info.get(_ENGINE)
    return jobs


class JobsOf:
    """``Jobs`` for a service that has none at hand: whichever engine the session's
    database was attached to."""

    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        defer(session, task, **arguments)


def defer(session: Session, task: str, /, **arguments: JobArgument) -> None:
    """Defer ``task`` through the engine attached to ``session``'s database. A database no
    shell attached an engine to (a bare one in a unit test) runs no background work; what
    a job would have made is then made when it is asked for."""
    jobs = attached(session)
    if jobs is not None:
        jobs.defer(session, task, **arguments)
