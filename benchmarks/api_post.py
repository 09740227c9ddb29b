"""Timing one POST through the whole API: a fresh SQLite database built by the migrations
and holding ``snapshot``, a sales key, warm solver workers, then ``runs`` timed calls."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from benchmarks.report import timings
from catalog.snapshot import CatalogSnapshot


def post_timings(
    snapshot: CatalogSnapshot, path: str, body: dict[str, Any], status: int, runs: int
) -> list[float]:
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(database.engine)
        with Session(database.engine) as session, session.begin():
            import_snapshot(session, SYSTEM, snapshot, trusted=True)
            key = create_key(session, name="bench", role="sales")
        headers = {"Authorization": f"Bearer {key}"}
        with TestClient(create_app(Settings(), database)) as client:

            def call() -> None:
                response = client.post(path, json=body, headers=headers)
                assert response.status_code == status, response.text

            for _ in range(3):
                call()  # start and warm every solver worker and the catalog cache
            measured = timings(call, runs)
        database.dispose()
    return measured
