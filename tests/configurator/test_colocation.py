"""Co-location (``same_centre`` rules): the members share a centre in the model with centres,
in the relaxation and its placement, in the options engine and in explanations; random tiny
catalogs with centres of differing competencies agree with brute force over centres."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.configurator.constraints import add_all
from app.configurator.errors import ConfigurationInvalid, Infeasible
from app.configurator.model import build_variables
from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.search import _NoPlacement, place_cheaply, solve_best
from app.configurator.solve import configure
from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, QuoteRequest, price_quote
from tests.configurator.checker import Line, violations
from tests.configurator.factories import (
    COLOCATION,
    catalog,
    component,
    rule,
    tiny_centres,
    tiny_parts,
)
from tests.configurator.solved import checked_lines
from tests.configurator.test_configure import assert_minimal
from tests.pricing.factories import centre

LINUX, WINDOWS = "unix-linux-ops", "windows-ops"
TOGETHER = rule("same_centre", components=["CMP-A", "CMP-X"])
NEED_AB = ConfigurationRequest("EUR", 1, (Need("cap.a", 1), Need("cap.b", 1)))


def located(code: str, competency: str, **fields: Any) -> dict[str, Any]:
    return {**component(code, **fields), "competency": competency}


def site(code: str, competencies: tuple[str, ...], rate: int, region: str = "EU") -> dict[str, Any]:
    return {**centre(code=code, competencies=competencies, rates={"linux-admin": rate}),
            "region": region}  # fmt: skip


# A Linux host (CMP-A) and Windows storage (CMP-X): each alone is cheapest at a centre of
# its own competency; only C-BOTH holds both, at the dearest rate.
PARTS = [located("CMP-A", LINUX, price=10), located("CMP-X", WINDOWS, price=5,
                                                   provides={"cap.b": 1})]  # fmt: skip
CENTRES = [site("C-LNX", (LINUX,), 500), site("C-WIN", (WINDOWS,), 500),
           site("C-BOTH", (LINUX, WINDOWS), 1500, region="UK")]  # fmt: skip


@pytest.mark.parametrize("objective", ["min_price", "min_cost", "max_margin"])
def test_members_are_delivered_from_one_centre(objective: str) -> None:
    request = replace(NEED_AB, objective=objective)  # type: ignore[arg-type]
    apart = {
        code: where for code, _, where, _ in checked_lines(catalog(PARTS, [], CENTRES), request)
    }
    assert apart == {"CMP-A": "C-LNX", "CMP-X": "C-WIN"}
    together = catalog(PARTS, [TOGETHER], CENTRES)
    assert {where for _, _, where, _ in checked_lines(together, request)} == {"C-BOTH"}


def test_the_checker_sees_a_split() -> None:
    snapshot = catalog(PARTS, [TOGETHER], CENTRES)
    split = [("CMP-A", "standard", "C-LNX", 1), ("CMP-X", "standard", "C-WIN", 1)]
    assert violations(snapshot, NEED_AB, split) == [
        "rule R-SAME_CENTRE broken: its members are split across centres"
    ]
    family = rule("same_centre", families=["compute"])  # both are in family compute
    assert violations(catalog(PARTS, [family], CENTRES), NEED_AB, split)


def _relaxed(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> Any:
    config = build_variables(snapshot, request, centres=False)
    add_all(config)
    deadline = time.monotonic() + 10
    found = solve_best(config, Limits(), deadline)
    assert found is not None
    return config, found[0], deadline


@pytest.mark.parametrize("objective", ["min_cost", "max_margin"])
def test_a_dearer_shared_centre_sends_the_relaxation_to_the_model_with_centres(
    objective: str,
) -> None:
    # The relaxation costs each line at its cheapest centre; sharing C-BOTH costs more, so
    # its placement refuses, and the model with centres decides.
    snapshot = catalog(PARTS, [TOGETHER], CENTRES)
    request = replace(NEED_AB, objective=objective)  # type: ignore[arg-type]
    config, chosen, deadline = _relaxed(snapshot, request)
    with pytest.raises(_NoPlacement):
        place_cheaply(config, chosen, Limits(), deadline)
    assert {where for _, _, where, _ in checked_lines(snapshot, request)} == {"C-BOTH"}


def test_the_relaxation_never_pairs_members_without_a_common_centre() -> None:
    # Inside the EU no centre holds both competencies: a bundle must take the Linux provider
    # of cap.b (CMP-Y, dearer) with CMP-A. The relaxation knows it, so its bundle places.
    parts = [*PARTS, located("CMP-Y", LINUX, price=9, provides={"cap.b": 1})]
    snapshot = catalog(parts, [TOGETHER], CENTRES)
    request = replace(NEED_AB, residency=("EU",))
    config, chosen, deadline = _relaxed(snapshot, request)
    assert [code for code, *_ in place_cheaply(config, chosen, Limits(), deadline)] == [
        "CMP-A", "CMP-Y"
    ]  # fmt: skip


def test_a_conflict_names_the_rule_and_the_residency() -> None:
    snapshot = catalog(PARTS, [TOGETHER], CENTRES)
    request = replace(NEED_AB, residency=("EU",))
    with pytest.raises(Infeasible) as raised:
        configure(snapshot, request)
    kinds = {(item.kind, item.ref) for item in raised.value.conflicts}
    assert ("rule", "R-SAME_CENTRE") in kinds
    assert ("residency", "EU") in kinds
    assert_minimal(snapshot, request, raised.value)
    assert checked_lines(snapshot, replace(request, residency=None))  # relaxing it works


def test_the_options_engine_says_why_a_member_cannot_join() -> None:
    engine = OptionsEngine(catalog(PARTS, [TOGETHER], CENTRES))
    try:
        answer = engine.options(
            OptionsRequest(needs=(Need("cap.b", 1),), residency=("EU",), chosen=("CMP-A",))
        )
        state = {option.code: option for option in answer.components}
        assert state["CMP-X"].state == "impossible"
        reason = state["CMP-X"].reason or ""
        assert "rule R-SAME_CENTRE: A same_centre rule." in reason
        assert "delivery only from EU" in reason
        both = engine.options(OptionsRequest(chosen=("CMP-A", "CMP-X")))
        assert both.valid  # C-BOTH, in the UK, holds both
    finally:
        engine.close()


def test_a_member_of_two_rules_joins_both_at_one_centre() -> None:
    # CMP-A shares C-AX with CMP-X and C-AY with CMP-Y; all three meet at C-ALL alone. Each
    # rule holds alone without C-ALL, so the relaxation passes, placement fails and the
    # model with centres finds no bundle: the conflict names both rules.
    network = "network-ops"
    parts = [*PARTS, located("CMP-Y", network, price=5, provides={"cap.c": 1})]
    centres = [site("C-AX", (LINUX, WINDOWS), 500), site("C-AY", (LINUX, network), 500),
               site("C-ALL", (LINUX, WINDOWS, network), 1500)]  # fmt: skip
    two = [{**TOGETHER, "id": "R-1"},
           rule("same_centre", id="R-2", components=["CMP-A", "CMP-Y"])]  # fmt: skip
    request = replace(NEED_AB, needs=(*NEED_AB.needs, Need("cap.c", 1)))
    snapshot = catalog(parts, two, centres)
    assert {where for _, _, where, _ in checked_lines(snapshot, request)} == {"C-ALL"}
    apart = catalog(parts, two, centres[:2])
    with pytest.raises(Infeasible) as raised:
        configure(apart, request)
    assert {"R-1", "R-2"} <= {item.ref for item in raised.value.conflicts}
    engine = OptionsEngine(apart)
    try:
        assert not engine.options(OptionsRequest(chosen=("CMP-A", "CMP-X", "CMP-Y"))).valid
        assert engine.options(OptionsRequest(chosen=("CMP-A", "CMP-X"))).valid
    finally:
        engine.close()


# -- the default catalog -------------------------------------------------------------------

# The demo's request (``offerwright demo``): hypervisor hosts and storage in a rack.
DEMO = ConfigurationRequest(
    "EUR", 36, (Need("compute.linux", 20), Need("storage.block", 30), Need("service-desk", 250)),
    residency=("EU",), min_availability=Decimal("99.5"),
)  # fmt: skip


def hardware_sites(snapshot: CatalogSnapshot, lines: list[Line]) -> set[str]:
    """The centres of the lines R-COLO-001 holds together (racks, servers, storage)."""
    rule = next(rule for rule in snapshot.rules if rule.id == "R-COLO-001")
    members = set(snapshot.members(rule))
    assert any(code.startswith("HST-") for code, *_ in lines), "a bundle with a rack"
    return {where for code, _, where, _ in lines if code in members}


@pytest.mark.parametrize(
    ("residency", "objective", "site"),
    [(("EU",), "min_price", "DE-FRA"), (None, "min_price", "DE-FRA"),
     (("EU",), "min_cost", "DE-FRA"), (None, "max_margin", "US-DAL")],
)  # fmt: skip
def test_the_demo_puts_the_rack_with_the_hosts_it_holds(
    default_snapshot: CatalogSnapshot,
    residency: tuple[str, ...] | None,
    objective: str,
    site: str,
) -> None:
    request = replace(DEMO, residency=residency, objective=objective)  # type: ignore[arg-type]
    assert hardware_sites(default_snapshot, checked_lines(default_snapshot, request)) == {site}


def test_a_co_located_line_says_whom_it_shares_its_centre_with(
    default_snapshot: CatalogSnapshot,
) -> None:
    (bundle,) = configure(default_snapshot, DEMO).bundles
    why = {
        line.component.code: reasons
        for line, reasons in zip(bundle.quote.lines, bundle.reasons, strict=True)
    }
    rack = next(line for line in bundle.quote.lines if line.component.code == "HST-RACK-STD")
    others = sorted(code for code in why if code.startswith(("CMP-KVM", "STO-BLOCK")))
    assert f"delivered from {rack.delivery_centre} with {', '.join(others)}: rule R-COLO-001: " in (
        " ".join(why["HST-RACK-STD"])
    )
    assert not any("R-COLO-001" in reason for reason in why["SD-L1-BUS"])  # not a member


def test_the_uk_sap_repair_puts_the_host_with_its_rack(default_snapshot: CatalogSnapshot) -> None:
    request = ConfigurationRequest("EUR", 36, (Need("sap.basis", 4),), residency=("UK",))
    with pytest.raises(Infeasible) as raised:
        configure(default_snapshot, request)
    repair = raised.value.repairs[0]
    assert [item.kind for item in repair.relax] == ["residency"]
    lines = [
        (line.component.code, line.service_level.name, line.delivery_centre, line.quantity)
        for line in repair.bundle.quote.lines
    ]
    assert violations(default_snapshot, replace(request, residency=None), lines) == []
    assert len(hardware_sites(default_snapshot, lines)) == 1


# -- brute force over quantities and centres -------------------------------------------------


def provided(draw: Any, components: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    """The first two components provide cap.a and cap.b, and are mostly kept together: a
    bundle of both needs holds two lines or more, which co-location may have to move."""
    components[0]["provides"] = {"cap.a": 1}
    components[1]["provides"] = {"cap.b": 1}
    if draw(st.sampled_from([True, True, False])):
        rules.append(rule("same_centre", id="R-AB", components=["CMP-A", "CMP-B"]))


@st.composite
def tiny(draw: Any) -> tuple[CatalogSnapshot, ConfigurationRequest]:
    components, rules = draw(tiny_parts(COLOCATION, located=True, most=3))
    provided(draw, components, rules)
    centres = draw(tiny_centres(least=2))
    for data in centres:
        data["monthly_capacity_hours"] = draw(st.sampled_from([10_000, 10_000, 4]))
    needs = (Need("cap.a", draw(st.integers(1, 3))), Need("cap.b", draw(st.integers(1, 2))))
    return catalog(components, rules, centres), ConfigurationRequest(
        "EUR", 1, needs,
        residency=draw(st.sampled_from([None, ("EU",), ("UK",)])),
        objective=draw(st.sampled_from(["min_price", "min_cost"])),
    )  # fmt: skip


def bundles(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> list[list[Line]]:
    """Every valid bundle: quantities 0 to 3 (every tiny component's bounds), each line at
    any centre holding its competency, checked by the independent checker."""
    codes = [c.code for c in snapshot.components]
    found = []
    for quantities in itertools.product(range(4), repeat=len(codes)):
        ordered = [(c, q) for c, q in zip(codes, quantities, strict=True) if q]
        places = [snapshot.centres_with(snapshot.component(c).competency) for c, _ in ordered]
        for centres in itertools.product(*places):
            lines = [(c, "standard", at.code, q)
                     for (c, q), at in zip(ordered, centres, strict=True)]  # fmt: skip
            if not violations(snapshot, request, lines):
                found.append(lines)
    return found


def objective_cents(snapshot: CatalogSnapshot, request: ConfigurationRequest,
                    lines: list[Line]) -> int:  # fmt: skip
    quote = price_quote(snapshot, QuoteRequest(
        "EUR", 1, [LineRequest(c, q, level, at) for c, level, at, q in lines]))  # fmt: skip
    amounts = quote.cost if request.objective == "min_cost" else quote.price
    return amounts.contract_cents


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tiny())
def test_random_tiny_catalogs_with_centres_agree_with_brute_force(
    case: tuple[CatalogSnapshot, ConfigurationRequest],
) -> None:
    snapshot, request = case
    valid = [lines for lines in bundles(snapshot, request) if lines]
    best = min((objective_cents(snapshot, request, lines) for lines in valid), default=None)
    try:
        lines = checked_lines(snapshot, request)
    except (Infeasible, ConfigurationInvalid):
        assert best is None, "the solver found no bundle, brute force did"
        return
    assert objective_cents(snapshot, request, lines) == best


@st.composite
def tiny_clicks(draw: Any) -> tuple[CatalogSnapshot, OptionsRequest]:
    components, rules = draw(tiny_parts(COLOCATION, located=True, most=3))
    provided(draw, components, rules)
    snapshot = catalog(components, rules, draw(tiny_centres(least=2)))
    codes = [c["code"] for c in components]
    clicks = draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
    chosen = tuple(code for code in clicks if draw(st.booleans()))
    return snapshot, OptionsRequest(
        needs=(Need("cap.a", draw(st.integers(1, 3))), Need("cap.b", draw(st.integers(1, 2)))),
        residency=draw(st.sampled_from([None, ("EU",), ("UK",)])),
        chosen=chosen,
        rejected=tuple(code for code in clicks if code not in chosen),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_clicks())
def test_option_states_with_centres_agree_with_brute_force(
    case: tuple[CatalogSnapshot, OptionsRequest],
) -> None:
    snapshot, request = case
    checked = ConfigurationRequest("EUR", 1, request.needs, residency=request.residency)
    sets = {frozenset(code for code, *_ in lines) for lines in bundles(snapshot, checked)}
    sets = {s for s in sets if set(request.chosen) <= s and not s & set(request.rejected)}
    engine = OptionsEngine(snapshot)
    try:
        answer = engine.options(request)
    finally:
        engine.close()
    assert answer.valid == bool(sets)
    if not answer.valid:
        return
    for option in answer.components:
        inside = [s for s in sets if option.code in s]
        expected = "forced" if len(inside) == len(sets) else "possible" if inside else "impossible"
        assert option.state == expected, (option, sets)
