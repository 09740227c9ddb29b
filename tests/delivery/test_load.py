"""A delivery centre's load: effort hours of accepted work per month against its capacity,
by competency (app.delivery.load), summed in SQL on both backends, against figures
worked out by hand; the waiting proposals that would overbook it; the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.delivery.load import (
    Waiting,
    accepted_load,
    centre_load,
    overbookings,
    spread,
    window,
)
from app.models import CatalogRecord, Proposal, WorkPackage
from app.proposals import PackageLoad, package_load
from tests.support.api import ok
from tests.support.database import RolledBackDatabase
from tests.support.factories import accepted_proposal, create_proposal, move_proposal
from tests.support.problems import assert_problem

LOAD = "/v1/delivery-centres/{}/load"
CENTRE = "ES-MAD"  # 12,000 hours a month in the default catalog


def test_a_package_load_is_its_effort_times_the_quantity_over_the_term() -> None:
    component = {
        "competency": "sap-basis",
        "effort": {"monthly": {"a": "0.5", "b": "0.25"}, "one_time": {"a": "2"}},
    }
    load = package_load(component, 4, 36, date(2026, 11, 30))
    assert load == PackageLoad("sap-basis", Decimal("3.00"), Decimal(8), date(2026, 11, 1),
                               date(2029, 11, 1))  # fmt: skip
    none = package_load({"competency": "x"}, 4, 1, date(2026, 12, 31))
    assert (none.monthly_hours, none.one_time_hours, none.ends_on) == (0, 0, date(2027, 1, 1))


# -- two accepted proposals, worked out by hand ------------------------------------------------
#
# A, accepted 20 January 2026 for 3 months: sap-basis 10 h a month + 5 h once; database-ops
#    2.5 h a month.
# B, accepted 3 February 2026 for 2 months: sap-basis 4 h a month + 20 h once.
# Another centre's package (DE-FRA) never counts.
#
#              Dec 25  Jan 26        Feb 26         Mar 26        Apr 26
# sap-basis    -       10+5 = 15     10+4+20 = 34   10+4 = 14     - (both ended)
# database-ops -       2.5           2.5            2.5           -
EXPECTED = {
    (date(2026, 1, 1), "database-ops"): Decimal("2.5"),
    (date(2026, 1, 1), "sap-basis"): Decimal(15),
    (date(2026, 2, 1), "database-ops"): Decimal("2.5"),
    (date(2026, 2, 1), "sap-basis"): Decimal(34),
    (date(2026, 3, 1), "database-ops"): Decimal("2.5"),
    (date(2026, 3, 1), "sap-basis"): Decimal(14),
}
LOADS = {
    "A": [
        PackageLoad("sap-basis", Decimal(10), Decimal(5), date(2026, 1, 1), date(2026, 4, 1)),
        PackageLoad("database-ops", Decimal("2.5"), Decimal(0), date(2026, 1, 1),
                    date(2026, 4, 1)),
    ],
    "B": [PackageLoad("sap-basis", Decimal(4), Decimal(20), date(2026, 2, 1), date(2026, 4, 1))],
}  # fmt: skip


def _proposal(session: Session, number: str) -> Proposal:
    proposal = Proposal(
        number=number, author="sales", author_role="sales", customer={"name": number},
        customer_name=number.lower(), status="accepted", revision=1,
        valid_until=date(2026, 12, 31), row_version=1,
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    return proposal


def _package(
    session: Session, proposal: Proposal, line: int, centre: str, load: PackageLoad
) -> None:
    session.add(
        WorkPackage(
            proposal_id=proposal.id, revision=1, line=line, centre=centre, content={},
            competency=load.competency, monthly_hours=load.monthly_hours,
            one_time_hours=load.one_time_hours, starts_on=load.starts_on, ends_on=load.ends_on,
        )
    )  # fmt: skip


@pytest.fixture
def two_accepted(database: RolledBackDatabase) -> Iterator[Session]:
    """A read session over the packages of A and B (and another centre's)."""
    with database.transaction(write=True) as session:
        for number, loads in LOADS.items():
            proposal = _proposal(session, f"P-TEST-{number}")
            for line, load in enumerate(loads, start=1):
                _package(session, proposal, line, CENTRE, load)
        _package(session, proposal, 9, "DE-FRA", LOADS["A"][0])
    with database.transaction(write=False) as session:
        yield session


def test_the_load_of_two_accepted_proposals_by_month_and_competency(
    two_accepted: Session,
) -> None:
    months = window(date(2025, 12, 15), 5)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 4, 1)
    assert accepted_load(two_accepted, CENTRE, months) == EXPECTED
    # the same sums in memory (a waiting proposal's), for the same packages
    assert spread([*LOADS["A"], *LOADS["B"]], months) == EXPECTED


