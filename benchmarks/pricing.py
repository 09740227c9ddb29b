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
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api.app import create_app
from app.db.engine import Database
from app.db.migrate import upgrade
from app.services.importer import import_snapshot
from app.services.keys import create_key
from app.services.principal import SYSTEM
from app.services.quote_view import quote_view
from app.settings import Settings
from benchmarks.report import RESULTS, machine, median, timings, today, write_section
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot
from pricing.guardrails import check_guardrails
from pricing.quote import LineRequest, QuoteRequest, price_quote


def random_bundle(snapshot: CatalogSnapshot, lines: int, seed: int = 7) -> QuoteRequest:
    chooser = random.Random(seed)
    book = snapshot.price_book("EUR")
    options = []
    for component in snapshot.components:
        if "EUR" not in component.prices:
            continue
        skills = set(component.effort.monthly) | set(component.effort.one_time)
        for centre in snapshot.centres_with(component.competency):
            if skills <= set(centre.labour_rates) and book.fx_rate(centre.cost_currency):
                options.extend((component, level.name, centre.code)
                               for level in component.service_levels)  # fmt: skip
    chosen = []
    for _ in range(lines):
        component, level, centre = chooser.choice(options)
        bounds = component.quantity
        top = min(bounds.max, bounds.min + 3_000)
        steps = (top - bounds.min) // bounds.step
        quantity = bounds.min + bounds.step * chooser.randint(0, steps)
        chosen.append(LineRequest(component.code, quantity, level, centre))
    return QuoteRequest("EUR", 36, chosen, Decimal(5))


def _api_client(directory: str, snapshot: CatalogSnapshot) -> tuple[TestClient, str]:
    database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
    upgrade(database.engine)
    with Session(database.engine) as session, session.begin():
        import_snapshot(session, SYSTEM, snapshot, trusted=True)
        key = create_key(session, name="bench", role="portfolio")
    return TestClient(create_app(Settings(), database)), key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--lines", type=int, default=1_000)
    arguments = parser.parse_args()
    runs, size = arguments.runs, arguments.lines
    snapshot = load_default_catalog()
    request = random_bundle(snapshot, size)
    guardrails = snapshot.price_book("EUR").guardrails
    distinct = len({(line.component, line.service_level, line.delivery_centre)
                    for line in request.lines})  # fmt: skip

    def engine() -> object:
        return price_quote(snapshot, request)

    def engine_and_view() -> object:
        quote = price_quote(snapshot, request)
        return quote_view(quote, check_guardrails(quote, guardrails, "sales"), show_cost=True)

    rows = []
    for label, action in (
        ("engine: `price_quote`", engine),
        ("engine + guardrails + JSON view with derivations", engine_and_view),
    ):
        action()
        measured = timings(action, runs)
        rows.append((label, measured))
        print(f"{label}: median {median(measured) * 1000:.2f} ms")

    body = {
        "price_book": "EUR", "term_months": 36, "discount_percent": "5",
        "lines": [{"component": line.component, "quantity": line.quantity,
                   "service_level": line.service_level, "delivery_centre": line.delivery_centre}
                  for line in request.lines],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        client, key = _api_client(directory, snapshot)
        headers = {"Authorization": f"Bearer {key}"}

        def api() -> object:
            response = client.post("/v1/quotes/price", json=body, headers=headers)
            assert response.status_code == 200, response.text
            return response

        api()
        measured = timings(api, runs)
        label = "`POST /v1/quotes/price` through the ASGI app (SQLite, portfolio key)"
        rows.append((label, measured))
        print(f"{label}: median {median(measured) * 1000:.2f} ms")
        client.close()

    lines = [
        "## Pricing a bundle (`python -m benchmarks.pricing`)",
        "",
        f"Machine: {machine()}. Date: {today()}. {size:,} lines drawn at random (seed 7) from "
        f"the default catalog ({distinct} distinct component/service-level/centre choices), "
        f"EUR, 36 months, 5 % discount. Median of {runs} runs after one warm-up. "
        "Target: the engine under 20 ms median.",
        "",
        "| what | median | range |",
        "| --- | ---: | --- |",
        *(
            f"| {label} | {median(measured) * 1000:.2f} ms | "
            f"{min(measured) * 1000:.2f} to {max(measured) * 1000:.2f} ms |"
            for label, measured in rows
        ),
    ]
    write_section("pricing", lines)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
