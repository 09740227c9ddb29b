"""SQLite settings: WAL, busy timeout, and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Connection, literal, text

from app.kit.database import Database, make_engine, released
from app.kit.errors import DatabaseBusy


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=1234)
    with database.transaction(write=False) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 1234
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=50)
    with database.transaction(write=True) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with database.transaction(write=True) as session:
        session.execute(text("SELECT 1"))  # a read only, yet the lock is taken (BEGIN IMMEDIATE)
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    with database.transaction(write=False) as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a read transaction does not block writers
        other.execute("ROLLBACK")
        other.close()
    database.dispose()


def test_a_failed_unit_of_work_rolls_back(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.transaction(write=True) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))

    def fail_half_way() -> None:
        with database.transaction(write=True) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    with database.transaction(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
    database.dispose()


def test_a_released_read_holds_no_connection_and_reads_again_after(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", pool_size=1)
    with database.transaction(write=False) as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
        assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        with released(session):
            assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert session.execute(text("SELECT 2")).scalar() == 2
    database.dispose()


def test_only_a_read_transaction_can_be_released(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with (
        database.transaction(write=True) as session,
        pytest.raises(RuntimeError, match="read transaction"),
        released(session),
    ):
        pass  # pragma: no cover
    database.dispose()


def test_a_request_that_finds_every_connection_busy_is_told_to_retry(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", pool_size=1, pool_wait=0.1)
    with ExitStack() as held:
        for _ in range(2):  # the pool and as many again under load
            held.enter_context(database.transaction(write=False)).execute(text("SELECT 1"))
        with pytest.raises(DatabaseBusy) as refused, database.transaction(write=False) as session:
            session.execute(text("SELECT 1"))
    assert refused.value.headers == {"Retry-After": "1"}
    database.dispose()


def test_a_writer_waits_for_its_turn_without_a_connection(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=100)
    with database.transaction(write=True):
        outcome: list[object] = []

        def second_writer() -> None:
            try:
                with database.transaction(write=True):
                    outcome.append("wrote")  # pragma: no cover
            except DatabaseBusy as error:
                outcome.append(error)

        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join()
        # It gave up after the busy timeout, and never took a connection while it waited.
        assert isinstance(outcome[0], DatabaseBusy)
        assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    database.dispose()


@pytest.mark.postgres
def test_a_read_survives_a_connection_that_died_in_the_pool(postgres_url: str) -> None:
    """The reads every request makes skip the ping before each checkout: a pooled connection
    the server dropped (a restart) is replaced and the read done once more."""
    database = Database(postgres_url, pool_size=1)

    def backend(connection: Connection) -> int:
        pid: int = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        return pid

    first = database.read(backend)
    killer = make_engine(postgres_url)
    with killer.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    killer.dispose()
    assert database.read(backend) != first
    database.dispose()


@pytest.mark.postgres
def test_timestamps_read_back_in_utc_whatever_the_session_time_zone(postgres_url: str) -> None:
    """An answer to a write and a later read hash the same timestamps (their ETags must
    match) even where PostgreSQL's TimeZone is not UTC."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.models import UtcDateTime

    engine = make_engine(postgres_url, connect_args={"options": "-c timezone=Europe/Prague"})
    moment = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    with engine.connect() as connection:
        read = connection.execute(select(literal(moment, UtcDateTime()))).scalar_one()
    engine.dispose()
    assert read == moment and read.isoformat() == moment.isoformat()
