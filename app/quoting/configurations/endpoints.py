"""Configuring bundles from needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from app.auth import DbSession, QuoteMaker, json_model
from app.kit.contract import problems
from app.quoting.configurations import options
from app.quoting.configurations import service as configurations
from app.quoting.schemas import (
    ConfigurationOptions,
    ConfigurationRequest,
    ConfigurationResult,
    InfeasibleProblem,
    OptionsRequest,
)

router = APIRouter(prefix="/v1/configurations", tags=["configurations"])

ConfigurationBody = Annotated[
    ConfigurationRequest, Depends(json_model(ConfigurationRequest, "request"))
]
OptionsBody = Annotated[OptionsRequest, Depends(json_model(OptionsRequest, "request"))]


# Answers are sent as the services build them (JSONResponse): the schemas document them,
# nothing re-validates or reshapes them.
@router.post(
    "",
    response_model=ConfigurationResult,
    responses=problems(422, model=InfeasibleProblem) | problems(503),
)
def configure(
    request: Request, session: DbSession, principal: QuoteMaker, body: ConfigurationBody
) -> JSONResponse:
    """Assemble the best valid bundles for needs in business terms (capabilities and
    quantities, residency, availability, budget, includes and excludes, an offering), priced
    and explained line by line; or, when none exists, a minimal conflict and repairs (422,
    type `infeasible`). 503 with `Retry-After` when every solver is busy or the solve is cut
    off. Runs in the solver pool: a plain `def`, so the event loop stays free."""
    state = request.app.state
    return JSONResponse(
        configurations.configure(
            session, principal, state.active_catalog, state.solver_pool, state.limits, body
        )
    )


@router.post("/options", response_model=ConfigurationOptions, responses=problems(422, 503))
def configuration_options(
    request: Request, session: DbSession, principal: QuoteMaker, body: OptionsBody
) -> JSONResponse:
    """Interactive configuration: the fields of a configuration request plus `chosen` and
    `rejected` component codes. For every component in scope: `possible`, `forced` (in every
    valid completion) or `impossible`, with the reason; `valid: false` with a minimal
    `conflict` and `repairs` when the clicks cannot all hold. Exact for choices and
    quantities; capacity, availability and budget are checked when the bundle is
    configured. 503 with `Retry-After` when the options engine is busy."""
    state = request.app.state
    return JSONResponse(
        options.options(session, state.active_catalog, state.options_engines, state.limits, body)
    )
