"""Test doubles of the database: one whose every transaction is a savepoint inside one
outer transaction that the test rolls back, so each test starts from the same catalog; and
one that fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from app.kit.database import Database, WriteTurn

T = TypeVar("T")


class RolledBackDatabase(Database):
    def __init__(self, engine: Engine) -> None:
        self.url = str(engine.url)
        self.engine = engine
        self.connection = engine.connect()
        self._outer = self.connection.begin()
        self.sessions = sessionmaker(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.writer = WriteTurn(None)  # one connection: its savepoints take turns already
        self._probe = None

    def read(self, work: Callable[[Connection], T]) -> T:
        return work(self.connection)  # reads see what the test wrote in its outer transaction

    def dispose(self) -> None:
        self._outer.rollback()
        self.connection.close()


class BrokenDatabase:
    """A database that fails in a way nobody planned for."""

    engine = None
    url = "sqlite://"  # what the composition root reads of any database
    sessions = sessionmaker()

    def transaction(self, *, write: bool) -> Any:
        raise RuntimeError('boom at File "/srv/app/secret.py", line 1\nTraceback (most recent)')
