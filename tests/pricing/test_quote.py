"""The pricing engine on a hand-sized catalog: every figure computed by hand.

The catalog (tests.pricing.factories): CMP-A, 2 h/month and 4 h once of linux-admin per
server, non-labour 10.00 a month and 50.00 once (EUR), list 100.00 a month and 200.00 once
in the EUR book; centre CZ-X pays linux-admin 1,000 CZK an hour; the book converts CZK at
0.04 and USD at 0.92, and takes 3 % off for 24 months and 6 % for 36.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalog.components import CostBlock, TierBand, Tiers
from pricing.errors import PricingError
from pricing.explain import cost_steps, price_steps
from pricing.money import Money
from pricing.quote import price_quote
from tests.pricing.factories import book, centre, component, request, snapshot

D = Decimal


def eur(amount: str) -> Money:
    return Money(D(amount), "EUR")


class TestHandComputed:
    def test_one_line_price_cost_margin(self) -> None:
        quote = price_quote(
            snapshot(), request(("CMP-A", 3, "gold", "CZ-X"), term_months=36, discount_percent="5")
        )
        (line,) = quote.lines
        # 100.00 x 1.20 (gold) x 0.94 (36 months) x 0.95 (5 % discount) = 107.16
        assert line.unit_price == eur("107.16")
        assert line.price.monthly == eur("321.48")
        # one-time: 200.00 x 0.95 = 190.00; no service-level or term factor on set-up
        assert line.one_time_unit_price == eur("190.00")
        assert line.price.one_time == eur("570.00")
        assert line.price.contract == eur("12143.28")  # 570.00 + 36 x 321.48
        # cost: (2 h x 1,000 CZK x 0.04 + 10.00) x 1.10 (gold) = 99.00 a month;
        # once: 4 h x 1,000 CZK x 0.04 + 50.00 = 210.00
        assert line.cost.monthly == eur("297.00")
        assert line.cost.one_time == eur("630.00")
        assert line.cost.contract == eur("11322.00")  # 630.00 + 36 x 297.00
        assert line.margin.amounts.contract == eur("821.28")
        assert line.margin.percent == D("6.76")  # 821.28 / 12,143.28
        assert quote.price == line.price and quote.cost == line.cost
        assert quote.margin.percent == D("6.76")

    def test_labour_non_labour_and_partner_each_converted(self) -> None:
        partnered = component(partner={
            "name": "Carrier", "status": "go",
            "cost": {"currency": "USD", "monthly": 20, "one_time": 100},
        })  # fmt: skip
        quote = price_quote(
            snapshot(components=[partnered]), request(("CMP-A", 1, "standard", "CZ-X"))
        )
        (line,) = quote.lines
        # 2 x 1,000 x 0.04 + 10.00 + 20 USD x 0.92 = 80.00 + 10.00 + 18.40 = 108.40
        assert line.cost.monthly == eur("108.40")
        # 4 x 1,000 x 0.04 + 50.00 + 100 USD x 0.92 = 160.00 + 50.00 + 92.00
        assert line.cost.one_time == eur("302.00")
        derivation = line.terms.cost.build_up
        assert [(item.skill, item.rate) for item in derivation.labour] == [("linux-admin", D(1000))]
        assert [(item.source, item.currency, item.fx_rate) for item in derivation.other] == [
            ("non-labour", "EUR", D(1)),
            ("Carrier", "USD", D("0.92")),
        ]
        assert (derivation.cost_currency, derivation.fx_rate) == ("CZK", D("0.04"))

    @pytest.mark.parametrize(
        ("term", "percent", "unit"),
        [(1, "0", "100.00"), (23, "0", "100.00"), (24, "3", "97.00"), (35, "3", "97.00"),
         (36, "6", "94.00"), (120, "6", "94.00")],
    )  # fmt: skip
    def test_term_discount_of_the_longest_term_reached(
        self, term: int, percent: str, unit: str
    ) -> None:
        quote = price_quote(snapshot(), request(("CMP-A", 1, "standard", "CZ-X"), term_months=term))
        (line,) = quote.lines
        assert line.terms.price.term_discount_percent == D(percent)
        assert line.unit_price == eur(unit)
        assert quote.price.contract == eur("200.00") + eur(unit) * term

    def test_rounding_is_half_up_on_the_unit_rate(self) -> None:
        cheap = component(prices={"EUR": {"monthly": "0.125", "one_time": "0.135"}})
        quote = price_quote(
            snapshot(components=[cheap]), request(("CMP-A", 10, "standard", "CZ-X"), term_months=1)
        )
        (line,) = quote.lines
        assert line.unit_price == eur("0.13")  # not 0.12, as banker's rounding would give
        assert line.price.monthly == eur("1.30")  # 10 x the unit price shown, not 1.25
        assert line.price.one_time == eur("1.40")

    def test_tiered_line_sums_its_bands(self) -> None:
        bands = [{"up_to": 10, "monthly": 10}, {"up_to": 20, "monthly": 8}, {"monthly": 5}]
        tiered = component(
            prices={"EUR": {"one_time": 0, "tiers": {"style": "tiered", "bands": bands}}}
        )
        quote = price_quote(
            snapshot(components=[tiered]), request(("CMP-A", 25, "standard", "CZ-X"), term_months=1)
        )
        (line,) = quote.lines
        assert line.price.monthly == eur("205.00")  # 10 x 10 + 10 x 8 + 5 x 5
        assert line.unit_price == eur("8.20")  # the effective average
        assert [band.quantity for band in line.charge.bands] == [10, 10, 5]

    def test_volume_line_with_and_without_the_floor(self) -> None:
        def priced(floor: bool, quantity: int) -> Money:
            tiers = {"style": "volume", "floor_at_previous_band": floor, "bands": [
                {"up_to": 10, "monthly": 10}, {"monthly": 8}]}  # fmt: skip
            volume = component(prices={"EUR": {"one_time": 0, "tiers": tiers}})
            quote = price_quote(
                snapshot(components=[volume]),
                request(("CMP-A", quantity, "standard", "CZ-X"), term_months=1),
            )
            return quote.lines[0].price.monthly

        assert priced(False, 11) == eur("88.00")  # less than 10 cost: documented
        assert priced(True, 11) == eur("100.00")  # the guard keeps the top of band 1
        assert priced(True, 13) == eur("104.00")

    def test_totals_add_lines_and_a_zero_discount_changes_nothing(self) -> None:
        other = component(
            code="CMP-B", family="storage", prices={"EUR": {"monthly": "33.33", "one_time": 0}}
        )
        quote = price_quote(
            snapshot(components=[component(), other]),
            request(("CMP-A", 2, "standard", "CZ-X"), ("CMP-B", 3, "gold", "CZ-X"), term_months=12),
        )
        a, b = quote.lines
        assert a.price.monthly == eur("200.00")
        # 33.33 x 1.20 (gold) = 39.996, rounded half-up to 40.00 a unit
        assert b.price.monthly == eur("120.00")
        assert quote.price.monthly == eur("320.00")
        assert quote.price.one_time == eur("400.00")
        assert quote.price.contract == eur("4240.00")  # 400.00 + 12 x 320.00

    def test_a_discount_of_100_percent_gives_it_away(self) -> None:
        quote = price_quote(
            snapshot(), request(("CMP-A", 1, "gold", "CZ-X"), discount_percent="100")
        )
        assert quote.price.contract == eur("0.00")
        assert quote.margin.percent is None
        assert quote.margin.amounts.contract == -quote.cost.contract

    def test_same_choice_on_many_lines_is_derived_once_and_priced_alike(self) -> None:
        quote = price_quote(snapshot(), request(*[("CMP-A", 1, "standard", "CZ-X")] * 3))
        first, second, third = quote.lines
        assert first.terms is second.terms is third.terms
        assert [line.index for line in quote.lines] == [0, 1, 2]

    def test_every_amount_is_in_the_book_currency(self) -> None:
        gbp = book(code="GBP", currency="GBP", fx_rates={"CZK": "0.0342", "EUR": "0.8550"})
        priced_in_gbp = component(prices={"GBP": {"monthly": 80, "one_time": 150}})
        quote = price_quote(
            snapshot(components=[priced_in_gbp], books=[gbp]),
            request(("CMP-A", 1, "standard", "CZ-X"), price_book="GBP"),
        )
        (line,) = quote.lines
        amounts = [*vars_of(line.price), *vars_of(line.cost), *vars_of(quote.margin.amounts)]
        assert {amount.currency for amount in amounts} == {"GBP"}
        # 2 x 1,000 CZK x 0.0342 + 10.00 EUR x 0.8550 = 68.40 + 8.55
        assert line.cost.monthly == Money(D("76.95"), "GBP")


def vars_of(amounts: Any) -> list[Money]:
    return [amounts.monthly, amounts.one_time, amounts.contract]


class TestBadInput:
    def problems(self, catalog: Any, quote_request: Any) -> list[tuple[str, str]]:
        with pytest.raises(PricingError) as raised:
            price_quote(catalog, quote_request)
        return [(problem.field, problem.message) for problem in raised.value.problems]

    @pytest.mark.parametrize(
        ("kwargs", "field", "message"),
        [
            ({"discount_percent": "101"}, "discount_percent", "from 0 to 100"),
            ({"discount_percent": "-1"}, "discount_percent", "from 0 to 100"),
            ({"discount_percent": "NaN"}, "discount_percent", "finite"),
            ({"discount_percent": "Infinity"}, "discount_percent", "finite"),
            ({"discount_percent": "7.125"}, "discount_percent", "at most two decimals"),
            ({"term_months": 0}, "term_months", "from 1 to 120"),
            ({"term_months": 121}, "term_months", "from 1 to 120"),
            ({"price_book": "JPY"}, "price_book", "unknown price book 'JPY'"),
        ],
    )
    def test_request_fields(self, kwargs: dict[str, Any], field: str, message: str) -> None:
        found = self.problems(snapshot(), request(("CMP-A", 1, "gold", "CZ-X"), **kwargs))
        assert len(found) == 1 and found[0][0] == field and message in found[0][1]

    @pytest.mark.parametrize(
        ("line", "field", "message"),
        [
            (("CMP-Z", 1, "gold", "CZ-X"), "lines[0].component", "unknown component 'CMP-Z'"),
            (("CMP-A", -1, "gold", "CZ-X"), "lines[0].quantity", "between 1 and 1000, not -1"),
            (("CMP-A", 1001, "gold", "CZ-X"), "lines[0].quantity", "between 1 and 1000"),
            (("CMP-A", 1, "platinum", "CZ-X"), "lines[0].service_level",
             "CMP-A has no service level 'platinum' (it has standard, gold)"),
            (("CMP-A", 1, "gold", "XX-NONE"), "lines[0].delivery_centre",
             "unknown delivery centre 'XX-NONE'"),
        ],
    )  # fmt: skip
    def test_line_fields(self, line: tuple[Any, ...], field: str, message: str) -> None:
        found = self.problems(snapshot(), request(line))
        assert found == [(field, found[0][1])] and message in found[0][1]

    def test_quantity_steps_count_from_the_minimum(self) -> None:
        stepped = component(quantity={"min": 5, "max": 100, "step": 5})
        catalog = snapshot(components=[stepped])
        assert price_quote(catalog, request(("CMP-A", 15, "standard", "CZ-X"))).lines
        found = self.problems(catalog, request(("CMP-A", 12, "standard", "CZ-X")))
        assert found == [
            (
                "lines[0].quantity",
                "CMP-A quantity must be 5 plus a multiple of 5, not 12 (quantity)",
            )
        ]

    def test_every_problem_at_once(self) -> None:
        found = self.problems(
            snapshot(),
            request(
                ("CMP-Z", 1, "gold", "CZ-X"), ("CMP-A", 0, "nope", "CZ-X"), discount_percent="120"
            ),
        )
        assert [field for field, _ in found] == [
            "discount_percent", "lines[0].component", "lines[1].quantity", "lines[1].service_level",
        ]  # fmt: skip

    def test_no_lines(self) -> None:
        assert self.problems(snapshot(), request()) == [
            ("lines", "a quote needs at least one line")
        ]

    def test_missing_price_in_the_book_names_component_and_field(self) -> None:
        gbp = book(code="GBP", currency="GBP", fx_rates={"CZK": "0.0342", "EUR": "0.8550"})
        found = self.problems(
            snapshot(books=[book(), gbp]), request(("CMP-A", 1, "gold", "CZ-X"), price_book="GBP")
        )
        assert found == [("lines[0]", "CMP-A has no price in price book GBP (prices.GBP)")]

    def test_missing_fx_rate_names_the_currency_and_component_field(self) -> None:
        found = self.problems(
            snapshot(books=[book(fx_rates={"USD": "0.92"})]), request(("CMP-A", 1, "gold", "CZ-X"))
        )
        assert found == [(
            "lines[0]",
            "price book EUR has no FX rate for CZK, the currency of CMP-A labour at CZ-X",
        )]  # fmt: skip

    def test_missing_labour_rate_names_the_skill(self) -> None:
        found = self.problems(
            snapshot(centres=[centre(rates={"unix-admin": 900})]),
            request(("CMP-A", 1, "gold", "CZ-X")),
        )
        assert found == [(
            "lines[0]",
            "delivery centre CZ-X has no labour rate for skill 'linux-admin', which CMP-A "
            "needs (effort.linux-admin)",
        )]  # fmt: skip

    def test_centre_without_the_competency(self) -> None:
        found = self.problems(
            snapshot(centres=[centre(competencies=("sap-basis",))]),
            request(("CMP-A", 1, "gold", "CZ-X")),
        )
        assert found == [(
            "lines[0].delivery_centre",
            "delivery centre CZ-X does not hold competency 'unix-linux-ops', which CMP-A needs "
            "(competency)",
        )]  # fmt: skip

    def test_a_tier_table_that_does_not_increase_names_component_and_band(self) -> None:
        # The catalog refuses such a table when it loads; the engine checks it again for
        # data that reaches it another way (model_construct skips validation).
        catalog = snapshot()
        bands = tuple(
            TierBand.model_construct(up_to=up_to, monthly=D(rate))
            for up_to, rate in ((10, 9), (5, 8), (None, 7))
        )
        bad = Tiers.model_construct(style="tiered", floor_at_previous_band=False, bands=bands)
        broken = _with_price(catalog, tiers=bad)
        found = self.problems(broken, request(("CMP-A", 1, "gold", "CZ-X")))
        assert found == [(
            "lines[0]",
            "CMP-A prices.EUR.tiers.bands[1]: tiers must increase: band 1 ends at 5, not above "
            "the previous band's 10",
        )]  # fmt: skip

    @pytest.mark.parametrize(("amount", "what"), [(D(-5), "negative"), (D("NaN"), "finite")])
    def test_a_negative_or_non_finite_list_price_names_component_and_field(
        self, amount: Decimal, what: str
    ) -> None:
        broken = _with_price(snapshot(), monthly=amount)
        found = self.problems(broken, request(("CMP-A", 1, "gold", "CZ-X")))
        assert len(found) == 1
        assert found[0][1].startswith("CMP-A prices.EUR.monthly must") and what in found[0][1]

    def test_a_negative_cost_names_component_and_field(self) -> None:
        catalog = snapshot()
        original = catalog.component("CMP-A")
        cost = CostBlock.model_construct(currency="EUR", monthly=D(-1), one_time=D(0))
        changed = original.model_construct(**{**dict(original), "non_labour_cost": cost})
        broken = catalog.model_copy(update={"components": (changed,)})
        found = self.problems(broken, request(("CMP-A", 1, "gold", "CZ-X")))
        assert found == [("lines[0]", "CMP-A non_labour_cost.monthly must not be negative, not -1")]


def _with_price(catalog: Any, **price: Any) -> Any:
    """The catalog with CMP-A's EUR price replaced, bypassing validation."""
    original = catalog.component("CMP-A")
    old = original.prices["EUR"]
    fields = {"monthly": old.monthly, "one_time": old.one_time, "tiers": old.tiers, **price}
    if "tiers" in price:
        fields["monthly"] = None
    new_price = old.model_construct(**fields)
    changed = original.model_construct(**{**dict(original), "prices": {"EUR": new_price}})
    return catalog.model_copy(update={"components": (changed,)})


