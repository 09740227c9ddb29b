"""The suite: every expectation kind judged held and broken, on hand-made findings and on
real answers of the default catalog; the answers reduced to findings; runs in order."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from app.assurance.suite import (
    Finding,
    FoundLine,
    assess,
    finding_of,
    judge,
    request_of,
    run_suite,
)
from app.configurator import (
    ConfigurationInvalid,
    ConfigurationRequest,
    ConflictItem,
    Infeasible,
    OutOfRange,
    Solution,
    SolverTimeout,
    configure,
)
from app.configurator.errors import RequestProblem
from catalog import AssuredCombination, CatalogSnapshot

D = Decimal
LINES = (
    FoundLine("CMP-VM-LNX", 20, "silver", "CZ-BRN"),
    FoundLine("OS-LNX-SLES", 20, "silver", "CZ-BRN"),
    FoundLine("HST-RACK-STD", 1, "standard", "DE-FRA"),
)
BUNDLE = Finding(
    "valid", "15,277.37 EUR a month, 3 line(s)", "EUR", D("15277.37"), D("99.5009"), LINES
)
NO_BUNDLE = Finding(
    "invalid", "no bundle meets the request: ...", conflict=("availability", "need")
)
NO_ANSWER = Finding("error", "no answer: the solver ran out of time")


def combination(expect: dict[str, Any] | None = None, **request: Any) -> AssuredCombination:
    asked = {"price_book": "EUR", "term_months": 36, "residency": ["EU"],
             "needs": [{"capability": "compute.linux", "quantity": 20},
                       {"capability": "storage.block", "quantity": 30}], **request}  # fmt: skip
    return AssuredCombination.model_validate(
        {
            "id": "AC-T-001",
            "name": "test",
            "owner": "tests",
            "request": asked,
            "expect": expect or {},
        }
    )


# --- judge, hand-made findings ------------------------------------------------------------

HELD_AND_BROKEN: list[tuple[dict[str, Any], Finding, list[str]]] = [
    # outcome
    ({}, BUNDLE, []),
    ({}, NO_BUNDLE, ["expected a valid bundle, found none: no bundle meets the request: ..."]),
    ({"outcome": "invalid"}, NO_BUNDLE, []),
    ({"outcome": "invalid"}, BUNDLE,
     ["expected no valid bundle, found one: 15,277.37 EUR a month, 3 line(s)"]),
    # conflict kinds
    ({"outcome": "invalid", "conflict": ["availability"]}, NO_BUNDLE, []),
    ({"outcome": "invalid", "conflict": ["need", "availability"]}, NO_BUNDLE, []),
    ({"outcome": "invalid", "conflict": ["budget", "availability"]}, NO_BUNDLE,
     ["expected a conflict of budget; the conflict is of availability, need: "
      "no bundle meets the request: ..."]),
    # includes, excludes
    ({"includes": ["CMP-VM-LNX", "OS-LNX-SLES"]}, BUNDLE, []),
    ({"includes": ["CMP-VM-LNX", "CMP-PHY-LNX"]}, BUNDLE, ["CMP-PHY-LNX is not in the bundle"]),
    ({"excludes": ["CMP-PHY-LNX"]}, BUNDLE, []),
    ({"excludes": ["CMP-PHY-LNX", "OS-LNX-SLES"]}, BUNDLE, ["OS-LNX-SLES is in the bundle"]),
    # service levels
    ({"service_levels": {"CMP-VM-LNX": "silver"}}, BUNDLE, []),
    ({"service_levels": {"CMP-VM-LNX": "gold"}}, BUNDLE,
     ["CMP-VM-LNX is at service level silver, expected gold"]),
    ({"service_levels": {"CMP-PHY-LNX": "gold"}}, BUNDLE,
     ["CMP-PHY-LNX is not in the bundle (expected at service level gold)"]),
    # monthly band
    ({"monthly": {"min": "13749", "max": "16042"}}, BUNDLE, []),
    ({"monthly": {"min": "15277.37", "max": "15277.37"}}, BUNDLE, []),  # bounds included
    ({"monthly": {"max": "15277.36"}}, BUNDLE,
     ["the monthly price 15,277.37 EUR a month is above the band's 15,277.36 EUR a month"]),
    ({"monthly": {"min": "16000"}}, BUNDLE,
     ["the monthly price 15,277.37 EUR a month is below the band's 16,000.00 EUR a month"]),
    # availability
    ({"min_availability": "99.5"}, BUNDLE, []),
    ({"min_availability": "99.9"}, BUNDLE,
     ["the bundle is 99.500 % available, expected at least 99.9 %"]),
    ({"min_availability": "99.5"}, Finding("valid", "x", "EUR", D(100), None, LINES),
     ["the bundle has no availability chain (expected 99.5 %)"]),
    # centres
    ({"centres": ["DE-FRA", "CZ-BRN"]}, BUNDLE, []),
    ({"centres": ["DE-FRA"]}, BUNDLE,
     ["delivered outside DE-FRA: CMP-VM-LNX at CZ-BRN, OS-LNX-SLES at CZ-BRN"]),
    # no answer breaks any expectation, with why
    ({}, NO_ANSWER, ["no answer: the solver ran out of time"]),
    ({"outcome": "invalid"}, NO_ANSWER, ["no answer: the solver ran out of time"]),
]  # fmt: skip


@pytest.mark.parametrize(("expect", "finding", "reasons"), HELD_AND_BROKEN)
def test_judge(expect: dict[str, Any], finding: Finding, reasons: list[str]) -> None:
    assert judge(combination(expect), finding) == reasons


def test_every_failing_expectation_is_named() -> None:
    expect = {
        "includes": ["CMP-PHY-LNX"],
        "excludes": ["CMP-VM-LNX"],
        "monthly": {"max": "1000"},
        "min_availability": "99.9",
        "centres": ["DE-FRA"],
    }
    reasons = judge(combination(expect), BUNDLE)
    assert len(reasons) == 5
    assert reasons[0] == "CMP-PHY-LNX is not in the bundle"
    assert reasons[1] == "CMP-VM-LNX is in the bundle"


# --- findings from answers ------------------------------------------------------------------


def _raising(error: Exception) -> Any:
    def solve(request: ConfigurationRequest) -> Solution:
        raise error

    return solve


def test_a_conflict_keeps_its_kinds_once_in_order() -> None:
    items = [ConflictItem("budget", "budget", "a"), ConflictItem("need", "n", "b"),
             ConflictItem("budget", "budget", "c")]  # fmt: skip
    found = finding_of(_raising(Infeasible("no bundle meets the request: x", items, [])), None)  # type: ignore[arg-type]
    assert found == Finding(
        "invalid", "no bundle meets the request: x", conflict=("budget", "need")
    )


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (ConfigurationInvalid([RequestProblem("price_book", "unknown price book 'XXX'")]),
         "no answer: the request does not fit the catalog: price_book: unknown price book 'XXX'"),
        (SolverTimeout("no bundle within 5 s"), "no answer: no bundle within 5 s"),
        (SolverTimeout(), "no answer: the solver ran out of time"),
        (OutOfRange("too big"), "no answer: out of the solver's range: too big"),
    ],
)  # fmt: skip
def test_no_answer_is_an_error_finding_that_says_why(error: Exception, detail: str) -> None:
    found = finding_of(_raising(error), None)  # type: ignore[arg-type]
    assert (found.outcome, found.detail) == ("error", detail)
    assert judge(combination(), found) == [detail]


# --- real answers on the default catalog ----------------------------------------------------


def _configure(snapshot: CatalogSnapshot) -> Any:
    return lambda request: configure(snapshot, request)


def test_request_of_asks_what_the_combination_says() -> None:
    asked = combination(
        offering="OFF-HYBRID-CLOUD", min_availability="99.5", budget_monthly="20000",
        include=["SEC-EDR"], exclude=["SD-L1-BUS"], objective="min_cost", discount_percent="5",
        needs=[{"capability": "sap.basis", "quantity": 2,
                "attributes": {"sap_release": "bw4hana"}}],
    )  # fmt: skip
    request = request_of(asked)
    assert request == ConfigurationRequest(
        "EUR", 36, request.needs, offering="OFF-HYBRID-CLOUD", min_availability=D("99.5"),
        residency=("EU",), budget_monthly=D("20000"), include=("SEC-EDR",),
        exclude=("SD-L1-BUS",), objective="min_cost", discount_percent=D("5"),
    )  # fmt: skip
    (need,) = request.needs
    assert (need.capability, need.quantity, need.attributes) == (
        "sap.basis", 2, (("sap_release", "bw4hana"),),
    )  # fmt: skip


def test_a_real_bundle_is_found_and_judged(default_snapshot: CatalogSnapshot) -> None:
    """The README's 20 Linux servers and 30 TB in the EU at 99.5 %: held as it is, broken by
    each expectation the bundle does not meet."""
    at_995 = {"min_availability": "99.5"}
    held = assess(combination({**at_995, "includes": ["STO-BLOCK-STD"],
                               "centres": ["DE-FRA", "CZ-BRN"]}, **at_995),
                  _configure(default_snapshot))  # fmt: skip
    assert held.held and held.reasons == ()
    found = held.finding
    assert (found.outcome, found.currency) == ("valid", "EUR")
    assert found.monthly == D("15277.37")
    assert found.detail == "15,277.37 EUR a month, 6 line(s), 99.500 % available"
    assert found.availability is not None and found.availability >= D("99.5")
    assert {line.component for line in found.lines} >= {"STO-BLOCK-STD", "OS-LNX-SLES"}
    assert held.seconds > 0

    broken = assess(
        combination({"includes": ["CMP-PHY-LNX"], "excludes": ["STO-BLOCK-STD"],
                     "service_levels": {"OS-LNX-SLES": "gold"}, "monthly": {"max": "15000"},
                     "min_availability": "99.9", "centres": ["DE-FRA"]}, **at_995),
        _configure(default_snapshot),
    )  # fmt: skip
    assert not broken.held
    assert broken.reasons == (
        "CMP-PHY-LNX is not in the bundle",
        "STO-BLOCK-STD is in the bundle",
        "OS-LNX-SLES is at service level silver, expected gold",
        "the monthly price 15,277.37 EUR a month is above the band's 15,000.00 EUR a month",
        "the bundle is 99.500 % available, expected at least 99.9 %",
        "delivered outside DE-FRA: CMP-VM-LNX-KVM at CZ-BRN, MON-INFRA at CZ-BRN, "
        "OS-LNX-SLES at CZ-BRN",
    )


def test_a_real_conflict_is_judged(default_snapshot: CatalogSnapshot) -> None:
    """The README's 99.99 %: no bundle, the conflict of availability; a budget conflict
    expected of it breaks, and so does a valid bundle expected of it."""
    solve = _configure(default_snapshot)
    held = assess(combination({"outcome": "invalid", "conflict": ["availability"]},
                              min_availability="99.99"), solve)  # fmt: skip
    assert held.held and held.finding.outcome == "invalid"
    assert "the best a bundle reaches is 99.829 %" in held.finding.detail
    (reason,) = assess(combination({"outcome": "invalid", "conflict": ["budget"]},
                                   min_availability="99.99"), solve).reasons  # fmt: skip
    assert reason.startswith("expected a conflict of budget; the conflict is of availability")
    (reason,) = assess(combination(min_availability="99.99"), solve).reasons
    assert reason.startswith("expected a valid bundle, found none: no bundle meets the request")


def test_run_suite_keeps_the_order_given_and_runs_side_by_side() -> None:
    """With ``at_once``, the solves overlap (each waits here until the other has started)
    and the verdicts still come in the combinations' order."""
    both_started = threading.Barrier(2, timeout=10)

    def solve(request: ConfigurationRequest) -> Solution:
        both_started.wait()
        raise SolverTimeout(f"{request.needs[0].quantity} servers")

    combinations = [combination(needs=[{"capability": "compute.linux", "quantity": n}])
                    for n in (1, 2)]  # fmt: skip
    verdicts = run_suite(combinations, solve, at_once=2)
    assert [v.finding.detail for v in verdicts] == ["no answer: 1 servers", "no answer: 2 servers"]
    # One at a time by default: each solve in turn, in the same order.
    asked: list[int] = []

    def in_turn(request: ConfigurationRequest) -> Solution:
        asked.append(request.needs[0].quantity)
        raise SolverTimeout("later")

    assert [v.combination for v in run_suite(combinations, in_turn)] == ["AC-T-001"] * 2
    assert asked == [1, 2]
