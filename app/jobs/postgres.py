"""procrastinate, the PostgreSQL job queue: jobs are rows of its tables (migration 0004),
run by ``offerwright worker`` processes on any number of machines, and survive restarts.

A job is deferred **inside the domain's own transaction**: procrastinate takes an external
connection, and we hand it the session's, so the job row commits with the work that needs
it or rolls back with it; nothing can be lost between the commit and the deferral, and no
sweep is needed for that. Workers send heartbeats; each also queues again, when it starts
and then periodically, the jobs of workers whose heartbeat stopped (killed mid-job)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import JobContext
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy import column, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.jobs.local import poll
from app.jobs.queue import JobArgument, job_key
from app.jobs.tasks import Retries, RetryLater, Task, Tasks, described
from app.kit.database import Database
from app.kit.pagination import Page, after_id, page_of

log = logging.getLogger(__name__)
T = TypeVar("T")

_JOBS = table(
    "procrastinate_jobs",
    column("id"), column("task_name"), column("status"), column("args"),
    column("attempts"), column("scheduled_at"), column("queueing_lock"),
)  # fmt: skip


class _Backoff(BaseRetryStrategy):
    """Our retry rule in procrastinate's terms (``job.attempts``: tries before this one)."""

    def __init__(self, retries: Retries) -> None:
        self.retries = retries

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):  # the task keeps its own schedule
            return RetryDecision(retry_in={"seconds": max(round(exception.retry_in), 1)})
        tried = job.attempts + 1
        if self.retries.last(tried):
            return None
        return RetryDecision(retry_in={"seconds": round(self.retries.delay(tried))})


def connection_settings(database: Database) -> tuple[str, dict[str, Any]]:
    """procrastinate's connection string and options: the same server, user and
    search_path as the database's own connections (tests give each run its own schema)."""
    url = make_url(database.url).set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    with database.engine.connect() as connection:
        search_path = connection.exec_driver_sql("SHOW search_path").scalar_one()
    return conninfo, {"options": f"-csearch_path={search_path}"}


class ProcrastinateJobs:
    def __init__(
        self,
        database: Database,
        tasks: Tasks,
        retries: Retries,
        *,
        heartbeat_seconds: float = 5.0,
        stalled_seconds: float = 30.0,
        stalled_check_seconds: float = 10.0,
    ) -> None:
        self.database = database
        self.retries = retries
        self.heartbeat_seconds = heartbeat_seconds
        self.stalled_seconds = stalled_seconds
        self.stalled_check_seconds = stalled_check_seconds
        conninfo, options = connection_settings(database)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=conninfo, kwargs=options)
        )
        for task in tasks.values():
            self._register(task)

    def _register(self, task: Task) -> None:
        retries = self.retries

        def run(context: JobContext, /, **arguments: JobArgument) -> None:
            try:
                task.run(**arguments)
            except RetryLater:
                raise  # run again when the task says; never its failure
            except Exception as error:
                tried = (context.job.attempts if context.job else 0) + 1
                if retries.last(tried) and task.failed is not None:
                    task.failed(described(error), **arguments)
                raise

        self.app.task(name=task.name, pass_context=True, retry=_Backoff(retries))(run)

    # -- asking for work (in the API process, on the session's connection) ---------------

    def defer(self, session: Session, task: str, /, **arguments: JobArgument) -> None:
        key = job_key(task, arguments)
        waiting = session.scalar(
            select(_JOBS.c.id)
            .where(_JOBS.c.queueing_lock == key, text("status::text IN ('todo', 'doing')"))
            .limit(1)
        )
        if waiting is not None:
            return
        # The key as procrastinate's queueing lock: it refuses a second waiting job with it;
        # in a savepoint, so that refusal (a race with another request) leaves ours usable.
        with contextlib.suppress(AlreadyEnqueued), session.begin_nested():
            self.app.configure_task(task, connection=_driver(session), queueing_lock=key).defer(
                **arguments
            )

    # -- the API process neither starts nor stops anything: workers run the jobs -------

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 10.0) -> None:
        pass

    def wait_for(self, found: Callable[[], T | None], seconds: float) -> T | None:
        return poll(found, seconds)

    def listing(
        self, session: Session, status: str | None, task: str | None, limit: int,
        cursor: str | None,
    ) -> Page[dict[str, Any]]:  # fmt: skip
        statement = select(_JOBS)
        if status is not None:
            statement = statement.where(text("status::text = :status").bindparams(status=status))
        if task is not None:
            statement = statement.where(_JOBS.c.task_name == task)
        after = after_id(cursor)
        if after is not None:
            statement = statement.where(_JOBS.c.id < after)
        rows = list(session.execute(statement.order_by(_JOBS.c.id.desc()).limit(limit + 1)))
        page = page_of(rows, limit, lambda row: row.id)
        return Page([_view(row) for row in page.items], page.next_cursor)

    # -- the worker process ------------------------------------------------------------

    def work(self, concurrency: int) -> None:
        """Run a worker until it is told to stop (SIGINT, SIGTERM)."""
        asyncio.run(self._work(concurrency))

    async def _work(self, concurrency: int) -> None:
        async with self.app.open_async():
            sweeper = asyncio.create_task(self._sweep_stalled())
            try:
                await self.app.run_worker_async(
                    concurrency=concurrency,
                    update_heartbeat_interval=self.heartbeat_seconds,
                    stalled_worker_timeout=self.stalled_seconds,
                    install_signal_handlers=True,
                )
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper

    async def _sweep_stalled(self) -> None:
        """Queue again the jobs of workers that stopped beating (now, then periodically)."""
        while True:
            try:
                await self.requeue_stalled()
            except Exception:
                log.exception("the stalled-job sweep failed")
            await asyncio.sleep(self.stalled_check_seconds)

    async def requeue_stalled(self) -> int:
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_seconds))
        for job in stalled:
            log.warning("job %s %s stalled: queued again", job.id, job.task_name)
            await manager.retry_job(job)
        return len(stalled)


def _driver(session: Session) -> Any:
    """The psycopg connection under the session: the deferral joins its transaction."""
    return session.connection().connection.driver_connection


def _view(row: Any) -> dict[str, Any]:
    status = str(row.status)
    return {
        "id": row.id,
        "task": row.task_name,
        "status": status,
        "arguments": row.args,
        "attempts": row.attempts,
        "scheduled_at": row.scheduled_at.isoformat()
        if status == "todo" and row.scheduled_at
        else None,
        "last_error": None,  # procrastinate keeps no error text: the worker's log has it
    }
