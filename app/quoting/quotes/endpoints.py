"""Pricing explicit bundles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.auth import DbSession, JsonBody, QuoteMaker
from app.kit.schemas import OBJECT_BODY
from app.quoting.quotes import service as quotes

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


@router.post("/price", openapi_extra=OBJECT_BODY)
def price(request: Request, session: DbSession, principal: QuoteMaker, body: JsonBody) -> Any:
    """Price explicit lines (component, quantity, service level, delivery centre) in a price
    book over a term, with an optional sales discount: every line with its derivation, the
    totals and contract value, and the guardrails the quote breaks. Cost and margin only for
    roles that may see cost."""
    return quotes.price(
        session,
        principal,
        request.app.state.active_catalog,
        body,
        max_lines=request.app.state.settings.max_quote_lines,
    )
