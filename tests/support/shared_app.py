"""One application, and one set of API keys, for every test of a module (the role matrix
calls a thousand routes): each test still runs in its own transaction, rolled back.

The module's database holds one transaction open from its first test to its last (the keys
are written in it); each test runs in a savepoint inside it, rolled back at the end. What
the application keeps between requests is keyed by the catalog revision (the active
snapshot, encoded catalog answers, the options engine, the solver workers' snapshots), and
in production a revision never comes back. A rollback brings it back, so a test that moved
the catalog ends with the revision moved past every one it reached: the next test starts
from the same catalog under a number no cache has seen. Tests that leave the catalog alone
keep the revision, and the warm caches with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import DBAPIError

from app.models import CatalogState
from tests.support.api import Keys
from tests.support.database import RolledBackDatabase

# Past any revision a test could have reached, for a test whose end state cannot be read.
FAR_AHEAD = 1_000_000


def _revision(connection: Connection) -> int:
    return connection.scalar(select(CatalogState.revision)) or 0


@dataclass
class SharedApp:
    database: RolledBackDatabase  # every transaction a savepoint of the module's one
    keys: Keys  # made once, in the module's transaction
    client: TestClient

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """One test: a savepoint rolled back at its end, then the catalog revision moved
        past every one the test reached, if it reached any."""
        connection = self.database.connection
        start = _revision(connection)
        savepoint = connection.begin_nested()
        try:
            yield
        finally:
            try:
                reached = _revision(connection)
            except DBAPIError:  # the test left its transaction failed: assume the worst
                reached = start + FAR_AHEAD
            savepoint.rollback()
            if reached != start:
                connection.execute(update(CatalogState).values(revision=reached + 1))
            self.client.cookies.clear()
