"""Pricing explicit bundles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from app.auth import DbSession, QuoteMaker, json_model
from app.kit.settings import Settings
from app.kit.wiring import provided, wired
from app.portfolio import ActiveCatalog
from app.quoting.quotes import service as quotes
from app.quoting.schemas import Quote, QuoteRequest

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


def _at_most_max_lines(request: Request, body: dict[str, Any]) -> None:
    quotes.check_lines(body, provided(request, Settings).max_quote_lines)


QuoteBody = Annotated[
    QuoteRequest, Depends(json_model(QuoteRequest, "quote request", check=_at_most_max_lines))
]


@router.post("/price", response_model=Quote)
def price_quote(
    session: DbSession,
    principal: QuoteMaker,
    body: QuoteBody,
    catalog: Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))],
    settings: Annotated[Settings, Depends(wired(Settings))],
) -> JSONResponse:
    """Price explicit lines (component, quantity, service level, delivery centre) in a price
    book over a term, with an optional sales discount: every line with its derivation, the
    totals and contract value, and the guardrails the quote breaks. Cost and margin only for
    roles that may see cost. An unknown component, level, centre or price book is a 422
    naming the field."""
    priced = quotes.price(session, principal, catalog, body, max_lines=settings.max_quote_lines)
    # Sent as built: the schema documents it, nothing re-validates or reshapes it.
    return JSONResponse(priced)
