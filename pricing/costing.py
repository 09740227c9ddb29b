"""Pre-costed: what one unit of a component costs to deliver from a given centre, in a price
book's currency.

Monthly cost per unit = (labour + non-labour + partner) x the service level's cost factor,
where labour is the effort hours per unit of each skill x the centre's labour rate for it;
each part is converted from its own currency (the centre's cost currency for labour) with the
price book's FX rate. One-time cost per unit is the same build-up of the one-time parts,
without the cost factor: a service level changes how a component is run, not how it is set
up. Each per-unit figure is rounded once, to the cent (see ``pricing.money``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.centres import DeliveryCentre
from catalog.components import Component, CostBlock, ServiceLevel
from catalog.price_books import PriceBook
from pricing.errors import PricingProblem
from pricing.money import amount_problem, to_cents


@dataclass(frozen=True, slots=True)
class LabourCost:
    skill: str
    monthly_hours: Decimal
    one_time_hours: Decimal
    rate: Decimal  # per hour, in the centre's cost currency


@dataclass(frozen=True, slots=True)
class ConvertedCost:
    """A non-labour or partner cost per unit, in its own currency, and the FX rate used."""

    source: str  # "non-labour" or the partner's name
    currency: str
    monthly: Decimal
    one_time: Decimal
    fx_rate: Decimal


@dataclass(frozen=True, slots=True)
class UnitCost:
    """The cost of one unit in the book's currency (cents), with how it was built up."""

    centre: str
    cost_currency: str
    fx_rate: Decimal  # book units per unit of the centre's cost currency
    labour: tuple[LabourCost, ...]
    other: tuple[ConvertedCost, ...]
    cost_factor: Decimal
    monthly: int  # cents per unit
    one_time: int  # cents per unit


def unit_cost(
    component: Component,
    level: ServiceLevel,
    centre: DeliveryCentre,
    book: PriceBook,
    *,
    field: str,
) -> UnitCost | list[PricingProblem]:
    """The unit cost, or the problems that prevent it (``field``: the request's line)."""
    problems: list[PricingProblem] = []

    def fx(currency: str, where: str) -> Decimal:
        rate = book.fx_rate(currency)
        if rate is None:
            problems.append(
                PricingProblem(
                    field,
                    f"price book {book.code} has no FX rate for {currency}, the currency of "
                    f"{component.code} {where}",
                    component.code,
                )
            )
            return Decimal(0)
        return rate

    amounts: list[tuple[str, object]] = [
        *((f"effort.monthly.{skill}", hours) for skill, hours in component.effort.monthly.items()),
        *(
            (f"effort.one_time.{skill}", hours)
            for skill, hours in component.effort.one_time.items()
        ),
        ("service_levels.cost_factor", level.cost_factor),
    ]
    for where, block in (
        ("non_labour_cost", component.non_labour_cost),
        ("partner.cost", component.partner.cost if component.partner else None),
    ):
        if block is not None:
            amounts += [(f"{where}.monthly", block.monthly), (f"{where}.one_time", block.one_time)]
    for where, amount in amounts:
        wrong = amount_problem(amount)
        if wrong is not None:
            problems.append(
                PricingProblem(field, f"{component.code} {where} {wrong}", component.code)
            )
    for skill, hourly in centre.labour_rates.items():
        wrong = amount_problem(hourly)
        if wrong is not None:
            problems.append(
                PricingProblem(field, f"delivery centre {centre.code} labour_rates.{skill} {wrong}")
            )
    if problems:
        return problems

    centre_fx = fx(centre.cost_currency, f"labour at {centre.code}")
    labour = []
    for skill in sorted(set(component.effort.monthly) | set(component.effort.one_time)):
        rate = centre.labour_rates.get(skill)
        if rate is None:
            problems.append(
                PricingProblem(
                    field,
                    f"delivery centre {centre.code} has no labour rate for skill {skill!r}, "
                    f"which {component.code} needs (effort.{skill})",
                    component.code,
                )
            )
            continue
        labour.append(
            LabourCost(
                skill,
                component.effort.monthly.get(skill, Decimal(0)),
                component.effort.one_time.get(skill, Decimal(0)),
                rate,
            )
        )
    other = []
    blocks: list[tuple[str, str, CostBlock]] = []
    if component.non_labour_cost is not None:
        blocks.append(("non-labour", "non_labour_cost", component.non_labour_cost))
    if component.partner is not None:
        blocks.append((component.partner.name, "partner.cost", component.partner.cost))
    for source, where, block in blocks:
        rate = fx(block.currency, f"{where}.currency")
        other.append(ConvertedCost(source, block.currency, block.monthly, block.one_time, rate))
    if problems:
        return problems

    monthly = sum((item.monthly_hours * item.rate for item in labour), Decimal(0)) * centre_fx
    one_time = sum((item.one_time_hours * item.rate for item in labour), Decimal(0)) * centre_fx
    for item in other:
        monthly += item.monthly * item.fx_rate
        one_time += item.one_time * item.fx_rate
    return UnitCost(
        centre=centre.code,
        cost_currency=centre.cost_currency,
        fx_rate=centre_fx,
        labour=tuple(labour),
        other=tuple(other),
        cost_factor=level.cost_factor,
        monthly=to_cents(monthly * level.cost_factor),
        one_time=to_cents(one_time),
    )
