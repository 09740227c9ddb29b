"""Fixtures used across folders (helpers and factories are in tests/support/).
PostgreSQL-marked tests skip when no server is reachable, except on CI (CI=true), where a
skip would hide a failure: there they fail instead."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.auth.principal import SYSTEM
from app.bootstrap import create_app
from app.documents.render_pool import RenderPool
from app.kit.database import Database, make_engine
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from catalog.loader import load_default_catalog
from tests.support.api import Keys
from tests.support.database import RolledBackDatabase
from tests.support.shared_app import SharedApp

# Background jobs wait until a request waits for one, and then run in its thread: a test's
# database is one connection rolled back at the end, so nothing may run beside the test.
# Tests of the engines themselves choose theirs.
os.environ.setdefault("OFFERWRIGHT_JOBS", "inline")

pytest_plugins = ["tests.support.browser"]  # the one browser of the run, for browser tests

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get(
    "OFFERWRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[[str], Path]:
    """Copy the small valid base catalog, then lay a broken fixture's files over it."""

    def make(overlay: str | None = None) -> Path:
        target = tmp_path / (overlay or "base")
        shutil.copytree(FIXTURES / "catalogs" / "base", target)
        if overlay is not None:
            shutil.copytree(FIXTURES / "catalogs" / "broken" / overlay, target, dirs_exist_ok=True)
        return target

    return make


@pytest.fixture(scope="session")
def postgres_url() -> str:
    import psycopg

    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required on CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def default_snapshot():  # type: ignore[no-untyped-def]
    return load_default_catalog()


def _schema_engine(url: str) -> tuple[Engine, str]:
    """An engine on a fresh schema of its own, so test runs never meet each other's tables."""
    schema = f"ow_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"}), schema


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(request, tmp_path_factory, default_snapshot) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A database per backend, built by the Alembic migrations, holding the default catalog."""
    schema = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    else:
        engine, schema = _schema_engine(request.getfixturevalue("postgres_url"))
    upgrade(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        import_snapshot(session, SYSTEM, default_snapshot, trusted=True)
    yield engine
    engine.dispose()
    if schema is not None:
        admin = make_engine(request.getfixturevalue("postgres_url"))
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "shared_app: the module's tests share one application and one set of keys "
        "(tests/support/shared_app.py); each still runs in a transaction of its own, rolled back",
    )


@pytest.fixture(scope="module")
def shared_app(migrated_engine: Engine, render_pool: RenderPool) -> Iterator[SharedApp]:
    """For a module marked ``shared_app``: one application, client and set of keys, on a
    database whose transaction lasts as long as the module's tests (each runs in a
    savepoint of it). Its settings are the ``settings`` fixture's defaults: a module that
    overrides that fixture must not be marked."""
    database = RolledBackDatabase(migrated_engine)
    keys = Keys(database)
    app = create_app(_settings(), database, render_pool=render_pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield SharedApp(database, keys, client)
    database.dispose()


def _shared(request: pytest.FixtureRequest) -> SharedApp | None:
    if request.node.get_closest_marker("shared_app") is None:
        return None
    shared: SharedApp = request.getfixturevalue("shared_app")
    return shared


@pytest.fixture
def database(
    request: pytest.FixtureRequest, migrated_engine: Engine
) -> Iterator[RolledBackDatabase]:
    """A database whose every transaction is rolled back when the test ends."""
    shared = _shared(request)
    if shared is not None:
        with shared.rolled_back():
            yield shared.database
        return
    database = RolledBackDatabase(migrated_engine)
    yield database
    database.dispose()


@pytest.fixture
def without_assured_combinations(database: RolledBackDatabase) -> None:
    """The test's catalog without the shipped assured combinations (taken out in its
    rolled-back transaction), for tests of something else that make changes the catalog
    gate would rightly refuse: retiring CMP-VM-LNX, which shipped bundles promise, deleting
    DE-FRA or an offering they name. tests/assurance tests the gate itself."""
    from tests.support.assured import with_combinations

    with_combinations(database)


def _settings() -> Settings:
    return Settings(auth_failures_per_minute=10_000)


@pytest.fixture
def settings() -> Settings:
    return _settings()


@pytest.fixture(scope="session")
def render_pool() -> Iterator[RenderPool]:
    """One PDF renderer for the whole run: its worker starts once, not once per test."""
    pool = RenderPool(workers=1, time_limit_seconds=60, memory_megabytes=2048, max_pages=500)
    yield pool
    pool.close()


@pytest.fixture
def client(
    request: pytest.FixtureRequest,
    database: RolledBackDatabase,
    settings: Settings,
    render_pool: RenderPool,
) -> Iterator[TestClient]:
    shared = _shared(request)
    if shared is not None:
        yield shared.client
        return
    app = create_app(settings, database, render_pool=render_pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def auth(request: pytest.FixtureRequest, database: RolledBackDatabase) -> Keys:
    shared = _shared(request)
    if shared is not None:
        return Keys(database, shared.keys.keys)  # the module's keys; added ones are the test's
    return Keys(database)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def committed_database(request, tmp_path, default_snapshot) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """A database whose transactions really commit (no rollback wrapper), for races, on
    SQLite and PostgreSQL; each test gets its own."""
    schema = None
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'race.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        schema = f"ow_race_{threading.get_ident() % 10**8}"
        admin = make_engine(url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, default_snapshot, trusted=True)
    yield database
    database.dispose()
    if schema is not None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