class TestExplanation:
    def test_flat_line_in_words(self) -> None:
        quote = price_quote(
            snapshot(), request(("CMP-A", 3, "gold", "CZ-X"), term_months=36, discount_percent="5")
        )
        (line,) = quote.lines
        assert price_steps(line, 36) == [
            "monthly list price 100.00 x 1.2 (gold service level) x (1 - 6 %) (36-month term "
            "discount) x (1 - 5 %) (sales discount) = 107.16 per server, rounded half-up to "
            "the cent",
            "3 x 107.16 (band 1+) = 321.48",
            "monthly 321.48",
            "one-time list price 200.00 x (1 - 5 %) (sales discount) = 190.00 per server; "
            "3 x 190.00 = 570.00",
        ]
        assert cost_steps(line) == [
            "labour linux-admin: 2 h a month and 4 h once at 1000.00 CZK/h (CZ-X), converted "
            "at 0.04",
            "non-labour: 10.00 EUR a month and 50.00 EUR once, converted at 1",
            "monthly cost x 1.1 (gold service level)",
            "unit cost 99.00 a month and 210.00 once, rounded half-up to the cent",
        ]

    def test_volume_floor_in_words(self) -> None:
        tiers = {"style": "volume", "floor_at_previous_band": True,
                 "bands": [{"up_to": 10, "monthly": 10}, {"monthly": 8}]}  # fmt: skip
        volume = component(prices={"EUR": {"one_time": 0, "tiers": tiers}})
        quote = price_quote(
            snapshot(components=[volume]), request(("CMP-A", 11, "standard", "CZ-X"), term_months=1)
        )
        (line,) = quote.lines
        assert price_steps(line, 1)[:5] == [
            "volume (the whole quantity at the rate of its band) list prices, each rounded "
            "half-up to the cent:",
            "  1-10: list 10.00 -> 10.00",
            "  11+: list 8.00 -> 8.00",
            "11 x 8.00 (band 11+) = 88.00",
            "raised to 100.00, the total at the top of an earlier band (no total below the "
            "previous band's top)",
        ]
        assert line.unit_price == eur("9.09")  # 100.00 / 11, the effective average
