"""Pricing an explicit bundle: ``POST /v1/quotes/price``. Validates the request, prices it
on the active catalog, checks the price book's guardrails for the caller's role, and shapes
the answer to what the caller may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth import Principal, sees_cost
from app.kit.bodies import validated
from app.kit.errors import FieldProblem, Invalid
from app.portfolio import ActiveCatalog
from app.quoting.schemas import QuoteRequest
from app.quoting.views import quote_view
from pricing import check_guardrails, price_quote


def check_lines(body: dict[str, Any], max_lines: int) -> None:
    """At most ``max_lines`` lines: refused before anything is validated or priced, so the
    work is bounded."""
    lines = body.get("lines")
    if isinstance(lines, list):
        _check_count(len(lines), max_lines)


def _check_count(count: int, max_lines: int) -> None:
    if count > max_lines:
        raise Invalid(
            f"a quote has at most {max_lines} lines",
            [FieldProblem("lines", f"{count} lines, at most {max_lines} allowed")],
        )


def price(
    session: Session,
    principal: Principal,
    catalog: ActiveCatalog,
    body: QuoteRequest | dict[str, Any],
    *,
    max_lines: int,
) -> dict[str, Any]:
    """``body`` as the route read it (a QuoteRequest), or as a dict (validated here)."""
    if isinstance(body, dict):
        check_lines(body, max_lines)
        request = validated(QuoteRequest, body, "quote request")
    else:
        _check_count(len(body.lines), max_lines)
        request = body
    snapshot = catalog.snapshot(session)
    quote = price_quote(snapshot, request.as_request())
    guardrails = snapshot.price_book(quote.price_book).guardrails
    breaches = check_guardrails(quote, guardrails, principal.role)
    return quote_view(quote, breaches, show_cost=sees_cost(principal))