def test_the_centre_load_against_its_capacity(two_accepted: Session) -> None:
    today = date(2026, 1, 10)
    load = centre_load(two_accepted, CENTRE, date(2026, 1, 1), 4, today)
    assert (load.name, load.capacity_hours) == ("Madrid SAP Competence Centre", 12000)
    january, february, march, april = load.months
    assert (january.hours, february.hours, march.hours, april.hours) == (
        Decimal("17.5"), Decimal("36.5"), Decimal("16.5"), Decimal(0))  # fmt: skip
    # 36.5 of 12,000 hours: 0.304 % rounds to 0.3
    assert february.utilisation == Decimal("0.3") and not february.overbooked
    assert [(c.competency, c.hours) for c in february.competencies] == [
        ("database-ops", Decimal("2.5")), ("sap-basis", Decimal(34))]  # fmt: skip
    assert april.competencies == () and load.warnings == ()


def test_a_month_past_the_capacity_is_overbooked(two_accepted: Session) -> None:
    _set_capacity(two_accepted, CENTRE, 30)
    load = centre_load(two_accepted, CENTRE, date(2026, 1, 1), 3, date(2026, 1, 10))
    assert [month.overbooked for month in load.months] == [False, True, False]
    assert load.months[1].utilisation == Decimal("121.7")  # 36.5 / 30


def test_a_waiting_proposal_that_would_overbook_is_named_with_where() -> None:
    months = window(date(2026, 1, 1), 3)
    accepted = dict(EXPECTED)
    pending = [
        Waiting(7, "P-7", "Small", None, {(date(2026, 1, 1), "sap-basis"): Decimal(1)}),
        Waiting(8, "P-8", "Big", "Better", spread([
            PackageLoad("sap-ams", Decimal(20), Decimal(10), date(2026, 1, 1), date(2026, 3, 1)),
        ], months)),
    ]  # fmt: skip
    # capacity 40: January 17.5 + 30 = 47.5 and February 36.5 + 20 = 56.5 overbook; March
    # (the proposal's term is over) does not; P-7's 1 h keeps January at 18.5.
    (found,) = overbookings(accepted, pending, months, 40)
    assert (found.number, found.customer, found.option) == ("P-8", "Big", "Better")
    assert [(m.month, m.hours, m.utilisation) for m in found.months] == [
        (date(2026, 1, 1), Decimal("47.5"), Decimal("118.8")),
        (date(2026, 2, 1), Decimal("56.5"), Decimal("141.3")),
    ]
    assert [(c.competency, c.hours) for c in found.months[0].added] == [("sap-ams", 30)]
    assert overbookings(accepted, pending, months, 57) == ()


def _set_capacity(session: Session, code: str, hours: int) -> None:
    """The centre's capacity changed in place (in the test's rolled-back transaction)."""
    record = session.get(CatalogRecord, ("delivery_centres", code))
    assert record is not None
    session.execute(
        update(CatalogRecord)
        .where(CatalogRecord.kind == "delivery_centres", CatalogRecord.key == code)
        .values(content={**record.content, "monthly_capacity_hours": hours})
    )
    session.flush()


# -- through the API, with proposals made as sales make them ------------------------------------


