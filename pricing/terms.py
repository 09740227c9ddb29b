"""The integer form of a line choice, shared by the pricing engine and the solver.

For one (component, service level, delivery centre) in a price book over a term, with a sales
discount: the monthly price as a rate schedule in cents (tier breakpoints included), the
one-time price and the monthly and one-time cost per unit in cents. The engine computes every
line from exactly these numbers, so an objective a CP-SAT model builds from them equals the
engine's total to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.centres import DeliveryCentre
from catalog.components import Component, ServiceLevel
from catalog.price_books import PriceBook
from pricing.costing import CostBuildUp, UnitCost, cost_build_up, unit_cost
from pricing.errors import PricingProblem
from pricing.market import UnitPrice, unit_price
from pricing.tiers import RateSchedule


@dataclass(frozen=True, slots=True)
class LineTerms:
    price: UnitPrice
    cost: UnitCost

    @property
    def monthly_price(self) -> RateSchedule:
        return self.price.schedule

    @property
    def one_time_price(self) -> int:
        return self.price.one_time

    @property
    def monthly_cost(self) -> int:
        return self.cost.monthly

    @property
    def one_time_cost(self) -> int:
        return self.cost.one_time


class Terms:
    """Integer terms for one price book, contract term and sales discount. Each unit price
    is derived once per (component, service level) and each cost build-up once per
    (component, centre): a solver asks for every combination, and a big bundle repeats
    them."""

    def __init__(self, book: PriceBook, *, term_months: int, discount_percent: Decimal) -> None:
        self.book = book
        self.term_months = term_months
        self.discount_percent = discount_percent
        self._prices: dict[tuple[str, str], UnitPrice | list[PricingProblem]] = {}
        self._build_ups: dict[tuple[str, str], CostBuildUp | list[PricingProblem]] = {}

    def of(
        self, component: Component, level: ServiceLevel, centre: DeliveryCentre, *, field: str = ""
    ) -> LineTerms | list[PricingProblem]:
        """The line's integer terms, or every problem that prevents them."""
        key = (component.code, level.name)
        price = self._prices.get(key)
        if price is None:
            price = self._prices[key] = unit_price(
                component, level, self.book, term_months=self.term_months,
                discount_percent=self.discount_percent, field=field,
            )  # fmt: skip
        build_key = (component.code, centre.code)
        build_up = self._build_ups.get(build_key)
        if build_up is None:
            build_up = self._build_ups[build_key] = cost_build_up(
                component, centre, self.book, field=field
            )
        cost = (
            build_up
            if isinstance(build_up, list)
            else unit_cost(build_up, level, component=component.code, field=field)
        )
        if isinstance(price, list) or isinstance(cost, list):
            return (price if isinstance(price, list) else []) + (
                cost if isinstance(cost, list) else []
            )
        return LineTerms(price, cost)


def line_terms(
    component: Component,
    level: ServiceLevel,
    centre: DeliveryCentre,
    book: PriceBook,
    *,
    term_months: int,
    discount_percent: Decimal = Decimal(0),
    field: str = "line",
) -> LineTerms | list[PricingProblem]:
    """One line's integer terms, or every problem that prevents them."""
    terms = Terms(book, term_months=term_months, discount_percent=discount_percent)
    return terms.of(component, level, centre, field=field)
