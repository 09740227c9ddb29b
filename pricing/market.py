"""Market priced: what one unit of a component sells for in a price book.

Monthly rate of each band = list rate x the service level's price factor x (1 - the term
discount) x (1 - the sales discount), rounded once to the cent (see ``pricing.money``); a
flat monthly list price is a table of one open band. One-time price per unit = list one-time
price x (1 - the sales discount), rounded the same way: the service level and the term change
what is run each month, not the set-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog.components import Component, ServiceLevel
from catalog.price_books import PriceBook
from pricing.errors import PricingProblem
from pricing.money import amount_problems, to_cents
from pricing.tiers import RateSchedule, ScheduleStyle, TierTableError

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ListBand:
    up_to: int | None  # last quantity of the band; None: open-ended
    list_rate: Decimal  # list price per unit and month, in the book's currency
    rate: int  # cents per unit and month after factor and discounts


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """The selling price of one unit in a price book, with how it was derived."""

    style: ScheduleStyle
    list_bands: tuple[ListBand, ...]  # empty when the component has no monthly charge
    floor_at_previous_band: bool
    price_factor: Decimal
    term_discount_percent: Decimal
    sales_discount_percent: Decimal
    schedule: RateSchedule  # monthly, in cents
    list_one_time: Decimal | None
    one_time: int  # cents per unit


def multiplier(price_factor: Decimal, term_percent: Decimal, sales_percent: Decimal) -> Decimal:
    """What a monthly list rate is multiplied by before it is rounded."""
    return price_factor * (1 - term_percent / _HUNDRED) * (1 - sales_percent / _HUNDRED)


def unit_price(
    component: Component,
    level: ServiceLevel,
    book: PriceBook,
    *,
    term_months: int,
    discount_percent: Decimal,
    field: str,
) -> UnitPrice | list[PricingProblem]:
    """The unit price, or the problems that prevent it (``field``: the request's line)."""
    price = component.prices.get(book.code)
    if price is None:
        return [
            PricingProblem(
                field,
                f"{component.code} has no price in price book {book.code} (prices.{book.code})",
                component.code,
            )
        ]
    problems: list[PricingProblem] = []
    for charge in component.charges:
        has_it = price.has_monthly if charge == "monthly" else price.one_time is not None
        if not has_it:
            problems.append(
                PricingProblem(
                    field,
                    f"{component.code} charges {charge.replace('_', '-')} but price book "
                    f"{book.code} has no {charge} price for it (prices.{book.code}.{charge})",
                    component.code,
                )
            )
    amounts: list[tuple[tuple[str, ...], object]] = [(("one_time",), price.one_time)]
    if price.tiers is not None:
        amounts += [
            (("tiers", f"bands[{index}]", "monthly"), band.monthly)
            for index, band in enumerate(price.tiers.bands)
        ]
    else:
        amounts.append((("monthly",), price.monthly))
    problems.extend(
        PricingProblem(
            field, f"{component.code} prices.{book.code}.{where} {wrong}", component.code
        )
        for where, wrong in amount_problems(amounts)
    )
    if problems:
        return problems
    term_percent = book.term_discount(term_months)
    factor = multiplier(level.price_factor, term_percent, discount_percent)
    style: ScheduleStyle = "flat"
    floor = False
    listed: list[tuple[int | None, Decimal]] = []
    if "monthly" not in component.charges:
        pass
    elif price.tiers is not None:
        style, floor = price.tiers.style, price.tiers.floor_at_previous_band
        listed = [(band.up_to, band.monthly) for band in price.tiers.bands]
    elif price.monthly is not None:
        listed = [(None, price.monthly)]
    bands = tuple(ListBand(up_to, rate, to_cents(rate * factor)) for up_to, rate in listed)
    try:
        schedule = RateSchedule.build(
            style,
            [(band.up_to, band.rate) for band in bands] or [(None, 0)],
            floor_at_previous_band=floor,
        )
    except TierTableError as error:
        where = f"prices.{book.code}.tiers.bands[{error.band}]"
        problems.append(PricingProblem(field, f"{component.code} {where}: {error}", component.code))
    if problems:
        return problems
    list_one_time = price.one_time if "one_time" in component.charges else None
    return UnitPrice(
        style=style,
        list_bands=bands,
        floor_at_previous_band=floor,
        price_factor=level.price_factor,
        term_discount_percent=term_percent,
        sales_discount_percent=discount_percent,
        schedule=schedule,
        list_one_time=list_one_time,
        one_time=to_cents(list_one_time * (1 - discount_percent / _HUNDRED))
        if list_one_time is not None
        else 0,
    )
