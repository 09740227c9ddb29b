"""Benchmark: pricing a 1,000-line bundle on the default catalog, in the pure engine (with
and without the guardrail check and the JSON view) and through the API.

    .venv/bin/python -m benchmarks.pricing [--runs 30] [--lines 1000]

Lines are drawn at random (fixed seed) from every component, service level and delivery
centre that can deliver it, with quantities across the whole tier tables.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from app.quoting.views import quote_view
from benchmarks.report import RESULTS, machine, median, timings, today, write_section
from catalog.components import Component
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot
from pricing.guardrails import check_guardrails
from pricing.quote import LineRequest, QuoteRequest, price_quote


def random_bundle(snapshot: CatalogSnapshot, lines: int, seed: int = 7) -> QuoteRequest:
    chooser = random.Random(seed)
    book = snapshot.price_book("EUR")
    options: list[tuple[Component, str, str]] = []
    for component in snapshot.components:
        if "EUR" not in component.prices:
            continue
        skills = set(component.effort.monthly) | set(component.effort.one_time)
        for capable in snapshot.centres_with(component.competency):
            if skills <= set(capable.labour_rates) and book.fx_rate(capable.cost_currency):
                options.extend((component, level.name, capable.code)
                               for level in component.service_levels)  # fmt: skip
    chosen = []
    for _ in range(lines):
        component, level, centre_code = chooser.choice(options)
        bounds = component.quantity
        top = min(bounds.max, bounds.min + 3_000)
        steps = (top - bounds.min) // bounds.step
        quantity = bounds.min + bounds.step * chooser.randint(0, steps)
        chosen.append(LineRequest(component.code, quantity, level, centre_code))
    return QuoteRequest("EUR", 36, chosen, Decimal(5))


def _api_client(directory: str, snapshot: CatalogSnapshot) -> tuple[TestClient, str]:
    database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
    upgrade(database.engine)
    with Session(database.engine) as session, session.begin():
        import_snapshot(session, SYSTEM, snapshot, trusted=True)
        key = create_key(session, name="bench", role="portfolio")
    return TestClient(create_app(Settings(), database)), key


NOTES = """
Profiled (cProfile) before optimising: at first the engine took 49 ms, two thirds of it in
building Money objects and re-deriving the same unit price and cost for repeated choices.
Amounts are now integer cents read as Money, each unit price is derived once per (component,
service level) and each cost build-up once per (component, centre), and a line's choice is
checked once per quote. The JSON view spends most of its time writing each line's derivation
in words (about 60 us a line).
""".strip().splitlines()


def _body(request: QuoteRequest) -> dict[str, object]:
    return {
        "price_book": request.price_book, "term_months": request.term_months,
        "discount_percent": str(request.discount_percent),
        "lines": [{"component": line.component, "quantity": line.quantity,
                   "service_level": line.service_level, "delivery_centre": line.delivery_centre}
                  for line in request.lines],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--lines", type=int, default=1_000)
    arguments = parser.parse_args()
    runs, size = arguments.runs, arguments.lines
    snapshot = load_default_catalog()
    guardrails = snapshot.price_book("EUR").guardrails
    rows: list[tuple[str, list[float]]] = []

    def measure(label: str, action: Callable[[], object]) -> None:
        action()
        measured = timings(action, runs)
        rows.append((label, measured))
        print(f"{label}: median {median(measured) * 1000:.2f} ms")

    with tempfile.TemporaryDirectory() as directory:
        client, key = _api_client(directory, snapshot)
        headers = {"Authorization": f"Bearer {key}"}
        for lines in (25, size):
            request = random_bundle(snapshot, lines)

            def engine(request: QuoteRequest = request) -> object:
                return price_quote(snapshot, request)

            def engine_and_view(request: QuoteRequest = request) -> object:
                quote = price_quote(snapshot, request)
                breaches = check_guardrails(quote, guardrails, "sales")
                return quote_view(quote, breaches, show_cost=True)

            body = _body(request)

            def api(body: dict[str, object] = body) -> object:
                response = client.post("/v1/quotes/price", json=body, headers=headers)
                assert response.status_code == 200, response.text
                return response

            measure(f"{lines:,} lines: engine, `price_quote`", engine)
            measure(f"{lines:,} lines: engine + guardrails + JSON view", engine_and_view)
            measure(f"{lines:,} lines: `POST /v1/quotes/price` (ASGI app, SQLite)", api)
        client.close()

    lines_out = [
        "## Pricing a bundle (`python -m benchmarks.pricing`)",
        "",
        f"Machine: {machine()}. Date: {today()}. Bundles of 25 and {size:,} lines drawn at "
        "random (seed 7) from every component, service level and capable centre of the default "
        "catalog (the 1,000-line one has about 500 distinct choices), EUR, 36 months, 5 % "
        f"discount, a portfolio key (so cost and margin are included). Median of {runs} runs "
        "after one warm-up. Target: 1,000 lines in the engine under 20 ms median.",
        "",
        "| what | median | range |",
        "| --- | ---: | --- |",
        *(
            f"| {label} | {median(measured) * 1000:.2f} ms | "
            f"{min(measured) * 1000:.2f} to {max(measured) * 1000:.2f} ms |"
            for label, measured in rows
        ),
        "",
        *NOTES,
    ]
    write_section("pricing", lines_out)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
