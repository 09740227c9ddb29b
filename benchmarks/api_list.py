"""Benchmark: ``GET /v1/components?limit=50`` through the real ASGI app (first page, a later
page, a text filter) on the default catalog and a 10,000-component synthetic catalog, on
SQLite and PostgreSQL; and the import of each catalog (one transaction).

    .venv/bin/python -m benchmarks.api_list [--runs 50] [--no-postgres]

PostgreSQL: OFFERWRIGHT_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test,
in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.kit.database import Database, make_engine
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from benchmarks.report import machine, median, timings, today, write_section
from benchmarks.synthetic import generate
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot

POSTGRES_URL = os.environ.get(
    "OFFERWRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def _database(backend: str) -> Iterator[Database]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
            yield database
            database.dispose()
        return
    schema = f"ow_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _import(engine: Engine, database: Database, snapshot: CatalogSnapshot) -> float:
    upgrade(engine)
    started = time.perf_counter()
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, snapshot, trusted=True)
    return time.perf_counter() - started


def _cases(client: TestClient, headers: dict[str, str], q: str) -> dict[str, str]:
    """The requests, with a cursor from well into the list for the later page."""
    cursor, last = None, None
    for _ in range(5):
        params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        cursor = client.get("/v1/components", params=params, headers=headers).json()["next_cursor"]
        if cursor is None:
            break
        last = cursor
    return {
        "first page": "/v1/components?limit=50",
        "later page": f"/v1/components?limit=50&cursor={last}",
        f"text filter (q={q})": f"/v1/components?limit=50&q={q.replace(' ', '+')}",
        # Worst case: nothing matches, so every row is scanned.
        "text filter, no match": "/v1/components?limit=50&q=no-such-text",
    }


def measure(backend: str, label: str, snapshot: CatalogSnapshot, q: str, runs: int) -> list[str]:
    rows = []
    with _database(backend) as database:
        seconds = _import(database.engine, database, snapshot)
        rows.append(
            f"| {backend} | {label} | import, one transaction | {seconds * 1000:,.0f} ms | |"
        )
        with database.transaction(write=True) as session:
            key = create_key(session, name="bench", role="sales")
        headers = {"Authorization": f"Bearer {key}"}
        with TestClient(create_app(Settings(), database)) as client:
            for case, url in _cases(client, headers, q).items():
                response = client.get(url, headers=headers)
                assert response.status_code == 200, response.text
                client.get(url, headers=headers)  # warm caches and the connection pool
                measured = timings(functools.partial(client.get, url, headers=headers), runs)
                items = len(response.json()["items"])
                rows.append(
                    f"| {backend} | {label} | {case} ({items} items) | "
                    f"{median(measured) * 1000:.2f} ms | {min(measured) * 1000:.2f} to "
                    f"{max(measured) * 1000:.2f} ms |"
                )
                print(rows[-1])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    catalogs = [
        ("default (83 components)", load_default_catalog(), "linux"),
        ("synthetic (10,000 components)", generate(10_000, seed=7), "component 42"),
    ]
    backends = ["sqlite"] if options.no_postgres else ["sqlite", "postgres"]
    rows = []
    for backend in backends:
        for label, snapshot, q in catalogs:
            rows.extend(measure(backend, label, snapshot, q, options.runs))
    write_section(
        "api-list",
        [
            "## Component listing through the API (`python -m benchmarks.api_list`)",
            "",
            f"Machine: {machine()}. Date: {today()}. Median of {options.runs} requests "
            "through the ASGI app (Starlette TestClient, sales key, so authentication is "
            "included), after one warm-up. Target: under 20 ms median at 10,000 components.",
            "",
            "| database | catalog | request | median | range |",
            "| --- | --- | --- | ---: | --- |",
            *rows,
        ],
    )


if __name__ == "__main__":
    main()