def _this_month() -> str:
    return f"{datetime.now(UTC).date():%Y-%m}"


def test_accepted_packages_carry_the_effort_of_the_version_sold(
    client: TestClient, auth: Any, database: RolledBackDatabase, default_snapshot: Any
) -> None:
    proposal = accepted_proposal(client, auth)
    with database.transaction(write=False) as session:
        rows = session.query(WorkPackage).filter_by(proposal_id=proposal["id"]).all()
    assert len(rows) == len(proposal["lines"])
    for row, line in zip(sorted(rows, key=lambda r: r.line), proposal["lines"], strict=True):
        component = default_snapshot.component(line["component"])
        assert row.competency == component.competency
        monthly = sum(component.effort.monthly.values(), Decimal(0)) * line["quantity"]
        assert row.monthly_hours == monthly
        today = datetime.now(UTC).date()
        assert row.starts_on == today.replace(day=1)
        assert (row.ends_on.year * 12 + row.ends_on.month) - (today.year * 12 + today.month) == 36


def test_the_load_api_and_the_proposal_that_would_overbook(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    accepted = accepted_proposal(client, auth)
    waiting = create_proposal(client, auth)
    for to in ("submitted", "sent"):
        ok(move_proposal(client, auth, waiting, to))
    centre = "CZ-BRN"
    assert centre in {line["delivery_centre"] for line in accepted["lines"]}
    body = ok(client.get(LOAD.format(centre), headers=auth("delivery")))
    assert body["centre"] == centre and body["capacity_hours"] == 36000
    assert len(body["months"]) == 12 and body["months"][0]["month"] == _this_month()
    first = body["months"][0]
    assert Decimal(first["hours"]) > Decimal(body["months"][1]["hours"]) > 0  # one-time first
    assert sum(Decimal(c["hours"]) for c in first["competencies"]) == Decimal(first["hours"])
    assert body["warnings"] == []

    # With the capacity just above the accepted load, the same proposal waiting would overbook.
    with database.transaction(write=True) as session:
        _set_capacity(session, centre, int(Decimal(first["hours"])) + 1)
    body = ok(client.get(LOAD.format(centre) + "?months=3", headers=auth("admin")))
    (warning,) = body["warnings"]
    assert (warning["number"], warning["proposal_id"]) == (waiting["number"], waiting["id"])
    assert warning["customer"] == "Acme Logistics GmbH" and warning["option"] is None
    assert warning["months"][0]["month"] == _this_month()
    assert Decimal(warning["months"][0]["hours"]) > body["capacity_hours"]


def test_who_reads_a_centre_load(client: TestClient, auth: Any) -> None:
    assert ok(client.get(LOAD.format("CZ-BRN"), headers=auth("delivery")))  # its own centre
    assert ok(client.get(LOAD.format("DE-FRA"), headers=auth("admin")))
    assert_problem(client.get(LOAD.format("DE-FRA"), headers=auth("delivery")), 404)
    assert_problem(client.get(LOAD.format("XX-NONE"), headers=auth("admin")), 404)
    for role in ("sales", "approver", "portfolio"):
        assert_problem(client.get(LOAD.format("CZ-BRN"), headers=auth(role)), 403)


@pytest.mark.parametrize(
    "query", ["since=2026-13", "since=26-01", "months=0", "months=37", "since=9999-06"]
)
def test_a_bad_window_is_a_problem(client: TestClient, auth: Any, query: str) -> None:
    assert_problem(client.get(f"{LOAD.format('CZ-BRN')}?{query}", headers=auth("admin")), 422)


def test_a_window_from_a_given_month(client: TestClient, auth: Any) -> None:
    body = ok(client.get(LOAD.format("CZ-BRN") + "?since=2020-11&months=3", headers=auth("admin")))
    assert [month["month"] for month in body["months"]] == ["2020-11", "2020-12", "2021-01"]
    assert all(month["hours"] == "0" and not month["overbooked"] for month in body["months"])
