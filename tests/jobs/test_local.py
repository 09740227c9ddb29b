"""The in-process engine (SQLite's, and any backend's in tests): a job runs once the
transaction that asked for it commits, never after a rollback; a failing job is retried
with exponential backoff, then failed for good, visibly; a job whose process died is run
again; ``ensure`` keeps one job per key."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.jobs.local import LocalJobs
from app.jobs.queue import JobArgument, attach, defer
from app.jobs.tasks import Retries, Task, tasks_of
from app.kit.database import Database
from app.models import BackgroundJob, utcnow


class Calls:
    """A task that records its calls (and fails its first ``failures`` ones)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[tuple[float, dict[str, JobArgument]]] = []
        self.gave_up: list[tuple[str, dict[str, JobArgument]]] = []
        self.done = threading.Event()

    def run(self, **arguments: JobArgument) -> None:
        self.calls.append((time.monotonic(), arguments))
        if len(self.calls) <= self.failures:
            raise RuntimeError(f"try {len(self.calls)} went wrong")
        self.done.set()

    def failed(self, error: str, /, **arguments: JobArgument) -> None:
        self.gave_up.append((error, arguments))
        self.done.set()


def engine(database: Database, calls: Calls, *, threads: int = 1, **options: Any) -> LocalJobs:
    jobs = LocalJobs(
        database, tasks_of(Task("note", calls.run, calls.failed)),
        options.pop("retries", Retries(3, 0.2)), threads=threads, **options,
    )  # fmt: skip
    attach(database.sessions, jobs)
    return jobs


def rows(database: Database) -> list[BackgroundJob]:
    with database.transaction(write=False) as session:
        return list(session.scalars(select(BackgroundJob).order_by(BackgroundJob.id)))


def test_a_job_runs_once_its_transaction_commits(committed_database: Database) -> None:
    calls = Calls()
    jobs = engine(committed_database, calls)
    jobs.start()
    try:
        with committed_database.transaction(write=True) as session:
            defer(session, "note", proposal_id=7, revision=2)
            time.sleep(0.3)  # the threads are free: still nothing runs before the commit
            assert calls.calls == []
        assert calls.done.wait(10)
        assert [arguments for _, arguments in calls.calls] == [{"proposal_id": 7, "revision": 2}]
        for _ in range(50):
            if rows(committed_database)[0].status == "succeeded":
                break
            time.sleep(0.05)
        row = rows(committed_database)[0]
        assert (row.status, row.attempts, row.last_error) == ("succeeded", 1, None)
    finally:
        jobs.stop()


def fail_after_deferring(database: Database) -> None:
    with database.transaction(write=True) as session:
        defer(session, "note", proposal_id=1)
        raise RuntimeError("the use case failed after asking for the job")


def test_a_job_asked_for_in_a_transaction_that_rolls_back_never_runs(
    committed_database: Database,
) -> None:
    calls = Calls()
    jobs = engine(committed_database, calls)
    jobs.start()
    try:
        with pytest.raises(RuntimeError):
            fail_after_deferring(committed_database)
        time.sleep(1.5)  # longer than the threads' poll
        assert calls.calls == []
        assert rows(committed_database) == []
    finally:
        jobs.stop()


def test_a_failing_job_is_retried_with_backoff_then_failed_for_good_and_visible(
    committed_database: Database,
) -> None:
    calls = Calls(failures=99)
    jobs = engine(committed_database, calls, retries=Retries(3, 0.3))
    jobs.start()
    try:
        with committed_database.transaction(write=True) as session:
            defer(session, "note", proposal_id=5)
        assert calls.done.wait(20)
    finally:
        jobs.stop()
    times = [at for at, _ in calls.calls]
    assert len(times) == 3  # three tries in all, then no more
    first_wait, second_wait = times[1] - times[0], times[2] - times[1]
    assert first_wait >= 0.3 and second_wait >= 0.6  # base x 2^(n - 1)
    assert calls.gave_up == [("RuntimeError: try 3 went wrong", {"proposal_id": 5})]
    (row,) = rows(committed_database)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "RuntimeError: try 3 went wrong"


def test_a_job_that_fails_and_then_succeeds_keeps_no_error(
    committed_database: Database,
) -> None:
    calls = Calls(failures=1)
    jobs = engine(committed_database, calls, threads=0, retries=Retries(3, 0.0))
    with committed_database.transaction(write=True) as session:
        defer(session, "note", proposal_id=5)
    assert jobs.run_due() == 2  # the failure is due again at once with no base delay
    (row,) = rows(committed_database)
    assert (row.status, row.attempts, row.last_error) == ("succeeded", 2, None)
    assert calls.gave_up == []


def test_a_job_whose_process_died_runs_again(committed_database: Database) -> None:
    """A row left ``doing`` with a silent heartbeat (its process was killed) is queued
    again, by the next start or the periodic sweep; a live one is left alone."""
    calls = Calls()
    jobs = engine(committed_database, calls, threads=0, stalled_seconds=30)
    with committed_database.transaction(write=True) as session:
        long_ago = utcnow() - timedelta(minutes=5)
        for heartbeat in (long_ago, utcnow()):
            session.add(
                BackgroundJob(
                    task="note", arguments={"proposal_id": 3}, status="doing", attempts=1,
                    scheduled_at=long_ago, heartbeat_at=heartbeat, created_at=long_ago,
                    updated_at=long_ago,
                )
            )  # fmt: skip
    assert jobs.requeue_stalled() == 1
    assert jobs.run_due() == 1
    assert [row.status for row in rows(committed_database)] == ["succeeded", "doing"]
    assert rows(committed_database)[0].attempts == 2


def test_the_same_job_asked_for_again_while_it_waits_is_not_queued_twice(
    committed_database: Database,
) -> None:
    calls = Calls()
    jobs = engine(committed_database, calls, threads=0)
    for _ in range(3):
        with committed_database.transaction(write=True) as session:
            defer(session, "note", revision=1, proposal_id=1)  # in any order: the same job
    with committed_database.transaction(write=True) as session:
        defer(session, "note", proposal_id=2, revision=1)
    assert [row.arguments for row in rows(committed_database)] == [
        {"proposal_id": 1, "revision": 1},
        {"proposal_id": 2, "revision": 1},
    ]
    jobs.run_due()
    with committed_database.transaction(write=True) as session:  # done: it may run again
        defer(session, "note", proposal_id=1, revision=1)
    assert len(rows(committed_database)) == 3


def test_an_unknown_task_fails_for_good_at_once(committed_database: Database) -> None:
    jobs = engine(committed_database, Calls(), threads=0)
    with committed_database.transaction(write=True) as session:
        defer(session, "no-such-task", proposal_id=1)
    jobs.run_due()
    (row,) = rows(committed_database)
    assert (row.status, row.last_error) == ("failed", "no task named 'no-such-task'")
