"""Each rule kind alone on a tiny catalog, and random tiny catalogs against brute force."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.configurator import constraints
from app.configurator.errors import ConfigurationInvalid, Infeasible
from app.configurator.request import ConfigurationRequest, Need
from app.configurator.solve import configure
from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, QuoteRequest, price_quote
from tests.configurator.checker import violations
from tests.configurator.factories import (
    TEMPLATES,
    catalog,
    component,
    rule,
    tiny_defaults,
    tiny_need,
    tiny_parts,
)
from tests.configurator.solved import checked_lines
from tests.pricing.factories import centre

NEED_A = ConfigurationRequest("EUR", 1, (Need("cap.a", 1),))


def base(**attributes: dict[str, str]) -> list[dict[str, Any]]:
    return [
        component("CMP-A", price=10, attributes=attributes.get("CMP-A")),
        component("CMP-B", price=20, attributes=attributes.get("CMP-B")),
        component("CMP-X", price=1, provides={"cap.b": 1}, attributes=attributes.get("CMP-X")),
        component("CMP-Y", price=2, provides={"cap.b": 1}, attributes=attributes.get("CMP-Y")),
    ]


def chosen(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> dict[str, int]:
    return {code: quantity for code, _, _, quantity in checked_lines(snapshot, request)}


OS = {"CMP-A": {"os": "linux"}, "CMP-B": {"os": "windows"},
      "CMP-X": {"os": "windows"}, "CMP-Y": {"os": "linux"}}  # fmt: skip
NEED_AB = ConfigurationRequest("EUR", 1, (Need("cap.a", 1), Need("cap.b", 1)))


def test_without_rules_the_cheapest_provider_alone() -> None:
    assert chosen(catalog(base()), NEED_A) == {"CMP-A": 1}


@pytest.mark.parametrize(
    ("rules", "request_", "attributes", "expected"),
    [
        ([rule("requires", **{"if": "CMP-A", "then": ["CMP-X"]})], NEED_A, {},
         {"CMP-A": 1, "CMP-X": 1}),
        ([rule("requires_any", **{"if": "CMP-A", "then": ["CMP-Y", "CMP-X"]})], NEED_A, {},
         {"CMP-A": 1, "CMP-X": 1}),
        ([rule("excludes", **{"if": "CMP-A", "then": ["CMP-X"]})],
         NEED_AB, {}, {"CMP-A": 1, "CMP-Y": 1}),
        ([rule("choose", group=["CMP-A", "CMP-B"], min=2, max=2)], NEED_A, {},
         {"CMP-A": 1, "CMP-B": 1}),
        ([rule("choose", group=["CMP-X", "CMP-Y"], min=1, max=1, when="CMP-A")], NEED_A, {},
         {"CMP-A": 1, "CMP-X": 1}),
        ([rule("quantity", unit="server", left={"CMP-X": 1}, op=">=", right={"CMP-A": 2})],
         ConfigurationRequest("EUR", 1, (Need("cap.a", 1), Need("cap.b", 1))), {},
         {"CMP-A": 1, "CMP-X": 2}),
        ([rule("attribute", attribute="os", mode="agree")], NEED_AB, OS,
         {"CMP-A": 1, "CMP-Y": 1}),
        ([rule("attribute", attribute="os", mode="allowed", allowed=["windows"])], NEED_A, OS,
         {"CMP-B": 1}),
        ([rule("expression", expression="CMP-A implies CMP-Y")], NEED_A, {},
         {"CMP-A": 1, "CMP-Y": 1}),
        ([rule("table", columns=[{"name": "a", "components": ["CMP-A", "CMP-B"]},
                                 {"name": "b", "components": ["CMP-X", "CMP-Y"]}],
               rows=[["CMP-A", "CMP-Y"], ["CMP-B", "-"]])], NEED_A, {},
         {"CMP-A": 1, "CMP-Y": 1}),
    ],
    ids=["requires", "requires_any", "excludes", "choose", "choose-when", "quantity",
         "attribute-agree", "attribute-allowed", "expression", "table"],
)  # fmt: skip
def test_each_rule_kind_alone(
    rules: list[dict[str, Any]],
    request_: ConfigurationRequest,
    attributes: dict[str, dict[str, str]],
    expected: dict[str, int],
) -> None:
    assert chosen(catalog(base(**attributes), rules), request_) == expected


def test_a_warning_rule_is_advice_only() -> None:
    advice = {**rule("requires", **{"if": "CMP-A", "then": ["CMP-X"]}), "severity": "warning"}
    assert chosen(catalog(base(), [advice]), NEED_A) == {"CMP-A": 1}


def test_requirements_are_transitive() -> None:
    components = [
        component("CMP-A", price=10, requires={"cap.b": 2}),
        component("CMP-X", price=1, provides={"cap.b": 1}, requires={"cap.c": 1}),
        component("CMP-Z", price=3, provides={"cap.c": 1}),
    ]
    snapshot = catalog(components)
    assert chosen(snapshot, NEED_A) == {"CMP-A": 1, "CMP-X": 2, "CMP-Z": 2}


@pytest.mark.parametrize("objective", ["min_cost", "min_price"])
def test_capacity_forces_a_dearer_centre(objective: str) -> None:
    # min_cost models each (level, centre) pair; min_price chooses level and centre apart,
    # then places each line at the cheapest centre with room.
    cheap = {**centre(), "monthly_capacity_hours": 3}  # 1,000 CZK x 0.04 = 40.00 EUR an hour
    dear = {**centre(code="DE-Y", currency="EUR", rates={"linux-admin": 100}), "region": "EU"}
    request = ConfigurationRequest(
        "EUR",
        1,
        (Need("cap.a", 2),),
        objective=objective,  # type: ignore[arg-type]
    )
    roomy = catalog(
        [component("CMP-A", price=10)], centres=[{**cheap, "monthly_capacity_hours": 99}, dear]
    )
    assert _centres(roomy, request) == {"CZ-X"}  # the cheaper centre when it has room
    tight = catalog([component("CMP-A", price=10, max_quantity=9)], centres=[cheap, dear])
    assert _centres(tight, replace(request, needs=(Need("cap.a", 5),))) == {"DE-Y"}


def test_capacity_can_change_the_bundle_not_only_the_centre() -> None:
    # The cheapest bundle, 3 x CMP-A and 2 x CMP-B, needs 3 hours at a centre with 2: the
    # price-only relaxation finds no placement for it and the model with centres decides.
    effortless = component("CMP-B", price=20)
    effortless["effort"] = {"monthly": {}, "one_time": {}}
    snapshot = catalog(
        [component("CMP-A", price=10), effortless],
        centres=[{**centre(), "monthly_capacity_hours": 2}],
    )
    request = ConfigurationRequest("EUR", 1, (Need("cap.a", 5),))
    assert chosen(snapshot, request) == {"CMP-A": 2, "CMP-B": 3}


def _centres(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> set[str]:
    return {centre for _, _, centre, _ in checked_lines(snapshot, request)}


# -- brute force ---------------------------------------------------------------------------


@st.composite
def tiny(
    draw: Any, templates: list[Any] = TEMPLATES
) -> tuple[CatalogSnapshot, ConfigurationRequest]:
    components, rules = draw(tiny_parts(templates))
    needs = [draw(tiny_need("cap.a", 3))]
    if draw(st.booleans()):
        needs.append(draw(tiny_need("cap.b", 2)))
    # Each unit takes an hour at the one centre: a small capacity binds.
    hours = draw(st.sampled_from([10_000, 2, 3, 4, 6]))
    centres = [{**centre(), "monthly_capacity_hours": hours}]
    snapshot = catalog(components, rules, centres, draw(tiny_defaults()))
    return snapshot, ConfigurationRequest("EUR", 1, tuple(needs))


def cheapest_by_brute_force(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> int | None:
    codes = [component.code for component in snapshot.components]
    best = None
    for quantities in itertools.product(range(4), repeat=len(codes)):
        lines = [(code, "standard", "CZ-X", q) for code, q in zip(codes, quantities, strict=True)
                 if q]  # fmt: skip
        if not lines or violations(snapshot, request, lines):
            continue
        quote = price_quote(
            snapshot, QuoteRequest("EUR", 1, [LineRequest(c, q, lv, ce) for c, lv, ce, q in lines])
        )
        cents = quote.price.contract_cents
        best = cents if best is None else min(best, cents)
    return best


ENCODINGS = ["smaller", "rows", "diagram", "tuples"]
TABLES = [made for made in TEMPLATES if made("CMP-A", "CMP-B")["kind"] == "table"]


@pytest.mark.parametrize("tables", ENCODINGS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tiny())
def test_random_tiny_catalogs_agree_with_brute_force(
    case: tuple[CatalogSnapshot, ConfigurationRequest], tables: str
) -> None:
    agrees_with_brute_force(case, tables)


@pytest.mark.parametrize("tables", ENCODINGS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tiny(TABLES))
def test_random_tiny_tables_agree_with_brute_force(
    case: tuple[CatalogSnapshot, ConfigurationRequest], tables: str
) -> None:
    agrees_with_brute_force(case, tables)


def agrees_with_brute_force(
    case: tuple[CatalogSnapshot, ConfigurationRequest], tables: str
) -> None:
    """Tables are encoded row by row, by their diagram or by CP-SAT's table constraint,
    whichever the sizes favour: each way, forced (tuples with any wildcard expansion),
    agrees too."""
    snapshot, request = case
    best = cheapest_by_brute_force(snapshot, request)
    chooser = {"smaller": constraints.by_diagram, "rows": lambda _: False,
               "diagram": lambda _: True, "tuples": constraints.by_diagram}[tables]  # fmt: skip
    forced = tables == "tuples"
    try:
        with (
            mock.patch.object(constraints, "by_diagram", chooser),
            mock.patch.object(constraints, "by_tuples", return_value=forced),
        ):
            solution = configure(snapshot, request)
    except (Infeasible, ConfigurationInvalid):
        # Infeasible, or a need nothing in the catalog provides: no bundle either way.
        assert best is None, "the solver found no bundle, brute force did"
        return
    (bundle,) = solution.bundles
    lines = [
        (line.component.code, line.service_level.name, line.delivery_centre, line.quantity)
        for line in bundle.quote.lines
    ]
    assert violations(snapshot, request, lines) == []
    assert bundle.quote.price.contract_cents == best


def test_price_only_bundles_are_placed_at_the_cheapest_centre_with_room() -> None:
    import time as clock

    from app.configurator.constraints import add_all
    from app.configurator.model import build_variables
    from app.configurator.request import Limits
    from app.configurator.search import place_cheaply

    cheap = {**centre(), "monthly_capacity_hours": 99}
    dear = {**centre(code="DE-Y", currency="EUR", rates={"linux-admin": 100}), "region": "EU"}
    snapshot = catalog([component("CMP-A", price=10)], centres=[cheap, dear])
    request = ConfigurationRequest("EUR", 1, (Need("cap.a", 2),))
    config = build_variables(snapshot, request)
    add_all(config)
    deadline = clock.monotonic() + 5
    placed = place_cheaply(config, (("CMP-A", "standard", "DE-Y", 2),), Limits(), deadline)
    assert placed == (("CMP-A", "standard", "CZ-X", 2),)
    tight = catalog([component("CMP-A", price=10)],
                    centres=[{**cheap, "monthly_capacity_hours": 1}, dear])  # fmt: skip
    config = build_variables(tight, request)
    add_all(config)
    placed = place_cheaply(config, (("CMP-A", "standard", "DE-Y", 2),), Limits(), deadline)
    assert placed == (("CMP-A", "standard", "DE-Y", 2),)  # 2 hours do not fit in 1


def test_the_cheapest_bundle_a_budget_conflict_names_respects_capacity() -> None:
    # 2 x CMP-A would cost 20.00 but needs 2 hours at a centre with 1: the cheapest bundle
    # that can be delivered is 1 x CMP-A + 1 x CMP-B, 110.00.
    effortless = component("CMP-B", price=100)
    effortless["effort"] = {"monthly": {}, "one_time": {}}
    snapshot = catalog(
        [component("CMP-A", price=10), effortless],
        centres=[{**centre(), "monthly_capacity_hours": 1}],
    )
    request = ConfigurationRequest("EUR", 12, (Need("cap.a", 2),), budget_monthly=Decimal(5))
    with pytest.raises(Infeasible) as raised:
        configure(snapshot, request)
    (budget,) = [item for item in raised.value.conflicts if item.kind == "budget"]
    assert budget.detail.endswith("is below the cheapest valid bundle, 110.00 EUR a month")


def test_an_availability_target_met_exactly_is_met() -> None:
    # One chain component at 99.9 % under a 99.9 % target: the rounded linear form must not
    # refuse the tie (it did: each term rounded up, the target down).
    levels = [{"name": "standard", "response_minutes": 240, "restore_hours": 24,
               "price_factor": 1, "cost_factor": 1, "availability": "99.9"}]  # fmt: skip
    data = {**component("CMP-A", price=10), "service_levels": levels, "availability_chain": True}
    snapshot = catalog([data])
    request = ConfigurationRequest("EUR", 1, (Need("cap.a", 1),), min_availability=Decimal("99.9"))
    (bundle,) = configure(snapshot, request).bundles
    assert bundle.availability == Decimal("99.9")
