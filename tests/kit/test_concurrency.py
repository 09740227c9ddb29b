"""Concurrent writers on a committed database (no rollback wrapper): two edits of the same
version race, exactly one wins and the other is told, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog import upload as catalog_import
from app.portfolio.catalog.service import import_snapshot


def test_two_edits_from_the_same_read_one_wins(committed_database: Database) -> None:
    with committed_database.transaction(write=True) as session:
        key = create_key(session, name="racer", role="portfolio")
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app(Settings(), committed_database)
    with TestClient(app) as client:
        etag = client.get("/v1/components/CMP-VM-LNX", headers=headers).headers["etag"]
        barrier = threading.Barrier(4)
        statuses: list[int] = []

        def edit(number: int) -> None:
            barrier.wait()
            response = client.patch(
                "/v1/components/CMP-VM-LNX",
                headers={**headers, "If-Match": etag},
                json={"summary": f"Edited by racer number {number}"},
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 412, 412, 412]
        latest = client.get("/v1/components/CMP-VM-LNX?version=2", headers=headers).json()
        assert latest["summary"].startswith("Edited by racer number")
        assert client.get("/v1/components/CMP-VM-LNX?version=3", headers=headers).status_code == 404


def test_pricing_never_waits_for_the_write_lock(tmp_path, default_snapshot) -> None:  # type: ignore[no-untyped-def]
    """A quote only reads: it answers while another connection holds SQLite's write lock
    (a quote that took the lock would wait out the busy timeout, then fail)."""
    import sqlite3

    path = tmp_path / "locked.db"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=200)
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, default_snapshot, trusted=True)
        key = create_key(session, name="seller", role="sales")
        editor = create_key(session, name="editor", role="portfolio")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        app = create_app(Settings(), database)
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.post(
                "/v1/quotes/price",
                headers={"Authorization": f"Bearer {key}"},
                json={"price_book": "EUR", "term_months": 12, "lines": [
                    {"component": "CMP-VM-LNX", "quantity": 2, "service_level": "gold",
                     "delivery_centre": "CZ-BRN"}]},
            )  # fmt: skip
            assert response.status_code == 200, response.text
            blocked = client.patch(
                "/v1/components/CMP-VM-LNX", headers={"Authorization": f"Bearer {editor}"},
                json={},
            )  # fmt: skip
            # A write waits out the busy timeout, then is told to retry.
            assert blocked.status_code == 503, blocked.text
            assert blocked.json()["type"].endswith("database-busy")
            assert blocked.headers["Retry-After"] == "1"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        database.dispose()


def test_an_import_being_validated_blocks_no_writer(
    committed_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog import validates before its write transaction: a writer meanwhile is served
    (it waited out the busy timeout and got 503 while a 50,000-component zip validated)."""
    with committed_database.transaction(write=True) as session:
        key = create_key(session, name="importer", role="portfolio")
    headers = {"Authorization": f"Bearer {key}"}
    validating, finish = threading.Event(), threading.Event()
    validate = catalog_import._validate

    def slow_validate(upload: catalog_import.Upload) -> Any:
        validating.set()
        finish.wait(30)
        return validate(upload)

    monkeypatch.setattr(catalog_import, "_validate", slow_validate)
    app = create_app(Settings(sqlite_busy_timeout_ms=300), committed_database)
    with TestClient(app) as client:
        results: list[int] = []
        importing = threading.Thread(
            target=lambda: results.append(
                client.post("/v1/catalog/import", json={}, headers=headers).status_code
            )
        )
        importing.start()
        assert validating.wait(30)
        etag = client.get("/v1/components/CMP-VM-LNX", headers=headers).headers["etag"]
        edit = client.patch(
            "/v1/components/CMP-VM-LNX", headers={**headers, "If-Match": etag},
            json={"summary": "Edited while an import validates"},
        )  # fmt: skip
        finish.set()
        importing.join(30)
    assert edit.status_code == 200, edit.text
    assert results == [422]  # the empty catalog is refused, after the edit went through


def test_a_request_without_a_valid_key_never_waits_for_the_write_lock(tmp_path: Any) -> None:
    """Authentication comes before the request's transaction: a wrong key on a writing route
    is a 401 at once, not a turn in the queue for SQLite's write lock."""
    import sqlite3

    path = tmp_path / "locked.db"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=3_000)
    upgrade(database.engine)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with TestClient(create_app(Settings(), database)) as client:
            response = client.patch(
                "/v1/components/CMP-VM-LNX", json={}, headers={"Authorization": "Bearer ow_bad"}
            )
        assert response.status_code == 401, response.text  # not 503 after the busy timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        database.dispose()


def test_more_writers_than_threads_take_turns_without_stalling(
    tmp_path: Any, default_snapshot: Any
) -> None:
    """Each writer waits for its turn, writes and commits in the one thread its route holds:
    when the turn was taken in a dependency's thread and the route needed another, writers
    waiting for the turn held every thread and its holder waited for one until the busy
    timeout (four edits on two threads: two 503s after 3 s)."""
    import asyncio

    import httpx

    database = Database(f"sqlite:///{tmp_path / 'turns.db'}", busy_timeout_ms=3_000)
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, default_snapshot, trusted=True)
        key = create_key(session, name="editor", role="portfolio")
    headers = {"Authorization": f"Bearer {key}"}
    app = create_app(Settings(threads=2), database)
    codes = ["CMP-VM-LNX", "CMP-VM-WIN", "OS-LNX-RHEL", "OS-WIN-STD"]

    async def edits() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            tags = [
                (await client.get(f"/v1/components/{code}", headers=headers)).headers["ETag"]
                for code in codes
            ]

            async def edit(code: str, tag: str) -> int:
                response = await client.patch(
                    f"/v1/components/{code}", json={"summary": f"{code} edited"},
                    headers={**headers, "If-Match": tag},
                )  # fmt: skip
                return response.status_code

            return list(await asyncio.gather(*map(edit, codes, tags)))

    assert asyncio.run(edits()) == [200] * len(codes)
    database.dispose()
