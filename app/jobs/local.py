"""The in-process job engine (SQLite, and tests): jobs are rows of ``background_jobs``,
written in the transaction that asks for them, so a job is committed with the work that
needs it or not at all, and survives a restart; the API process's own threads run them.

``threads`` threads claim due jobs (woken when a deferring transaction commits, and every
second for retries that fall due); a job's heartbeat is refreshed while it runs, and a job
whose heartbeat stopped (its process died mid-job) is queued again. With ``threads=0``
nothing runs by itself: whoever waits for a job runs the due ones in its own thread
(``wait_for``), which is what tests on a rolled-back database need (one connection, so
nothing may run beside the test), and what keeps a test that never asks for a PDF from
rendering one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.jobs.queue import JobArgument, job_key
from app.jobs.tasks import Retries, RetryLater, Tasks, described
from app.kit.database import Database
from app.kit.pagination import Page, newest_first
from app.models import BackgroundJob, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
WAITING = ("todo", "doing")
POLL_SECONDS = 1.0  # how often idle threads look for retries that fell due


class LocalJobs:
    def __init__(
        self,
        database: Database,
        tasks: Tasks,
        retries: Retries,
        *,
        threads: int,
        heartbeat_seconds: float = 5.0,
        stalled_seconds: float = 30.0,
        stalled_check_seconds: float = 10.0,
    ) -> None:
        self.database = database
        self.tasks = tasks
        self.retries = retries
        self.threads = threads
        self.heartbeat_seconds = heartbeat_seconds
        self.stalled_seconds = stalled_seconds
        self.stalled_check_seconds = stalled_check_seconds
        self._wake = threading.Condition()
        self._pending = False  # a commit deferred work since the threads last looked
        self._stopping = threading.Event()
        self._running: set[int] = set()
        self._running_lock = threading.Lock()
        self._started: list[threading.Thread] = []

    # -- asking for work ---------------------------------------------------------------

    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        lock = job_key(task, arguments)
        waiting = session.scalar(
            select(BackgroundJob.id)
            .where(BackgroundJob.lock == lock, BackgroundJob.status.in_(WAITING))
            .limit(1)
        )
        if waiting is not None:
            return
        now = utcnow()
        session.add(
            BackgroundJob(
                task=task, arguments=arguments, lock=lock, status="todo", attempts=0,
                scheduled_at=now, created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.flush()

        event.listen(session, "after_commit", lambda _: self._notify(), once=True)

    def _notify(self) -> None:
        with self._wake:
            self._pending = True
            self._wake.notify_all()

    # -- running it --------------------------------------------------------------------

    def start(self) -> None:
        """Queue again what a dead process left running, then start the threads."""
        if self.threads <= 0 or self._started:
            return
        self.requeue_stalled()
        for number in range(self.threads):
            self._spawn(self._work, f"jobs-{number + 1}")
        self._spawn(self._keep_alive, "jobs-heartbeat")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._started.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; a job running now finishes (or, past ``timeout``, is left to
        the stalled-job sweep of the next start)."""
        self._stopping.set()
        self._notify()
        deadline = time.monotonic() + timeout
        for thread in self._started:
            thread.join(max(deadline - time.monotonic(), 0))
        self._started.clear()
        self._stopping.clear()

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.run_one()
            except Exception:  # the database is away: wait, then try again
                log.exception("the job thread could not claim a job")
                ran = False
            if ran:
                continue
            with self._wake:
                if not self._pending and not self._stopping.is_set():
                    self._wake.wait(POLL_SECONDS)
                self._pending = False

    def _keep_alive(self) -> None:
        last_check = time.monotonic()
        while not self._stopping.wait(self.heartbeat_seconds):
            try:
                self._beat()
                if time.monotonic() - last_check >= self.stalled_check_seconds:
                    last_check = time.monotonic()
                    self.requeue_stalled()
            except Exception:
                log.exception("the job heartbeat failed")

    def _beat(self) -> None:
        with self._running_lock:
            running = list(self._running)
        if running:
            with self.database.transaction(write=True) as session:
                session.execute(
                    update(BackgroundJob)
                    .where(BackgroundJob.id.in_(running), BackgroundJob.status == "doing")
                    .values(heartbeat_at=utcnow())
                )

    def requeue_stalled(self) -> int:
        """Queue again the running jobs whose heartbeat stopped (their process died)."""
        silent_since = utcnow() - timedelta(seconds=self.stalled_seconds)
        stalled = (BackgroundJob.status == "doing") & (BackgroundJob.heartbeat_at < silent_since)
        with self.database.transaction(write=False) as session:
            if session.scalar(select(BackgroundJob.id).where(stalled).limit(1)) is None:
                return 0  # the usual answer, without the write lock
        with self.database.transaction(write=True) as session:
            result = session.execute(
                update(BackgroundJob)
                .where(stalled)
                .values(status="todo", scheduled_at=utcnow(), heartbeat_at=None)
            )
        count: int = result.rowcount  # type: ignore[attr-defined]
        if count:
            log.warning("queued %d stalled job(s) again", count)
        return count

    def run_due(self) -> int:
        """Run the jobs that are due, in this thread, until none is left; how many ran."""
        ran = 0
        while self.run_one():
            ran += 1
        return ran

    def run_one(self) -> bool:
        claimed = self._claim()
        if claimed is None:
            return False
        job_id, name, arguments, attempts = claimed
        with self._running_lock:
            self._running.add(job_id)
        try:
            task = self.tasks.get(name)
            if task is None:
                self._finish(job_id, f"no task named {name!r}", final=True)
                return True
            try:
                task.run(**arguments)
            except RetryLater as later:
                self._again(job_id, described(later), later.retry_in)
                return True
            except Exception as error:
                final = self.retries.last(attempts)
                log.warning("job %s %s failed (attempt %d)", job_id, name, attempts,
                            exc_info=True)  # fmt: skip
                self._finish(job_id, described(error), final=final, attempts=attempts)
                if final and task.failed is not None:
                    task.failed(described(error), **arguments)
                return True
            self._finish(job_id, None, final=True)
            return True
        finally:
            with self._running_lock:
                self._running.discard(job_id)

    def _claim(self) -> tuple[int, str, dict[str, Any], int] | None:
        now = utcnow()
        # A read first: idle threads polling must not take SQLite's write lock each time.
        with self.database.transaction(write=False) as session:
            due = session.scalar(
                select(BackgroundJob.id)
                .where(BackgroundJob.status == "todo", BackgroundJob.scheduled_at <= now)
                .limit(1)
            )
        if due is None:
            return None
        with self.database.transaction(write=True) as session:
            statement = (
                select(BackgroundJob)
                .where(BackgroundJob.status == "todo", BackgroundJob.scheduled_at <= now)
                .order_by(BackgroundJob.scheduled_at, BackgroundJob.id)
                .limit(1)
            )
            if session.get_bind().dialect.name == "postgresql":
                statement = statement.with_for_update(skip_locked=True)
            job = session.scalars(statement).first()
            if job is None:
                return None
            job.status, job.attempts, job.heartbeat_at = "doing", job.attempts + 1, now
            return job.id, job.task, dict(job.arguments), job.attempts

    def _again(self, job_id: int, error: str, seconds: float) -> None:
        """Run again in ``seconds``, the try not counted: the task keeps its own count."""
        with self.database.transaction(write=True) as session:
            job = session.get(BackgroundJob, job_id)
            if job is None:
                return
            job.heartbeat_at, job.last_error, job.status = None, error, "todo"
            job.attempts = max(job.attempts - 1, 0)
            job.scheduled_at = utcnow() + timedelta(seconds=seconds)

    def _finish(self, job_id: int, error: str | None, *, final: bool, attempts: int = 0) -> None:
        with self.database.transaction(write=True) as session:
            job = session.get(BackgroundJob, job_id)
            if job is None:
                return
            job.heartbeat_at = None
            job.last_error = error
            if error is None:
                job.status = "succeeded"
            elif final:
                job.status = "failed"
            else:
                job.status = "todo"
                job.scheduled_at = utcnow() + timedelta(seconds=self.retries.delay(attempts))

    # -- waiting and looking -----------------------------------------------------------

    def wait_for(self, found: Callable[[], T | None], seconds: float) -> T | None:
        """``found()`` once it answers, within ``seconds``; None if it never did. Without
        threads, the due jobs run here first."""
        if self.threads <= 0:
            self.run_due()
            return found()
        return poll(found, seconds)

    def listing(
        self, session: Session, status: str | None, task: str | None, limit: int,
        cursor: str | None,
    ) -> Page[dict[str, Any]]:  # fmt: skip
        statement = select(BackgroundJob)
        if status is not None:
            statement = statement.where(BackgroundJob.status == status)
        if task is not None:
            statement = statement.where(BackgroundJob.task == task)
        page = newest_first(session, statement, BackgroundJob.id, limit, cursor)
        return Page([_view(job) for job in page.items], page.next_cursor)


def _view(job: BackgroundJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "task": job.task,
        "status": job.status,
        "arguments": job.arguments,
        "attempts": job.attempts,
        "scheduled_at": job.scheduled_at.isoformat() if job.status == "todo" else None,
        "last_error": job.last_error,
    }


def poll(found: Callable[[], T | None], seconds: float) -> T | None:
    """``found()`` every 50 ms (then less often) until it answers or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    pause = 0.05
    while True:
        answer = found()
        if answer is not None:
            return answer
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(pause, left))
        pause = min(pause * 1.5, 0.2)
