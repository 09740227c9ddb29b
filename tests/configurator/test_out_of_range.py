"""Sums past the solver's integers: every line within the catalog's limits, but hundreds of
them at those extremes in one objective. The configurator refuses the request (OutOfRange)
instead of reading CP-SAT's refusal of the model as "no bundle"."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from app.configurator.errors import OutOfRange
from app.configurator.model import solve_model
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.solve import configure
from catalog.checks import check, records_of
from catalog.limits import MAX_LINE_AMOUNT, MAX_QUANTITY
from catalog.snapshot import CatalogSnapshot
from tests.configurator.factories import catalog, component


def test_lines_at_their_limits_adding_up_past_the_solver_are_refused() -> None:
    # 1,000.00 a unit a month x 10**9 units is MAX_LINE_AMOUNT: each line is allowed, and
    # over 120 months 400 of them reach 4.8e18 cents, past CP-SAT's 2**62.
    rate = MAX_LINE_AMOUNT // MAX_QUANTITY
    snapshot = catalog(
        [component(f"CMP-{n}", price=rate, max_quantity=MAX_QUANTITY) for n in range(400)]
    )
    collections = {name: getattr(snapshot, name) for name in CatalogSnapshot.model_fields}
    assert not [p for p in check(records_of(collections)) if "solver" in p.message]
    request = ConfigurationRequest("EUR", 120, (Need("cap.a", 1),))
    with pytest.raises(OutOfRange, match="past the solver's 64-bit integers"):
        configure(snapshot, request, Limits(time_limit_seconds=5))


def test_an_invalid_model_for_another_reason_is_a_bug_not_a_range() -> None:
    model = cp_model.CpModel()
    model.proto.variables.add().domain.extend([5, 1])  # an empty domain: invalid, no overflow
    with pytest.raises(RuntimeError, match="invalid model"):
        solve_model(cp_model.CpSolver(), model)


def test_the_api_answers_it_as_a_422_problem() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from app.kit import problems

    app = FastAPI()
    problems.install(app)

    @app.post("/solve")
    def solve() -> None:
        raise OutOfRange("the request reaches figures past the solver's 64-bit integers")

    response = TestClient(app, raise_server_exceptions=False).post("/solve")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:offerwright:problem:out-of-range"
    assert "64-bit" in body["detail"]
