"""A priced line's derivation in words, for an approver, the API and the proposal PDF.

Price steps never mention cost; ``cost_steps`` is only for those who may see cost.
"""

from __future__ import annotations

from decimal import Decimal

from pricing.money import amount_text, cents_text, factor_text
from pricing.quote import PricedLine

_ONE = Decimal(1)


_money = cents_text


def _band(lower: int, upper: int | None) -> str:
    return f"{lower}+" if upper is None else f"{lower}-{upper}"


def price_steps(line: PricedLine, term_months: int) -> list[str]:
    """How the line's monthly and one-time prices follow from the list price."""
    price = line.terms.price
    level = line.service_level.name
    factors = []
    if price.price_factor != _ONE:
        factors.append(f"x {factor_text(price.price_factor)} ({level} service level)")
    if price.term_discount_percent:
        factors.append(
            f"x (1 - {factor_text(price.term_discount_percent)} %) "
            f"({term_months}-month term discount)"
        )
    if price.sales_discount_percent:
        factors.append(f"x (1 - {factor_text(price.sales_discount_percent)} %) (sales discount)")
    applied = "".join(f" {factor}" for factor in factors)
    steps = []
    if price.list_bands:
        if price.style == "flat":
            band = price.list_bands[0]
            steps.append(
                f"monthly list price {amount_text(band.list_rate)}{applied} = "
                f"{_money(band.rate)} per {line.component.unit}, rounded half-up to the cent"
            )
        else:
            named = "tiered (each band at its own rate)"
            if price.style == "volume":
                named = "volume (the whole quantity at the rate of its band)"
            steps.append(f"{named} list prices{applied}, each rounded half-up to the cent:")
            lower = 1
            for band in price.list_bands:
                steps.append(
                    f"  {_band(lower, band.up_to)}: list {amount_text(band.list_rate)} -> "
                    f"{_money(band.rate)}"
                )
                lower = (band.up_to or 0) + 1
        for charged in line.charge.bands:
            steps.append(
                f"{charged.quantity} x {_money(charged.rate)} "
                f"(band {_band(charged.lower, charged.upper)}) = {_money(charged.amount)}"
            )
        if line.charge.floor_applied:
            steps.append(
                f"raised to {_money(line.charge.amount)}, the total at the top of an earlier "
                "band (no total below the previous band's top)"
            )
        steps.append(f"monthly {line.price.monthly}")
    if price.list_one_time is not None:
        discount = (
            f" x (1 - {factor_text(price.sales_discount_percent)} %) (sales discount)"
            if price.sales_discount_percent
            else ""
        )
        steps.append(
            f"one-time list price {amount_text(price.list_one_time)}{discount} = "
            f"{_money(price.one_time)} per {line.component.unit}; "
            f"{line.quantity} x {_money(price.one_time)} = {line.price.one_time}"
        )
    return steps


def cost_steps(line: PricedLine) -> list[str]:
    """How the line's unit cost is built up at its delivery centre (confidential)."""
    cost = line.terms.cost.build_up
    factor = line.terms.cost.cost_factor
    steps = []
    for labour in cost.labour:
        steps.append(
            f"labour {labour.skill}: {factor_text(labour.monthly_hours)} h a month and "
            f"{factor_text(labour.one_time_hours)} h once at {amount_text(labour.rate)} "
            f"{cost.cost_currency}/h ({cost.centre}), converted at {factor_text(cost.fx_rate)}"
        )
    for other in cost.other:
        steps.append(
            f"{other.source}: {amount_text(other.monthly)} {other.currency} a month and "
            f"{amount_text(other.one_time)} {other.currency} once, converted at "
            f"{factor_text(other.fx_rate)}"
        )
    if factor != _ONE:
        steps.append(
            f"monthly cost x {factor_text(factor)} ({line.service_level.name} service level)"
        )
    steps.append(
        f"unit cost {_money(line.terms.cost.monthly)} a month and "
        f"{_money(line.terms.cost.one_time)} once, "
        "rounded half-up to the cent"
    )
    return steps
