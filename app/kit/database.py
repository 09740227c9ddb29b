"""Engines and sessions. SQLite gets WAL, a busy timeout, foreign keys, and transactions that
take the write lock up front when asked to (``BEGIN IMMEDIATE``): a deferred transaction that
reads and then writes fails with "database is locked" instead of waiting its turn.

No connection is held while waiting: a writer waits for the process's turn to write before
it takes a connection (on SQLite only one writer runs at a time anyway, so the others would
each hold a connection while SQLite made them wait), and ``released`` hands a read
transaction's connection back before a solve or a render. Every wait is bounded: for a
connection (``pool_wait``), for the write turn and SQLite's lock (the busy timeout); past
it the caller gets ``DatabaseBusy`` (503 with ``Retry-After``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from app.kit.errors import DatabaseBusy

WRITE = {"offerwright_write": True}
T = TypeVar("T")


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 5_000,
    pool_size: int = 5,
    pool_wait: float = 30.0,
    pre_ping: bool = True,
    **options: Any,
) -> Engine:
    pooling = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": pool_wait}
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000},
            **({} if memory else pooling),
            **options,
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=pre_ping, **pooling, **options)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see below
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("offerwright_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. Services never commit."""
    with factory() as session:
        session.info["write"] = write
        try:
            if write:
                session.connection(execution_options=WRITE)
            yield session
            session.commit()
        except PoolTimeout as error:
            session.rollback()
            raise DatabaseBusy("every database connection is busy; retry shortly") from error
        except BaseException:
            session.rollback()
            raise


@contextmanager
def released(session: Session) -> Iterator[None]:
    """End ``session``'s read transaction and give its connection back to the pool for a
    long wait (a solve, a render, an options click): a waiting request holds no connection.
    The session begins a new transaction if it is used again afterwards."""
    if session.info.get("write") or session.new or session.dirty or session.deleted:
        raise RuntimeError("only a read transaction can let its connection go mid-request")
    session.commit()  # nothing to write: this only ends the transaction (objects stay loaded)
    yield


class Database:
    """The engine and session factory of one database: the composition root's DB part.

    ``pool_size`` connections are kept, as many more opened under load (a request can hold
    two: its own read and a short write), and a request waits ``pool_wait`` seconds at most
    for one."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 5_000,
        pool_size: int = 5,
        pool_wait: float = 30.0,
        **options: Any,
    ) -> None:
        self.url = url
        self.engine = make_engine(
            url, busy_timeout_ms=busy_timeout_ms, pool_size=pool_size, pool_wait=pool_wait,
            **options,
        )  # fmt: skip
        self.sessions = session_factory(self.engine)
        self.writer = WriteTurn(busy_timeout_ms / 1000 if url.startswith("sqlite") else None)
        self._probe: Engine | None = None
        # Single-statement reads on PostgreSQL need no transaction and no ping before each
        # checkout: one round trip where the session engine makes four (ping, BEGIN,
        # SELECT, ROLLBACK). A connection found dead is retried once (see ``read``).
        self._reads = self.engine
        if not url.startswith("sqlite"):
            self._reads = make_engine(
                url, pool_size=pool_size, pool_wait=pool_wait, pre_ping=False,
                isolation_level="AUTOCOMMIT", **options,
            )  # fmt: skip

    def ping(self) -> bool:
        """Whether the database answers, on a connection of its own (a health check must
        not queue behind requests for the pool)."""
        if self._probe is None:
            wait: dict[str, Any] = {}
            if not self.url.startswith("sqlite"):
                wait["connect_args"] = {"connect_timeout": 2}
            self._probe = make_engine(self.url, pool_size=1, pool_wait=2.0, **wait)
        try:
            with self._probe.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:  # whatever the driver raises, the answer is "not reachable"
            return False
        return True

    def read(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)``: one short read on a pooled connection, without the ORM, for
        the lookups every request makes (authentication), where a session costs more than
        the query. A connection that died in the pool (the database restarted) is
        replaced and the read done once more."""
        for attempt in (1, 2):
            try:
                with self._reads.connect() as connection:
                    return work(connection)  # closing ends any transaction it began
            except PoolTimeout as error:
                raise DatabaseBusy("every database connection is busy; retry shortly") from error
            except DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        with self.writer.turn(write), transaction(self.sessions, write=write) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self._reads is not self.engine:
            self._reads.dispose()
        if self._probe is not None:
            self._probe.dispose()


class WriteTurn:
    """One writer at a time in this process, waiting without a connection (SQLite, whose
    writers run one at a time anyway); ``None`` lets writers through at once (PostgreSQL)."""

    def __init__(self, wait_seconds: float | None) -> None:
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()

    @contextmanager
    def turn(self, write: bool) -> Iterator[None]:
        if not write or self.wait_seconds is None:
            yield
            return
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise DatabaseBusy("the database is busy with other writes; retry shortly")
        try:
            yield
        finally:
            self._lock.release()
