"""Small keyword-only factories for pricing tests: a hand-sized catalog whose figures can be
checked with pencil and paper."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, QuoteRequest

D = Decimal

DOCUMENTS: dict[str, Any] = {
    "specification": "A component.",
    "statement_of_work": {
        "provider_responsibilities": ["Run it."],
        "client_responsibilities": ["Use it."],
        "deliverables": ["It."],
        "assumptions": ["None."],
        "exclusions": ["Nothing."],
    },
    "delivery_description": {
        "provisioning_steps": ["Build it."],
        "operating_procedures": ["Run it."],
        "tooling": ["Tools"],
        "skills": ["Skills"],
        "handover": "Hand it over.",
        "kpis": [{"name": "Uptime", "target": "99 %", "measurement": "Monthly."}],
    },
}


def component(
    *,
    code: str = "CMP-A",
    family: str = "compute",
    prices: dict[str, Any] | None = None,
    effort: dict[str, Any] | None = None,
    non_labour_cost: dict[str, Any] | None = None,
    partner: dict[str, Any] | None = None,
    competency: str = "unix-linux-ops",
    quantity: dict[str, int] | None = None,
    charges: tuple[str, ...] = ("monthly", "one_time"),
) -> dict[str, Any]:
    return {
        "code": code,
        "version": 1,
        "name": f"Component {code}",
        "summary": "For pricing tests.",
        "family": family,
        "layer": "infrastructure",
        "charges": list(charges),
        "unit": "server",
        "quantity": quantity or {"min": 1, "max": 1000, "step": 1},
        "provides": {"compute.linux": 1},
        "competency": competency,
        "effort": effort
        if effort is not None
        else {"monthly": {"linux-admin": 2}, "one_time": {"linux-admin": 4}},
        "non_labour_cost": non_labour_cost
        if non_labour_cost is not None
        else {"currency": "EUR", "monthly": 10, "one_time": 50},
        "partner": partner,
        "prices": prices if prices is not None else {"EUR": {"monthly": 100, "one_time": 200}},
        "service_levels": [
            {
                "name": "standard",
                "response_minutes": 240,
                "restore_hours": 24,
                "price_factor": 1,
                "cost_factor": 1,
            },
            {
                "name": "gold",
                "response_minutes": 30,
                "restore_hours": 4,
                "price_factor": "1.20",
                "cost_factor": "1.10",
            },
        ],
        "status": "active",
        "author": "test@example.com",
        "documents": DOCUMENTS,
    }


def centre(
    *,
    code: str = "CZ-X",
    currency: str = "CZK",
    rates: dict[str, Any] | None = None,
    competencies: tuple[str, ...] = ("unix-linux-ops",),
) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Centre {code}",
        "country": "CZ",
        "region": "EU",
        "cost_currency": currency,
        "competencies": list(competencies),
        "labour_rates": rates or {"linux-admin": 1000},
        "monthly_capacity_hours": 10_000,
    }


def book(
    *,
    code: str = "EUR",
    currency: str = "EUR",
    fx_rates: dict[str, Any] | None = None,
    term_discounts: dict[int, Any] | None = None,
    guardrails: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Book {code}",
        "currency": currency,
        "fx_rates": fx_rates if fx_rates is not None else {"CZK": "0.04", "USD": "0.92"},
        "term_discounts": term_discounts if term_discounts is not None else {24: 3, 36: 6},
        "guardrails": guardrails or {},
    }


def snapshot(
    *,
    components: list[dict[str, Any]] | None = None,
    centres: list[dict[str, Any]] | None = None,
    books: list[dict[str, Any]] | None = None,
) -> CatalogSnapshot:
    return CatalogSnapshot.model_validate(
        {
            "components": components or [component()],
            "delivery_centres": centres or [centre()],
            "price_books": books or [book()],
        }
    )


def request(
    *lines: tuple[str, int, str, str],
    price_book: str = "EUR",
    term_months: int = 36,
    discount_percent: Decimal | str = "0",
) -> QuoteRequest:
    return QuoteRequest(
        price_book=price_book,
        term_months=term_months,
        lines=[LineRequest(*line) for line in lines],
        discount_percent=Decimal(discount_percent),
    )
