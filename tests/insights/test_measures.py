"""Every insight figure against the hand-computed fixture (tests/support/insights_fixture.py),
on SQLite and PostgreSQL; then the filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.auth import Principal
from app.insights import Filters, delivery, go_to_market, portfolio
from app.kit.database import Database
from app.kit.errors import Forbidden, Invalid
from app.models import ComponentHead
from tests.support.insights_fixture import (
    EXPECTED_DELIVERY,
    EXPECTED_GO_TO_MARKET,
    EXPECTED_PORTFOLIO,
    SINCE,
    SOLD,
    UNTIL,
    make_insights_fixture,
)

ADMIN = Principal("admin", "admin")
TODAY = date(2026, 6, 30)


@pytest.fixture
def fixture_db(database: Database) -> Database:
    make_insights_fixture(database)
    return database


def _figures(database: Database, kind: str, **filters: Any) -> dict[str, Any]:
    chosen = Filters(SINCE, UNTIL, **filters) if "since" not in filters else Filters(**filters)
    with database.transaction(write=False) as session:
        if kind == "go_to_market":
            found: Any = go_to_market(session, ADMIN, chosen, today=TODAY)
        elif kind == "portfolio":
            found = portfolio(session, ADMIN, chosen)
        else:
            found = delivery(session, ADMIN, chosen)
    body: dict[str, Any] = found.model_dump(mode="json")
    return body


def test_go_to_market_matches_the_hand_computed_figures(fixture_db: Database) -> None:
    body = _figures(fixture_db, "go_to_market")
    assert body["filters"] == {"since": "2026-01-01", "until": "2026-03-31", "price_book": None,
                               "offering": None, "family": None, "centre": None}  # fmt: skip
    for name, expected in EXPECTED_GO_TO_MARKET.items():
        assert body[name] == expected, name


def test_portfolio_matches_the_hand_computed_figures(fixture_db: Database) -> None:
    body = _figures(fixture_db, "portfolio")
    for name, expected in EXPECTED_PORTFOLIO.items():
        assert body[name] == expected, name
    with fixture_db.transaction(write=False) as session:
        active = {h.code for h in session.query(ComponentHead).filter(
            ComponentHead.active_version.is_not(None))}  # fmt: skip
    assert {c["code"] for c in body["never_sold"]} == active - SOLD


def test_delivery_matches_the_hand_computed_figures(fixture_db: Database) -> None:
    body = _figures(fixture_db, "delivery")
    for name, expected in EXPECTED_DELIVERY.items():
        assert body[name] == expected, name


def test_the_price_book_filter_keeps_its_proposals_and_misses(fixture_db: Database) -> None:
    body = _figures(fixture_db, "go_to_market", price_book="GBP")
    assert body["win_rate"] == {"accepted": 1, "decided": 1, "percent": "100.00"}
    assert [w["currency"] for w in body["won"]] == ["GBP"]
    assert body["creation_to_issue"] == {"proposals": 1, "average_days": "1.00",
                                         "p90_days": "1.00"}  # fmt: skip
    assert _figures(fixture_db, "portfolio", price_book="GBP")["conflicts"] == []


def test_the_family_filter_keeps_lines_of_that_family(fixture_db: Database) -> None:
    body = _figures(fixture_db, "portfolio", family="compute")
    # Only P1's compute line: the custom line is of no family.
    assert body["standard_share"] == [{"currency": "EUR", "standard": "12000.00",
                                       "custom": "0.00", "standard_percent": "100.00"}]  # fmt: skip
    assert [m["key"] for m in body["margin_by_family"]] == ["compute"]
    assert all(c["family"] == "compute" for c in body["never_sold"])
    assert "CMP-VM-LNX" not in {c["code"] for c in body["never_sold"]}
    market = _figures(fixture_db, "go_to_market", family="backup")
    assert market["win_rate"] == {"accepted": 1, "decided": 1, "percent": "100.00"}


def test_the_centre_and_offering_filters(fixture_db: Database) -> None:
    load = _figures(fixture_db, "delivery", centre="GB-LON")["utilisation"]
    assert {row["centre"] for row in load} == {"GB-LON"} and len(load) == 2
    offered = _figures(fixture_db, "go_to_market", offering="hosting")
    assert offered["won"][0]["contract_value"] == "15000.00" and len(offered["won"]) == 1
    assert [c["misses"] for c in _figures(fixture_db, "portfolio", offering="hosting")[
        "conflicts"]] == [1]  # fmt: skip


def test_the_period_moves_every_figure(fixture_db: Database) -> None:
    january = _figures(fixture_db, "go_to_market", since=date(2026, 1, 1),
                       until=date(2026, 1, 31))  # fmt: skip
    assert january["status_by_month"] == [
        {"month": "2026-01-01", "status": "accepted", "proposals": 2}
    ]
    # P6 was created on 2025-12-31: in a period that starts then, its one day counts.
    wider = _figures(fixture_db, "go_to_market", since=date(2025, 12, 31), until=UNTIL)
    assert wider["win_rate"]["accepted"] == 3
    assert wider["issue_to_acceptance"]["proposals"] == 3


def test_roles_without_insights_read_are_refused(fixture_db: Database) -> None:
    with fixture_db.transaction(write=False) as session:
        for role in ("sales", "delivery"):
            with pytest.raises(Forbidden):
                go_to_market(session, Principal(role, role), Filters(SINCE, UNTIL))


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"since": "2026-02-30"}, ["since"]),
        ({"since": "yesterday", "until": "2026/01/01"}, ["since", "until"]),
        ({"since": "2026-03-01", "until": "2026-02-01"}, ["since"]),
        ({"since": "2010-01-01", "until": "2026-01-01"}, ["since"]),
        ({"price_book": "EUR; drop", "centre": "x" * 101}, ["price_book", "centre"]),
        ({"since": "9999-12-31", "until": "9999-12-31"}, ["since", "until"]),
        ({"since": "0001-01-01"}, ["since"]),
    ],
)
def test_bad_filters_are_named(query: dict[str, str], fields: list[str]) -> None:
    with pytest.raises(Invalid) as refused:
        Filters.parse(query, today=TODAY)
    assert [p.field for p in refused.value.problems] == fields


def test_default_period_is_the_last_twelve_months() -> None:
    assert Filters.parse({}, today=TODAY) == Filters(date(2025, 7, 1), TODAY)
    assert Filters.parse({"since": "", "family": " compute "}, today=TODAY).family == "compute"
