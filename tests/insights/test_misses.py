"""What counts as a configuration miss: the first solve of a proposal's ladder (what the
configure pages and POST /v1/proposals run) failing is one; a rung that finds nothing more
available is not (the proposal simply offers fewer options)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.configurator import ConfigurationRequest, ConflictItem, Infeasible, Solution
from app.configurator.request import Limits
from app.kit.errors import NoValidBundle
from app.kit.settings import Settings
from app.models import InsightMiss, InsightMissItem
from app.portfolio.catalog.active import ActiveCatalog
from app.proposals import service as proposals
from app.quoting import ConfigurationIn
from app.quoting.solver_pool import InlineSolver
from catalog import CatalogSnapshot
from tests.support.database import RolledBackDatabase
from tests.support.factories import CONFIGURATION_REQUEST

SALES = Principal("sales", "sales")


def _misses(database: RolledBackDatabase) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(InsightMiss)) or 0)


class NothingHigher(InlineSolver):
    """Solves a request without an availability target; any rung that asks for more
    availability finds nothing (as at the top of a catalog's availability)."""

    def solve(self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest,
              limits: Limits) -> Solution:  # fmt: skip
        if request.min_availability is not None:
            raise Infeasible("nothing more available",
                             [ConflictItem("availability", "target", "too high")], [])  # fmt: skip
        return super().solve(key, snapshot, request, limits)


def test_a_ladder_that_tops_out_records_no_miss(database: RolledBackDatabase) -> None:
    services = proposals.Services(database, ActiveCatalog(), NothingHigher(), Limits(), Settings())
    body = {**CONFIGURATION_REQUEST, "alternatives": 3}
    with database.transaction(write=False) as session:
        found = proposals.ladder(
            services, session, SALES, ConfigurationIn.model_validate(body).as_request()
        )
    assert len(found.rungs) == 1  # the better rungs' solves failed...
    assert _misses(database) == 0  # ...and are no miss


def test_a_ladder_whose_first_solve_fails_records_its_conflict(
    database: RolledBackDatabase,
) -> None:
    services = proposals.Services(database, ActiveCatalog(), InlineSolver(), Limits(), Settings())
    body = {**CONFIGURATION_REQUEST, "budget_monthly": "1.00", "alternatives": 3}
    with database.transaction(write=False) as session, pytest.raises(NoValidBundle):
        proposals.ladder(
            services, session, SALES, ConfigurationIn.model_validate(body).as_request()
        )
    assert _misses(database) == 1
    with database.transaction(write=False) as session:
        miss = session.scalars(select(InsightMiss)).one()
        assert (miss.actor, miss.price_book, miss.offering) == ("sales", "EUR", None)
        parts = {item.part for item in session.scalars(select(InsightMissItem))}
    assert parts == {"conflict", "repair"}
