"""The default catalog's assured combinations: at least 20, named and owned, impossible ones
among them, every one holding today, and price bands tight enough to be promises."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.assurance.suite import Verdict, run_suite
from app.configurator import configure
from catalog import CatalogSnapshot, default_catalog_path

ID = re.compile(r"^AC-[A-Z]+-\d{3}$")


@pytest.fixture(scope="module")
def verdicts(default_snapshot: CatalogSnapshot) -> dict[str, Verdict]:
    solved = run_suite(default_snapshot.assurances, lambda r: configure(default_snapshot, r))
    return {verdict.combination: verdict for verdict in solved}


def test_the_shipped_suite_holds_in_full(verdicts: dict[str, Verdict]) -> None:
    assert len(verdicts) >= 20
    broken = {id_: verdict.reasons for id_, verdict in verdicts.items() if not verdict.held}
    assert broken == {}


def test_each_is_a_file_of_its_own_named_by_its_id(default_snapshot: CatalogSnapshot) -> None:
    files = sorted(p.stem for p in (default_catalog_path() / "assurance").glob("*.yaml"))
    assert files == sorted(c.id for c in default_snapshot.assurances)
    for combination in default_snapshot.assurances:
        assert ID.match(combination.id), combination.id
        assert combination.owner and combination.name and combination.description


def test_impossible_requests_must_stay_impossible(
    default_snapshot: CatalogSnapshot, verdicts: dict[str, Verdict]
) -> None:
    """Each kind the README and the configurator promise to explain: residency, an
    availability target, a need too big, a budget."""
    impossible = {c.id: c.expect.conflict for c in default_snapshot.assurances
                  if c.expect.outcome == "invalid"}  # fmt: skip
    assert {kind for kinds in impossible.values() for kind in kinds} >= {
        "residency",
        "availability",
        "need",
        "budget",
    }
    for id_ in impossible:
        assert verdicts[id_].finding.outcome == "invalid"


def test_every_band_is_a_promise_around_todays_price(
    default_snapshot: CatalogSnapshot, verdicts: dict[str, Verdict]
) -> None:
    """Every valid combination has a monthly band no wider than about 10 % below and 5 %
    above today's price, so a price change that matters breaks it."""
    for combination in default_snapshot.assurances:
        if combination.expect.outcome == "invalid":
            continue
        band, found = combination.expect.monthly, verdicts[combination.id].finding.monthly
        assert band is not None and band.min is not None and band.max is not None, combination.id
        assert found is not None
        assert found * Decimal("0.89") <= band.min <= found <= band.max <= found * Decimal("1.06")


def test_the_sap_request_of_issue_19(verdicts: dict[str, Verdict]) -> None:
    """Four certified servers, 12 TB of performance storage, 45,076.21 EUR a month: what
    AC-SAP-001's band and components hold today (quantities are beyond what an expectation
    says, so checked here)."""
    found = verdicts["AC-SAP-001"].finding
    quantities = {line.component: line.quantity for line in found.lines}
    assert quantities["CMP-PHY-HANA"] == 4 and quantities["STO-BLOCK-PERF"] == 12
    assert found.monthly == Decimal("45076.21") and found.currency == "EUR"


def test_the_suite_covers_the_offerings_and_the_demo(default_snapshot: CatalogSnapshot) -> None:
    from app.cli import DEMO_REQUEST

    offered = {c.request.offering for c in default_snapshot.assurances} - {None}
    assert offered == {o.code for o in default_snapshot.offerings}  # each offering's typical ask
    demo = next(c for c in default_snapshot.assurances if c.id == "AC-DEMO-001").request
    asked = [{"capability": n.capability, "quantity": n.quantity} for n in demo.needs]
    assert asked == DEMO_REQUEST["needs"]
    assert (demo.residency, demo.min_availability) == (("EU",), Decimal("99.5"))
