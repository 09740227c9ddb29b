"""The integer terms are a faithful linear form: a CP-SAT model built from them optimises
exactly the total the engine then computes, to the cent, tiers and volume floors included.

The model here is the smallest real use: buy at least each need of a few default-catalog
components, minimising the contract value (volume tables can make buying more cheaper, so
the solver has to read the breakpoints right)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, Quote, QuoteRequest, price_quote
from pricing.terms import line_terms
from pricing.tiers import RateSchedule

# (component, service level, centre): flat, tiered and volume monthly prices.
CHOICES = [
    ("NET-MPLS", "silver", "DE-FRA"),  # flat
    ("CMP-VM-LNX", "gold", "CZ-BRN"),  # tiered
    ("SD-L1-247", "standard", "PL-WRO"),  # volume, with one-time
    ("STO-OBJECT", "standard", "CZ-BRN"),  # volume, monthly only
    ("EUC-LAPTOP", "standard", "PL-WRO"),  # volume
]


def add_schedule(
    model: cp_model.CpModel, schedule: RateSchedule, quantity: cp_model.IntVar, upper: int
) -> cp_model.LinearExpr:
    """The monthly amount in cents of ``quantity`` (>= 1) under ``schedule``."""
    picks, parts, amounts = [], [], []
    for segment in schedule.segments:
        pick = model.new_bool_var("")
        part = model.new_int_var(0, upper, "")
        model.add(part >= segment.lower * pick)
        model.add(part <= (segment.upper or upper) * pick)
        bound = max(abs(segment.offset), segment.floor) + segment.rate * upper
        amount = model.new_int_var(0, bound, "")
        model.add_max_equality(
            amount, [segment.offset * pick + segment.rate * part, segment.floor * pick]
        )
        picks.append(pick)
        parts.append(part)
        amounts.append(amount)
    model.add_exactly_one(picks)
    model.add(quantity == sum(parts))
    return sum(amounts)  # type: ignore[return-value]


@cache
def default_catalog() -> CatalogSnapshot:
    # Not the session fixture: hypothesis would print the whole catalog on a failure.
    return load_default_catalog()


def solve(
    needs: list[int], term: int, discount: Decimal, book_code: str
) -> tuple[list[int], int, Quote]:
    """Cheapest quantities covering ``needs`` per CP-SAT, and the engine's quote of them."""
    catalog = default_catalog()
    book = catalog.price_book(book_code)
    model = cp_model.CpModel()
    objective = []
    quantities = []
    for (code, level, centre), need in zip(CHOICES, needs, strict=True):
        component = catalog.component(code)
        bounds = component.quantity
        upper = bounds.max
        terms = line_terms(
            component, component.service_level(level), catalog.delivery_centre(centre), book,
            term_months=term, discount_percent=discount,
        )  # fmt: skip
        assert not isinstance(terms, list), terms
        quantity = model.new_int_var(min(max(need, bounds.min), upper), upper, code)
        monthly = add_schedule(model, terms.monthly_price, quantity, upper)
        objective.append(monthly * term + terms.one_time_price * quantity)
        quantities.append(quantity)
    total = sum(objective)
    model.minimize(total)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(model) == cp_model.OPTIMAL
    # The objective read back as an integer (objective_value is a float, and a float of nine
    # digits can carry noise in its last place).
    exact = solver.value(total)
    assert abs(exact - solver.objective_value) < 1
    chosen = [solver.value(quantity) for quantity in quantities]
    lines = [
        LineRequest(code, quantity, level, centre)
        for (code, level, centre), quantity in zip(CHOICES, chosen, strict=True)
    ]
    quote = price_quote(catalog, QuoteRequest(book_code, term, lines, discount))
    return chosen, exact, quote


@settings(max_examples=30, deadline=None)
@given(
    needs=st.lists(st.integers(1, 3000), min_size=len(CHOICES), max_size=len(CHOICES)),
    term=st.sampled_from([12, 24, 36, 60]),
    discount=st.decimals(0, 30, places=1),
    book_code=st.sampled_from(["EUR", "GBP", "USD"]),
)
def test_solver_objective_equals_engine_total_to_the_cent(
    needs: list[int], term: int, discount: Decimal, book_code: str
) -> None:
    _, objective, quote = solve(needs, term, discount, book_code)
    assert quote.price.contract.cents == objective


def test_solver_reads_volume_breakpoints_and_buys_past_a_band_edge() -> None:
    # 480 service-desk users at 15.90 cost more than 501 at 14.20: the optimum buys 501.
    chosen, objective, quote = solve([1, 1, 480, 1, 10], 36, Decimal(0), "EUR")
    assert chosen[2] == 501
    assert quote.price.contract.cents == objective
