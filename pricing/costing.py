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
from pricing.money import amount_problem, amount_problems, to_cents


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
class CostBuildUp:
    """What one unit costs at a centre before the service level: exact, in the book's
    currency, with the parts it is made of."""

    centre: str
    cost_currency: str
    fx_rate: Decimal  # book units per unit of the centre's cost currency
    labour: tuple[LabourCost, ...]
    other: tuple[ConvertedCost, ...]
    monthly: Decimal
    one_time: Decimal


@dataclass(frozen=True, slots=True)
class UnitCost:
    """The cost of one unit at a service level, in the book's currency (cents)."""

    build_up: CostBuildUp
    cost_factor: Decimal
    monthly: int  # cents per unit
    one_time: int  # cents per unit


def unit_cost(
    build_up: CostBuildUp, level: ServiceLevel, *, component: str, field: str
) -> UnitCost | list[PricingProblem]:
    """The unit cost at ``level``, or the problem with its cost factor."""
    wrong = amount_problem(level.cost_factor)
    if wrong is not None:
        message = f"{component} service_levels.{level.name}.cost_factor {wrong}"
        return [PricingProblem(field, message, component)]
    return UnitCost(
        build_up,
        level.cost_factor,
        to_cents(build_up.monthly * level.cost_factor),
        to_cents(build_up.one_time),
    )


def cost_build_up(
    component: Component, centre: DeliveryCentre, book: PriceBook, *, field: str
) -> CostBuildUp | list[PricingProblem]:
    """The unit cost before the service level, or the problems that prevent it (``field``:
    the request's line)."""
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

    effort = component.effort
    skills = sorted(set(effort.monthly) | set(effort.one_time))
    blocks: list[tuple[str, str, CostBlock]] = []
    if component.non_labour_cost is not None:
        blocks.append(("non-labour", "non_labour_cost", component.non_labour_cost))
    if component.partner is not None:
        blocks.append((component.partner.name, "partner.cost", component.partner.cost))
    amounts: list[tuple[tuple[str, ...], object]] = [
        *((("effort", "monthly", skill), hours) for skill, hours in effort.monthly.items()),
        *((("effort", "one_time", skill), hours) for skill, hours in effort.one_time.items()),
        *(((where, part), getattr(block, part))
          for _, where, block in blocks for part in ("monthly", "one_time")),
    ]  # fmt: skip
    problems.extend(
        PricingProblem(field, f"{component.code} {where} {wrong}", component.code)
        for where, wrong in amount_problems(amounts)
    )
    centre_fx = fx(centre.cost_currency, f"labour at {centre.code}")
    labour = []
    for skill in skills:
        rate = centre.labour_rates.get(skill)
        wrong = "is missing" if rate is None else amount_problem(rate)
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
        if wrong is not None:
            problems.append(
                PricingProblem(field, f"delivery centre {centre.code} labour_rates.{skill} {wrong}")
            )
            continue
        labour.append(
            LabourCost(
                skill,
                effort.monthly.get(skill, Decimal(0)),
                effort.one_time.get(skill, Decimal(0)),
                rate,
            )
        )  # fmt: skip
    other = [
        ConvertedCost(source, block.currency, block.monthly, block.one_time,
                      fx(block.currency, f"{where}.currency"))
        for source, where, block in blocks
    ]  # fmt: skip
    if problems:
        return problems
    monthly = sum((item.monthly_hours * item.rate for item in labour), Decimal(0)) * centre_fx
    one_time = sum((item.one_time_hours * item.rate for item in labour), Decimal(0)) * centre_fx
    for item in other:
        monthly += item.monthly * item.fx_rate
        one_time += item.one_time * item.fx_rate
    return CostBuildUp(
        centre.code, centre.cost_currency, centre_fx, tuple(labour), tuple(other), monthly, one_time
    )
