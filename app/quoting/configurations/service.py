"""Configuring bundles from needs: ``POST /v1/configurations``. Parses and checks the
request before any model is built, solves in the solver pool on the active catalog, and
shapes bundles (or the conflict and repairs) to what the caller may see."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy.orm import Session

from app import insights
from app.auth import Principal, sees_cost
from app.configurator import (
    Bundle,
    ConfigurationInvalid,
    ConfigurationRequest,
    ConflictItem,
    Infeasible,
    Limits,
    Solution,
    SolverTimeout,
    validate_request,
)
from app.kit.database import Database, released
from app.kit.errors import DatabaseBusy, FieldProblem, Invalid, NoValidBundle, SolverKilled
from app.models import utcnow
from app.portfolio import ActiveCatalog
from app.quoting import schemas
from app.quoting.solver_pool import Solver
from app.quoting.views import quote_view
from catalog import CatalogSnapshot, Guardrails
from pricing import Breach, check_guardrails

# The request model lives with the API's schemas; known here by its earlier name too.
ConfigurationIn = schemas.ConfigurationRequest


def configure(
    session: Session,
    principal: Principal,
    catalog: ActiveCatalog,
    pool: Solver,
    limits: Limits,
    parsed: ConfigurationIn,
    misses: Database | None = None,
) -> dict[str, Any]:
    _, snapshot, solution = solve(
        session, principal, catalog, pool, limits, parsed.as_request(), misses=misses
    )
    guardrails = snapshot.price_book(parsed.price_book).guardrails
    return solution_view(solution, guardrails, principal)


def solve(
    session: Session,
    principal: Principal,
    catalog: ActiveCatalog,
    pool: Solver,
    limits: Limits,
    request: ConfigurationRequest,
    *,
    field: str = "",
    misses: Database | None = None,
) -> tuple[int, CatalogSnapshot, Solution]:
    """Solve ``request`` on the active catalog in the solver pool: the catalog revision and
    snapshot solved on, and the solution; 422s for a bad request (fields prefixed with
    ``field``) or when no bundle exists, 503 when the solve is cut off. With ``misses``, a
    request that ends in a conflict is recorded for the insights there, in a short write
    transaction of its own (the read one is over by then)."""
    # The solver workers cache snapshots by this key, so it must name the revision the
    # snapshot was read at (a second read could already see a newer one).
    revision, snapshot = catalog.current(session)
    problems = request_problems(snapshot, request, limits, field=field)
    if problems:
        raise Invalid("the request cannot be configured", problems)
    key = f"{id(catalog)}:{revision}"
    try:
        with released(session):
            return revision, snapshot, pool.solve(key, snapshot, request, limits)
    except Infeasible as error:
        guardrails = snapshot.price_book(request.price_book).guardrails
        view = infeasible_view(error, guardrails, principal)
        if misses is not None:
            _record_miss(misses, principal, request, error)
        raise NoValidBundle(error.detail, extra=view) from error
    except SolverTimeout as error:
        raise SolverKilled(str(error), headers={"Retry-After": "1"}) from error


def _record_miss(
    database: Database, principal: Principal, request: ConfigurationRequest, error: Infeasible
) -> None:
    facts = insights.MissFacts(
        at=utcnow(), actor=principal.name, price_book=request.price_book,
        offering=request.offering,
        conflicts=tuple(insights.Conflict(item.kind, item.ref) for item in error.conflicts),
        repairs=tuple(repair.detail for repair in error.repairs),
    )  # fmt: skip
    try:
        with database.transaction(write=True) as writing:
            insights.record_miss(writing, facts)
    except DatabaseBusy:  # the figure is worth less than the answer: the caller gets its 422
        return


def request_problems(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits, *, field: str = ""
) -> list[FieldProblem]:
    """Every problem of ``request`` against the catalog and the limits, each naming its
    field (prefixed with ``field``): checked before any model is built."""
    try:
        validate_request(snapshot, request, limits)
    except ConfigurationInvalid as error:
        return [
            FieldProblem(f"{field}.{p.field}" if field else p.field, p.message)
            for p in error.problems
        ]
    return []


def _availability(value: Decimal | None) -> float | None:
    # Shown rounded down to 0.001 %, so the figure never overstates what is promised.
    if value is None:
        return None
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_DOWN))


def bundle_view(bundle: Bundle, guardrails: Guardrails, principal: Principal) -> dict[str, Any]:
    breaches = check_guardrails(bundle.quote, guardrails, principal.role)
    return bundle_body(bundle, breaches, show_cost=sees_cost(principal))


def bundle_body(bundle: Bundle, breaches: tuple[Breach, ...], *, show_cost: bool) -> dict[str, Any]:
    """A bundle in the quote shape, with each line's reasons and the availability."""
    body = quote_view(bundle.quote, breaches, show_cost=show_cost)
    for line, reasons in zip(body["lines"], bundle.reasons, strict=True):
        line["reasons"] = list(reasons)
    body["availability"] = _availability(bundle.availability)
    return body


def solution_view(
    solution: Solution, guardrails: Guardrails, principal: Principal
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": solution.status,
        "bundles": [bundle_view(bundle, guardrails, principal) for bundle in solution.bundles],
    }
    if solution.timed_out:
        body["note"] = "stopped at the time limit: the best bundle found, not proven optimal"
    return body


def conflict_item_view(item: ConflictItem) -> dict[str, str]:
    return {"kind": item.kind, "ref": item.ref, "detail": item.detail}


def infeasible_view(
    error: Infeasible, guardrails: Guardrails, principal: Principal
) -> dict[str, Any]:
    return {
        "conflicts": [conflict_item_view(item) for item in error.conflicts],
        "repairs": [
            {
                "relax": [conflict_item_view(item) for item in repair.relax],
                "detail": repair.detail,
                "bundle": bundle_view(repair.bundle, guardrails, principal),
            }
            for repair in error.repairs
        ],
    }
