"""Proposals created concurrently on a committed database (no rollback wrapper), on SQLite
and PostgreSQL: numbers stay unique and without gaps, and one Idempotency-Key creates one
proposal however many requests race with it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app.auth.principal import Principal
from app.configurator.request import Limits
from app.kit.database import Database
from app.kit.errors import OfferwrightError
from app.kit.settings import Settings
from app.models import Proposal
from app.portfolio.catalog.active import ActiveCatalog
from app.proposals import service as proposals
from app.quoting.solver_pool import InlineSolver

BODY: dict[str, Any] = {
    "customer": {"name": "Race Condition Ltd", "country": "GB"},
    "request": {"price_book": "EUR", "term_months": 12,
                "needs": [{"capability": "storage.block", "quantity": 5}]},
}  # fmt: skip
SALES = Principal("sales", "sales")


def _services(database: Database) -> proposals.Services:
    return proposals.Services(database, ActiveCatalog(), InlineSolver(), Limits(), Settings())


def _race(count: int, work: Callable[[], Any]) -> list[Any]:
    results: list[Any] = []
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        try:
            results.append(work())
        except OfferwrightError as error:
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _create(services: proposals.Services, key: str | None = None) -> proposals.Answer:
    with services.database.transaction(write=False) as session:
        return proposals.create(services, session, SALES, BODY, key)


def test_concurrent_creations_get_consecutive_unique_numbers(
    committed_database: Database,
) -> None:
    services = _services(committed_database)
    results = _race(12, lambda: [_create(services) for _ in range(2)])
    answers = [answer for batch in results for answer in batch]
    assert len(answers) == 24
    numbers = sorted(int(answer.body["number"][-6:]) for answer in answers)
    assert numbers == list(range(1, 25))  # unique, no gaps
    with committed_database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Proposal)) == 24


def test_one_idempotency_key_creates_one_proposal_however_many_race(
    committed_database: Database,
) -> None:
    services = _services(committed_database)
    results = _race(6, lambda: _create(services, "the-same-key"))
    created = {answer.body["id"] for answer in results if isinstance(answer, proposals.Answer)}
    refused = [r for r in results if isinstance(r, OfferwrightError)]
    assert len(created) == 1
    assert all(error.status == 409 for error in refused)
    with committed_database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Proposal)) == 1
    replay = _create(services, "the-same-key")  # once done, a retry replays it
    assert replay.replayed and replay.body["id"] in created
