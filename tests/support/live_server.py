"""The app served by Uvicorn in a thread of the test process, over a real socket, on a SQLite
file migrated and holding the default catalog: what a browser needs to talk to, in a second
rather than the ten a separate ``offerwright serve`` takes to set up."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.auth.users import create_user
from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from catalog.loader import load_default_catalog

_numbers = itertools.count(1)


PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    """A web app account as a test signs in with it."""

    email: str
    password: str
    name: str


@dataclass(frozen=True)
class LiveServer:
    url: str
    database: Database

    def user(self, role: str, *, centre: str | None = None, name: str | None = None) -> Person:
        """A new account of ``role`` (a delivery account at CZ-BRN unless ``centre`` says)."""
        number = next(_numbers)
        person = Person(
            f"{role}-{number}@example.com", PASSWORD, name or f"{role.title()} {number}"
        )
        if role == "delivery":
            centre = centre or "CZ-BRN"
        with self.database.transaction(write=True) as session:
            create_user(session, email=person.email, name=person.name, role=role,
                        password=person.password, centre=centre)  # fmt: skip
        return person

    def key(self, role: str, name: str | None = None) -> str:
        """A new API key of ``role``, in clear."""
        with self.database.transaction(write=True) as session:
            return create_key(session, name=name or f"{role}-{next(_numbers)}", role=role)


@contextmanager
def live_server(directory: Path) -> Iterator[LiveServer]:
    database = Database(f"sqlite:///{directory / 'live.db'}")
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, load_default_catalog(), trusted=True)
    app = create_app(Settings(jobs="threads"), database)  # as `offerwright serve` runs
    # Bound and listening before the server runs: a client may connect at once, its
    # connection waits in the backlog until Uvicorn has started.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    host, port = listener.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    try:
        httpx.get(f"{url}/healthz", timeout=60).raise_for_status()  # answered once it is up
        yield LiveServer(url, database)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
        database.dispose()
