"""Good/better/best as one ladder (``service.ladder``): each rung the cheapest bundle more
available than the one before, each with the request that solves to exactly it, and a
proposal's options are that ladder's bundles."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_CEILING, Decimal

from app.auth.principal import Principal
from app.configurator.request import Limits
from app.kit.settings import Settings
from app.portfolio.catalog.active import ActiveCatalog
from app.proposals import service as proposals
from app.quoting import ConfigurationIn, bundle_body
from app.quoting.solver_pool import InlineSolver
from tests.support.database import RolledBackDatabase
from tests.support.factories import CONFIGURATION_REQUEST

SALES = Principal("sales", "sales")


def _services(database: RolledBackDatabase) -> proposals.Services:
    return proposals.Services(database, ActiveCatalog(), InlineSolver(), Limits(), Settings())


def _request(**more: object) -> ConfigurationIn:
    return ConfigurationIn.model_validate({**CONFIGURATION_REQUEST, **more})


def test_each_rung_is_more_available_and_its_request_solves_to_exactly_it(
    database: RolledBackDatabase,
) -> None:
    services = _services(database)
    request = _request(alternatives=3).as_request()
    with database.transaction(write=False) as session:
        found = proposals.ladder(services, session, SALES, request)
        assert len(found.rungs) >= 2, "the default catalog reaches higher than the cheapest"
        assert found.rungs[0].request == replace(request, alternatives=1)
        for before, rung in zip(found.rungs, found.rungs[1:], strict=False):
            assert before.bundle.availability is not None
            target = (before.bundle.availability + proposals.AVAILABILITY_STEP).quantize(
                Decimal("0.000001"), ROUND_CEILING
            )
            assert rung.request == replace(request, alternatives=1, min_availability=target)
            assert rung.bundle.availability is not None
            assert rung.bundle.availability >= target
        for rung in found.rungs:
            # The rung's request, as the API would read it back, gives that bundle alone.
            body = {**CONFIGURATION_REQUEST, "alternatives": 1}
            if rung.request.min_availability is not None:
                body["min_availability"] = str(rung.request.min_availability)
            again = proposals.ladder(
                services, session, SALES, ConfigurationIn.model_validate(body).as_request()
            )
            assert again.bundles == (rung.bundle,)


def test_a_proposal_offers_the_ladders_bundles(database: RolledBackDatabase) -> None:
    services = _services(database)
    request = _request(alternatives=3).as_request()
    with database.transaction(write=False) as session:
        found = proposals.ladder(services, session, SALES, request)
        body = {"customer": {"name": "Ladder Ltd", "country": "GB"},
                "request": {**CONFIGURATION_REQUEST, "alternatives": 3}}  # fmt: skip
        answer = proposals.create(services, session, SALES, body, None)
    offered = [option["totals"]["monthly"] for option in answer.body["options"]]
    shown = [bundle_body(b, (), show_cost=False)["totals"]["monthly"] for b in found.bundles]
    assert offered == shown
    assert [option["name"] for option in answer.body["options"]] == list(
        ("Good", "Better", "Best")[: len(found.rungs)]
    )
