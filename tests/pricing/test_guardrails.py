"""Guardrails: reported, never clamped."""

from __future__ import annotations

from decimal import Decimal

from catalog.price_books import Guardrails
from pricing.guardrails import check_guardrails
from pricing.quote import Quote, price_quote
from tests.pricing.factories import book, component, request, snapshot

D = Decimal
GUARDRAILS = {
    "margin_floor_percent": 10,
    "family_margin_floors": {"storage": 40},
    "max_discount_percent": {"sales": 5, "approver": 20},
}


def quote(discount: str = "0", *lines: tuple[str, int, str, str]) -> tuple[Quote, Guardrails]:
    catalog = snapshot(
        components=[
            component(),  # compute: price 100.00, cost 90.00 a month (standard)
            component(code="CMP-S", family="storage"),  # the same figures, in storage
        ],
        books=[book(guardrails=GUARDRAILS, term_discounts={})],
    )
    priced = price_quote(
        catalog,
        request(*(lines or [("CMP-A", 1, "standard", "CZ-X")]), term_months=12,
                discount_percent=discount),
    )  # fmt: skip
    return priced, catalog.price_book("EUR").guardrails


def test_margin_under_the_default_floor_breaks_bundle_and_family() -> None:
    # Price 100.00 a month + 200.00 once vs cost 90.00 + 210.00 once: over 12 months
    # 1,400.00 against 1,290.00, a margin of 110.00, 7.86 %: under both 10 % floors.
    priced, guardrails = quote("0")
    assert priced.margin.percent == D("7.86")
    breaches = check_guardrails(priced, guardrails, "sales")
    assert [(b.kind, b.scope, b.limit, b.actual) for b in breaches] == [
        ("margin_floor", "bundle", D(10), D("7.86")),
        ("margin_floor", "family compute", D(10), D("7.86")),
    ]
    assert breaches[0].message == "the margin of the bundle is 7.86 %, under the 10 % floor"


def test_family_floor_overrides_the_default() -> None:
    priced, guardrails = quote(
        "0", ("CMP-A", 1, "standard", "CZ-X"), ("CMP-S", 1, "standard", "CZ-X")
    )
    scopes = {b.scope: b.limit for b in check_guardrails(priced, guardrails, "sales")}
    assert scopes == {"bundle": D(10), "family compute": D(10), "family storage": D(40)}


def test_discount_over_the_role_limit_is_reported_and_prices_are_kept() -> None:
    priced, guardrails = quote("6")
    breaches = check_guardrails(priced, guardrails, "sales")
    discount = [b for b in breaches if b.kind == "discount_limit"]
    assert [(b.scope, b.limit, b.actual) for b in discount] == [("role sales", D(5), D(6))]
    assert discount[0].message == (
        "a 6 % discount is over the 5 % a sales may give without approval"
    )
    # never clamped: the 6 % is in the price (100.00 x 0.94)
    assert str(priced.lines[0].unit_price) == "94.00"
    assert not [
        b for b in check_guardrails(priced, guardrails, "approver") if b.kind == "discount_limit"
    ]


def test_a_role_not_listed_may_give_no_discount() -> None:
    priced, guardrails = quote("0.5")
    kinds = [b.scope for b in check_guardrails(priced, guardrails, "portfolio")]
    assert "role portfolio" in kinds
    priced, guardrails = quote("0")
    kinds = [b.scope for b in check_guardrails(priced, guardrails, "portfolio")]
    assert "role portfolio" not in kinds


def test_a_margin_exactly_on_the_floor_passes() -> None:
    # 200.00 against a cost of 150.00: exactly 25 %.
    even = component(
        prices={"EUR": {"monthly": 200, "one_time": 0}},
        effort={},
        non_labour_cost={"currency": "EUR", "monthly": 150, "one_time": 0},
    )
    catalog = snapshot(components=[even], books=[book(term_discounts={})])
    priced = price_quote(catalog, request(("CMP-A", 1, "standard", "CZ-X"), term_months=1))
    assert check_guardrails(priced, Guardrails(margin_floor_percent=D(25)), "admin") == ()


def test_giving_it_all_away_is_a_loss_under_any_floor() -> None:
    priced, _ = quote("100")
    breaches = check_guardrails(priced, Guardrails(), "admin")
    assert [(b.kind, b.scope, b.actual) for b in breaches][:1] == [("margin_floor", "bundle", None)]
    assert breaches[0].message == (
        "the margin of the bundle is a loss of 1290.00 EUR, under the 0 % floor"
    )


def test_the_floor_compares_the_exact_margin_not_the_rounded_one() -> None:
    # 200.00 against a cost of 150.01: a margin of 24.995 %, shown as 25.00 %.
    thin = component(
        prices={"EUR": {"monthly": 200, "one_time": 0}},
        effort={},
        non_labour_cost={"currency": "EUR", "monthly": "150.01", "one_time": 0},
    )
    catalog = snapshot(components=[thin], books=[book(term_discounts={})])
    priced = price_quote(catalog, request(("CMP-A", 1, "standard", "CZ-X"), term_months=1))
    assert priced.margin.percent == D("25.00")
    breaches = check_guardrails(priced, Guardrails(margin_floor_percent=D(25)), "admin")
    assert [(b.scope, b.actual) for b in breaches] == [
        ("bundle", D("25.00")),
        ("family compute", D("25.00")),
    ]
