"""Configuring bundles from needs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.auth import DbSession, JsonBody, QuoteMaker
from app.kit.schemas import OBJECT_BODY
from app.quoting.configurations import options
from app.quoting.configurations import service as configurations

router = APIRouter(prefix="/v1/configurations", tags=["configurations"])


@router.post("", openapi_extra=OBJECT_BODY)
def configure(request: Request, session: DbSession, principal: QuoteMaker, body: JsonBody) -> Any:
    """Assemble the best valid bundles for needs in business terms (capabilities and
    quantities, residency, availability, budget, includes and excludes, an offering), priced
    and explained line by line; or, when none exists, a minimal conflict and repairs (422,
    type `infeasible`). Runs in the solver pool: a plain `def`, so the event loop stays free."""
    state = request.app.state
    return configurations.configure(
        session, principal, state.active_catalog, state.solver_pool, state.limits, body
    )


@router.post("/options", openapi_extra=OBJECT_BODY)
def configuration_options(
    request: Request, session: DbSession, principal: QuoteMaker, body: JsonBody
) -> Any:
    """Interactive configuration: the fields of a configuration request plus `chosen` and
    `rejected` component codes. For every component in scope: `possible`, `forced` (in every
    valid completion) or `impossible`, with the reason; `valid: false` with a minimal
    `conflict` and `repairs` when the clicks cannot all hold. Exact for choices and
    quantities; capacity, availability and budget are checked when the bundle is
    configured."""
    state = request.app.state
    return options.options(session, state.active_catalog, state.options_engines, state.limits, body)
