"""Pricing an explicit bundle: ``POST /v1/quotes/price``. Validates the request, prices it
on the active catalog, checks the price book's guardrails for the caller's role, and shapes
the answer to what the caller may see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from app.auth import Principal, sees_cost
from app.kit.errors import FieldProblem, Invalid
from app.kit.inputs import Code, Percent, Strict
from app.portfolio import ActiveCatalog, validate_model
from app.quoting.views import quote_view
from catalog import MAX_QUANTITY
from pricing import MAX_TERM_MONTHS, LineRequest, QuoteRequest, check_guardrails, price_quote


class QuoteLineIn(Strict):
    component: Code
    quantity: int = Field(strict=True, ge=0, le=MAX_QUANTITY)
    service_level: Code
    delivery_centre: Code


class QuoteIn(Strict):
    price_book: Code
    term_months: int = Field(strict=True, ge=1, le=MAX_TERM_MONTHS)
    discount_percent: Percent = Decimal(0)
    lines: list[QuoteLineIn] = Field(min_length=1)

    def as_request(self) -> QuoteRequest:
        return QuoteRequest(
            price_book=self.price_book,
            term_months=self.term_months,
            discount_percent=self.discount_percent,
            lines=[
                LineRequest(line.component, line.quantity, line.service_level, line.delivery_centre)
                for line in self.lines
            ],
        )


def price(
    session: Session,
    principal: Principal,
    catalog: ActiveCatalog,
    body: dict[str, Any],
    *,
    max_lines: int,
) -> dict[str, Any]:
    lines = body.get("lines")
    if isinstance(lines, list) and len(lines) > max_lines:
        # Refused before anything is validated or priced: the work is bounded.
        raise Invalid(
            f"a quote has at most {max_lines} lines",
            [FieldProblem("lines", f"{len(lines)} lines, at most {max_lines} allowed")],
        )
    request: QuoteIn = validate_model(QuoteIn.model_validate, body, "quote request")
    snapshot = catalog.snapshot(session)
    quote = price_quote(snapshot, request.as_request())
    guardrails = snapshot.price_book(quote.price_book).guardrails
    breaches = check_guardrails(quote, guardrails, principal.role)
    return quote_view(quote, breaches, show_cost=sees_cost(principal))
