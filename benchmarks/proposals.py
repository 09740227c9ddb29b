"""Benchmark: proposals. Creating one through ``POST /v1/proposals`` (solve, price, freeze,
number; no PDF) on SQLite, and rendering proposal PDFs of 5, 10 and 25 lines in process
(PDF/A-3b, as issued), with their page counts and sizes, to see rendering grow with lines.

    .venv/bin/python -m benchmarks.proposals [--runs 7]
"""

from __future__ import annotations

import argparse
import functools
from datetime import date

from app.configurator.results import Bundle
from app.documents.pdf import render_pdf
from app.proposals.content import freeze
from app.proposals.pdf import ProposalDocument
from app.proposals.revision import Customer
from benchmarks.api_post import post_timings
from benchmarks.report import RESULTS, machine, median, timings, today, write_section
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot
from pricing.errors import PricingError
from pricing.quote import LineRequest, QuoteRequest, price_quote

REQUEST = {
    "price_book": "EUR", "term_months": 36, "residency": ["EU"],
    "needs": [{"capability": "compute.linux", "quantity": 40},
              {"capability": "storage.block", "quantity": 60},
              {"capability": "service-desk", "quantity": 500}],
}  # fmt: skip


def document_of(snapshot: CatalogSnapshot, lines: int) -> ProposalDocument:
    """A proposal of ``lines`` different components of the default catalog, each priced at
    its first service level and first centre."""
    requested: list[LineRequest] = []
    for component in snapshot.components:
        centres = snapshot.centres_with(component.competency)
        if component.status != "active" or not centres or "EUR" not in component.prices:
            continue
        level = component.service_levels[0].name
        candidate = LineRequest(component.code, max(1, component.quantity.min), level,
                                centres[0].code)  # fmt: skip
        try:
            price_quote(snapshot, QuoteRequest("EUR", 36, [candidate]))
        except PricingError:  # not priceable on its own: try the next one
            continue
        requested.append(candidate)
        if len(requested) == lines:
            break
    quote = price_quote(snapshot, QuoteRequest("EUR", 36, requested))
    bundle = Bundle(quote, tuple(("part of the benchmark bundle",) for _ in quote.lines), None)
    frozen = freeze(snapshot, 1, bundle, (), None, "optimal")
    return ProposalDocument(
        provider="Offerwright Managed Services", number="P-2026-000001", revision=1,
        issued=date(2026, 11, 30), valid_until=date(2026, 12, 30),
        customer=Customer(name="Benchmark Industries AG", country="CH"),
        public=frozen.public, components=frozen.components, offering=None,
        watermark=None, archival=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    snapshot = load_default_catalog()
    rows: list[str] = []
    for count in (5, 10, 25):
        document = document_of(snapshot, count)
        rendered = render_pdf(document, max_pages=500)  # warm fonts and templates
        measured = timings(functools.partial(render_pdf, document, max_pages=500), runs)
        rows.append(
            f"| PDF of {count} lines (PDF/A-3b) | {median(measured) * 1000:.0f} ms | "
            f"{min(measured) * 1000:.0f} to {max(measured) * 1000:.0f} ms | "
            f"{rendered.pages} pages, {len(rendered.pdf) / 1024:.0f} KiB |"
        )
        print(rows[-1])
    body = {"customer": {"name": "Benchmark Industries AG", "country": "CH"}, "request": REQUEST}
    created = post_timings(snapshot, "/v1/proposals", body, 201, runs)
    rows.append(
        f"| `POST /v1/proposals` (6 lines, no PDF; SQLite) | {median(created) * 1000:.0f} ms | "
        f"{min(created) * 1000:.0f} to {max(created) * 1000:.0f} ms | |"
    )
    print(rows[-1])
    write_section(
        "proposals",
        [
            "## Proposals (`python -m benchmarks.proposals`)",
            "",
            f"Machine: {machine()}. Date: {today()}. Median of {runs} runs. Targets: a 25-line "
            "proposal renders in under 1.5 s; creating a proposal (no PDF) under 300 ms.",
            "",
            "| what | median | range | document |",
            "| --- | ---: | --- | --- |",
            *rows,
        ],
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
