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
from pricing.costing import UnitCost, unit_cost
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
    """The line's integer terms, or every problem that prevents them."""
    price = unit_price(
        component, level, book, term_months=term_months, discount_percent=discount_percent,
        field=field,
    )  # fmt: skip
    cost = unit_cost(component, level, centre, book, field=field)
    problems = (price if isinstance(price, list) else []) + (cost if isinstance(cost, list) else [])
    if problems:
        return problems
    assert isinstance(price, UnitPrice) and isinstance(cost, UnitCost)
    return LineTerms(price, cost)
