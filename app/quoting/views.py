"""The JSON shape of a priced bundle, shared by quotes, configurations and proposals.

Money is a decimal string with exactly two decimals; cost and margin (and the figures of a
margin guardrail) appear only for callers that may see cost, and are absent otherwise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pricing import (
    Amounts,
    Breach,
    Margin,
    Money,
    PricedLine,
    Quote,
    amount_text,
    cents_text,
    cost_steps,
    factor_text,
    price_steps,
)


def _money(value: Money) -> str:
    return str(value)


_cents = cents_text


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else factor_text(value)


def _amounts(amounts: Amounts) -> dict[str, str]:
    return {
        "monthly": _cents(amounts.monthly_cents),
        "one_time": _cents(amounts.one_time_cents),
        "contract_value": _cents(amounts.contract_cents),
    }


def _margin(margin: Margin) -> dict[str, Any]:
    return {**_amounts(margin.amounts), "percent": _percent(margin.percent)}


def _band(lower: int, upper: int | None) -> dict[str, int | None]:
    return {"from": lower, "to": upper}


def line_view(line: PricedLine, term_months: int, *, show_cost: bool) -> dict[str, Any]:
    price = line.terms.price
    lower = 1
    list_bands = []
    for band in price.list_bands:
        list_bands.append(
            {**_band(lower, band.up_to), "list_price": amount_text(band.list_rate),
             "unit_price": _cents(band.rate)}
        )  # fmt: skip
        lower = (band.up_to or 0) + 1
    body: dict[str, Any] = {
        "component": line.component.code,
        "version": line.component.version,
        "name": line.component.name,
        "family": line.component.family,
        "layer": line.component.layer,
        "unit": line.component.unit,
        "quantity": line.quantity,
        "service_level": line.service_level.name,
        "delivery_centre": line.delivery_centre,
        "unit_price": _money(line.unit_price),
        "monthly": _cents(line.price.monthly_cents),
        "one_time_unit_price": _cents(line.terms.one_time_price),
        "one_time": _cents(line.price.one_time_cents),
        "contract_value": _cents(line.price.contract_cents),
        "derivation": {
            "style": price.style,
            "list_bands": list_bands,
            "floor_at_previous_band": price.floor_at_previous_band,
            "list_one_time": None
            if price.list_one_time is None
            else amount_text(price.list_one_time),
            "service_level_price_factor": factor_text(price.price_factor),
            "term_discount_percent": factor_text(price.term_discount_percent),
            "sales_discount_percent": factor_text(price.sales_discount_percent),
            "bands_charged": [
                {
                    **_band(band.lower, band.upper),
                    "quantity": band.quantity,
                    "unit_price": _cents(band.rate),
                    "amount": _cents(band.amount),
                }
                for band in line.charge.bands
            ],
            "floor_applied": line.charge.floor_applied,
            "steps": price_steps(line, term_months),
        },
    }
    if show_cost:
        cost = line.terms.cost
        body["cost"] = {
            **_amounts(line.cost),
            "unit_monthly": _cents(cost.monthly),
            "unit_one_time": _cents(cost.one_time),
            "steps": cost_steps(line),
        }
        body["margin"] = _margin(line.margin)
    return body


def breach_view(breach: Breach, *, show_cost: bool) -> dict[str, Any]:
    if breach.kind == "margin_floor" and not show_cost:
        # The floor and the margin are confidential; that approval is needed is not.
        return {
            "kind": breach.kind,
            "scope": breach.scope,
            "message": f"the margin of the {breach.scope} is under its floor",
        }
    return {
        "kind": breach.kind,
        "scope": breach.scope,
        "limit_percent": factor_text(breach.limit),
        "actual_percent": _percent(breach.actual),
        "message": breach.message,
    }


def quote_view(quote: Quote, breaches: tuple[Breach, ...], *, show_cost: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "price_book": quote.price_book,
        "currency": quote.currency,
        "term_months": quote.term_months,
        "discount_percent": factor_text(quote.discount_percent),
        "lines": [line_view(line, quote.term_months, show_cost=show_cost) for line in quote.lines],
        "totals": {"currency": quote.currency, **_amounts(quote.price)},
    }
    if show_cost:
        body["cost"] = {"currency": quote.currency, **_amounts(quote.cost)}
        body["margin"] = {"currency": quote.currency, **_margin(quote.margin)}
    body["guardrails"] = {
        "approval_required": bool(breaches),
        "breaches": [breach_view(breach, show_cost=show_cost) for breach in breaches],
    }
    return body
