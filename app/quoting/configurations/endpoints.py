"""Configuring bundles from needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.auth import DbSession, QuoteMaker, json_model
from app.configurator import Limits as SolveLimits
from app.kit.contract import problems
from app.kit.database import Database
from app.kit.wiring import wired
from app.portfolio import ActiveCatalog
from app.quoting.configurations import options
from app.quoting.configurations import service as configurations
from app.quoting.configurations.options import OptionsEngines
from app.quoting.schemas import (
    ConfigurationOptions,
    ConfigurationRequest,
    ConfigurationResult,
    InfeasibleProblem,
    OptionsRequest,
)
from app.quoting.solver_pool import Solver

router = APIRouter(prefix="/v1/configurations", tags=["configurations"])

ConfigurationBody = Annotated[
    ConfigurationRequest, Depends(json_model(ConfigurationRequest, "request"))
]
OptionsBody = Annotated[OptionsRequest, Depends(json_model(OptionsRequest, "request"))]


Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
Limits = Annotated[SolveLimits, Depends(wired(SolveLimits))]


# Answers are sent as the services build them (JSONResponse): the schemas document them,
# nothing re-validates or reshapes them.
@router.post(
    "",
    response_model=ConfigurationResult,
    responses=problems(422, model=InfeasibleProblem) | problems(503),
)
def configure(
    session: DbSession,
    principal: QuoteMaker,
    body: ConfigurationBody,
    catalog: Catalog,
    solver: Annotated[Solver, Depends(wired(Solver))],
    limits: Limits,
    database: Annotated[Database, Depends(wired(Database))],
) -> JSONResponse:
    """Assemble the best valid bundles for needs in business terms (capabilities and
    quantities, residency, availability, budget, includes and excludes, an offering), priced
    and explained line by line; or, when none exists, a minimal conflict and repairs (422,
    type `infeasible`). 503 with `Retry-After` when every solver is busy or the solve is cut
    off. Runs in the solver pool: a plain `def`, so the event loop stays free."""
    return JSONResponse(
        configurations.configure(session, principal, catalog, solver, limits, body, database)
    )


@router.post("/options", response_model=ConfigurationOptions, responses=problems(422, 503))
def configuration_options(
    session: DbSession,
    principal: QuoteMaker,
    body: OptionsBody,
    catalog: Catalog,
    engines: Annotated[OptionsEngines, Depends(wired(OptionsEngines))],
    limits: Limits,
) -> JSONResponse:
    """Interactive configuration: the fields of a configuration request plus `chosen` and
    `rejected` component codes. For every component in scope: `possible`, `forced` (in every
    valid completion) or `impossible`, with the reason; `valid: false` with a minimal
    `conflict` and `repairs` when the clicks cannot all hold. Exact for choices and
    quantities; capacity, availability and budget are checked when the bundle is
    configured. 503 with `Retry-After` when the options engine is busy."""
    return JSONResponse(options.options(session, catalog, engines, limits, body))
