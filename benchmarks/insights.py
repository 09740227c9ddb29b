"""Benchmark: the insights at 10,000 proposals. Seeds them fast (bulk inserts into
proposals, proposal_events and the insights' read model, spread over 24 months, every
status, three price books, offerings, centres, families, custom lines, misses) on the
default catalog, then times each ``/v1/insights`` endpoint (JSON and CSV) and, where the web
app has them, the ``/insights/...`` pages, as the median of several requests through the
ASGI app, on SQLite (a file) and PostgreSQL when reachable.

    .venv/bin/python -m benchmarks.insights [--proposals 10000] [--runs 9] [--no-postgres]

Target: 300 ms p50 per page.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from app.accounts import create_account
from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.models import (
    ComponentVersion,
    InsightLine,
    InsightMiss,
    InsightMissItem,
    InsightRevision,
    Proposal,
    ProposalEvent,
)
from app.portfolio.catalog.service import import_snapshot
from benchmarks.api_list import _database
from benchmarks.report import machine, median, timings, today, write_section
from catalog.loader import load_default_catalog

PASSWORD = "insights-benchmark-password"
BOOKS = (("EUR", "EUR"), ("GBP", "GBP"), ("USD", "USD"))
OFFERINGS = (None, "hosting", "workplace", "sap")
CENTRES = ("DE-FRA", "CZ-BRN", "PL-WRO", "ES-MAD", "IN-BLR", "GB-LON", "US-DAL")
LEVELS = ("basic", "standard", "premium")
# The outcome of a proposal: (status, events after creation), weights.
FATES = (
    ("draft", ()), ("pending_approval", ("pending_approval",)),
    ("approved", ("approved",)), ("sent", ("approved", "sent")),
    ("accepted", ("approved", "sent", "accepted")),
    ("rejected", ("approved", "sent", "rejected")), ("withdrawn", ("withdrawn",)),
)  # fmt: skip
WEIGHTS = (10, 5, 5, 15, 35, 20, 10)
PERIOD_END = date(2026, 11, 30)


def seed(engine: Engine, database: Database, count: int) -> float:
    """The catalog, then ``count`` proposals with their events, revisions and lines; the
    seconds it took."""
    started = datetime.now(UTC)
    upgrade(engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, load_default_catalog(), trusted=True)
        components = [
            (code, version, family)
            for code, version, family in session.execute(
                select(ComponentVersion.code, ComponentVersion.version, ComponentVersion.family)
            )
        ]
    rng = random.Random(21)
    start = datetime(2024, 12, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 30, tzinfo=UTC) - start).total_seconds()
    proposals, events, revisions, lines = [], [], [], []
    for number in range(1, count + 1):
        created = start + timedelta(seconds=rng.random() * span)
        status, path = rng.choices(FATES, WEIGHTS)[0]
        book, currency = rng.choice(BOOKS)
        proposals.append({
            "id": number, "number": f"P-B-{number:07d}", "author": "sales",
            "author_role": "sales", "customer": {"name": f"Customer {number}", "country": "DE"},
            "customer_name": f"customer {number}", "status": status, "revision": 1,
            "valid_until": (created + timedelta(days=30)).date(), "created_at": created,
            "updated_at": created, "row_version": 1,
        })  # fmt: skip
        when, before = created, None
        for to in ("draft", *path):
            events.append({"proposal_id": number, "revision": 1, "at": when, "actor": "sales",
                           "role": "sales", "from_status": before, "to_status": to})  # fmt: skip
            before, when = to, when + timedelta(hours=rng.uniform(1, 24 * 20))
        total = cost = 0
        term = rng.choice((12, 24, 36, 60))
        for line in range(1, rng.randint(2, 7) + 1):
            code, version, family = rng.choice(components)
            value = rng.randint(1_000, 500_000) * 100
            spent = int(value * rng.uniform(0.4, 0.9))
            standard = line > 1 or rng.random() > 0.1
            lines.append({
                "proposal_id": number, "revision": 1, "line": line, "standard": standard,
                "component": code if standard else None, "version": version if standard else None,
                "family": family if standard else None,
                "centre": rng.choice(CENTRES) if standard else None,
                "competency": "virtualisation" if standard else None,
                "service_level": rng.choice(LEVELS) if standard else None,
                "availability_millionths": 99_900_000 if standard else None,
                "quantity": rng.randint(1, 200), "monthly_cents": value // term,
                "one_time_cents": 0, "contract_cents": value, "cost_cents": spent,
                "effort_millihours": rng.randint(0, 500_000) if standard else 0,
            })  # fmt: skip
            total, cost = total + value, cost + spent
        discount = rng.choice((0, 0, 0, 500, 1000, 1500, 2000))
        revisions.append({
            "proposal_id": number, "revision": 1, "created_at": created, "author_role": "sales",
            "price_book": book, "offering": rng.choice(OFFERINGS), "currency": currency,
            "term_months": term, "discount_hundredths": discount,
            "discount_limit_hundredths": 1000, "approval_required": discount > 1000,
            "target_millionths": rng.choice((None, 99_500_000, 99_900_000)),
            "reached_millionths": rng.randint(99_000_000, 99_990_000),
            "monthly_cents": total // term, "one_time_cents": 0, "contract_cents": total,
            "cost_cents": cost,
        })  # fmt: skip
    misses, items = [], []
    for number in range(1, count // 5 + 1):
        misses.append({"id": number, "at": start + timedelta(seconds=rng.random() * span),
                       "actor": "sales", "price_book": rng.choice(BOOKS)[0],
                       "offering": rng.choice(OFFERINGS)})  # fmt: skip
        items.append(
            {
                "miss_id": number,
                "part": "conflict",
                "kind": "need",
                "subject": rng.choice(("compute.linux", "storage.block", "sap.hana")),
            }
        )
        items.append(
            {
                "miss_id": number,
                "part": "repair",
                "kind": None,
                "subject": rng.choice(("drop residency EU", "raise the budget")),
            }
        )
    with database.transaction(write=True) as session:
        for table, rows in ((Proposal, proposals), (ProposalEvent, events),
                            (InsightRevision, revisions), (InsightLine, lines),
                            (InsightMiss, misses), (InsightMissItem, items)):  # fmt: skip
            for first in range(0, len(rows), 5000):
                session.execute(insert(table), rows[first : first + 5000])
        create_account(session, SYSTEM, email="approver@bench.example", name="Approver",
                       role="approver", password=PASSWORD)  # fmt: skip
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return (datetime.now(UTC) - started).total_seconds()


def _sign_in(client: TestClient) -> bool:
    page = client.get("/sign-in")
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    if not found:
        return False
    answer = client.post("/sign-in", data={
        "email": "approver@bench.example", "password": PASSWORD, "next": "/",
        "csrftoken": found.group(1),
    }, follow_redirects=False)  # fmt: skip
    return bool(answer.status_code == 303)


def _timed(action: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall times, and this process's CPU times (the app runs in it: on a machine other
    work loads, the CPU time is the steadier figure; PostgreSQL's own is not in it)."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu = time.process_time()
        walls.extend(timings(action, 1))
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def measure(backend: str, count: int, runs: int) -> list[str]:
    rows = []
    with _database(backend) as database:
        seconds = seed(database.engine, database, count)
        print(f"{backend}: seeded {count} proposals in {seconds:.1f} s")
        with database.transaction(write=True) as session:
            key = create_key(session, name="bench", role="approver")
        headers = {"Authorization": f"Bearer {key}"}
        query = f"since={date(2025, 12, 1)}&until={PERIOD_END}"
        cases: list[tuple[str, str, dict[str, str]]] = []
        for path in ("go-to-market", "portfolio", "delivery"):
            cases.append((f"GET /v1/insights/{path} (12 months)", f"/v1/insights/{path}?{query}",
                          headers))  # fmt: skip
            cases.append((f"GET /v1/insights/{path}.csv", f"/v1/insights/{path}.csv?{query}",
                          headers))  # fmt: skip
        cases.append(("GET /v1/insights/go-to-market, 24 months, EUR, family compute",
                      f"/v1/insights/go-to-market?since=2024-12-01&until={PERIOD_END}"
                      "&price_book=EUR&family=compute", headers))  # fmt: skip
        with TestClient(create_app(Settings(), database)) as client:
            signed_in = _sign_in(client)
            for path in ("go-to-market", "portfolio", "delivery"):
                if signed_in and client.get(f"/insights/{path}?{query}").status_code == 200:
                    cases.append((f"page /insights/{path}", f"/insights/{path}?{query}", {}))
            for case, url, sent in cases:
                response = client.get(url, headers=sent)
                assert response.status_code == 200, response.text[:500]
                measured, cpu = _timed(functools.partial(client.get, url, headers=sent), runs)
                rows.append(
                    f"| {backend} | {case} | {median(measured) * 1000:.0f} ms | "
                    f"{min(measured) * 1000:.0f} to {max(measured) * 1000:.0f} ms | "
                    f"{median(cpu) * 1000:.0f} ms |"
                )
                print(rows[-1])
            if not signed_in:
                rows.append(f"| {backend} | pages: sign-in failed, not timed | | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    backends = ["sqlite"]
    if not options.no_postgres:
        try:
            import psycopg

            psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3).close()
            backends.append("postgres")
        except Exception as error:  # unreachable: say so, time SQLite alone
            print(f"PostgreSQL unreachable, SQLite only: {error}")
    rows: list[str] = []
    for backend in backends:
        rows.extend(measure(backend, options.proposals, options.runs))
    write_section(
        "insights",
        [
            "## Insights at 10,000 proposals (`python -m benchmarks.insights`)",
            "",
            f"Machine: {machine()}. Date: {today()}. {options.proposals:,} proposals over 24 "
            "months (every status, three books, custom lines, 2,000 misses), seeded by bulk "
            f"inserts; median of {options.runs} requests through the ASGI app (approver key "
            "or signed-in approver), after one warm-up. Target: 300 ms p50 per page.",
            "",
            "| database | request | median | range | CPU (median, this process) |",
            "| --- | --- | ---: | --- | ---: |",
            *rows,
        ],
    )


if __name__ == "__main__":
    main()
