"""The API's JSON of a frozen revision's bundle, made from the revision model.

This is the proposal's half of the contract and only that: it may rename or reshape what
the API shows without touching what is stored (``app.proposals.revision``), which a stored
proposal of any age keeps. The shape is the one of a configured bundle
(``app.quoting.views.quote_view`` with reasons and availability), so a proposal reads like
the configuration it was made from; a test holds the two to each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.proposals.choices import differences, option_totals
from app.proposals.revision import (
    Amounts,
    Breach,
    Customer,
    FrozenRevision,
    HiddenBreach,
    Line,
    Offering,
    PricedBundle,
    Totals,
)
from pricing import amount_text, cents_text, factor_text, to_cents


def _money(amount: Decimal) -> str:
    return cents_text(to_cents(amount))


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else factor_text(value)


def _amounts(amounts: Amounts | Totals) -> dict[str, str]:
    return {
        "monthly": _money(amounts.monthly),
        "one_time": _money(amounts.one_time),
        "contract_value": _money(amounts.contract_value),
    }


def _band(lower: int, upper: int | None) -> dict[str, int | None]:
    return {"from": lower, "to": upper}


def line_view(line: Line) -> dict[str, Any]:
    derivation = line.derivation
    body: dict[str, Any] = {
        "component": line.component,
        "version": line.version,
        "name": line.name,
        "family": line.family,
        "layer": line.layer,
        "unit": line.unit,
        "quantity": line.quantity,
        "service_level": line.service_level,
        "delivery_centre": line.delivery_centre,
        "unit_price": _money(line.unit_price),
        "monthly": _money(line.monthly),
        "one_time_unit_price": _money(line.one_time_unit_price),
        "one_time": _money(line.one_time),
        "contract_value": _money(line.contract_value),
        "derivation": {
            "style": derivation.style,
            "list_bands": [
                {**_band(band.lower, band.upper), "list_price": amount_text(band.list_price),
                 "unit_price": _money(band.unit_price)}
                for band in derivation.list_bands
            ],
            "floor_at_previous_band": derivation.floor_at_previous_band,
            "list_one_time": None
            if derivation.list_one_time is None
            else amount_text(derivation.list_one_time),
            "service_level_price_factor": factor_text(derivation.service_level_price_factor),
            "term_discount_percent": factor_text(derivation.term_discount_percent),
            "sales_discount_percent": factor_text(derivation.sales_discount_percent),
            "bands_charged": [
                {**_band(band.lower, band.upper), "quantity": band.quantity,
                 "unit_price": _money(band.unit_price), "amount": _money(band.amount)}
                for band in derivation.bands_charged
            ],
            "floor_applied": derivation.floor_applied,
            "steps": list(derivation.steps),
        },
    }  # fmt: skip
    if line.cost is not None:
        body["cost"] = {
            **_amounts(line.cost),
            "unit_monthly": _money(line.cost.unit_monthly),
            "unit_one_time": _money(line.cost.unit_one_time),
            "steps": list(line.cost.steps),
        }
    if line.margin is not None:
        body["margin"] = {**_amounts(line.margin), "percent": _percent(line.margin.percent)}
    body["reasons"] = list(line.reasons)
    return body


def breach_view(breach: Breach | HiddenBreach) -> dict[str, Any]:
    if isinstance(breach, HiddenBreach):
        return {"kind": breach.kind, "scope": breach.scope, "message": breach.message}
    return {
        "kind": breach.kind,
        "scope": breach.scope,
        "limit_percent": factor_text(breach.limit_percent),
        "actual_percent": _percent(breach.actual_percent),
        "message": breach.message,
    }


def bundle_view(bundle: PricedBundle) -> dict[str, Any]:
    """The bundle as the API shows it: cost and margin only when the bundle holds them
    (the one frozen for roles that see cost)."""
    body: dict[str, Any] = {
        "price_book": bundle.price_book,
        "currency": bundle.currency,
        "term_months": bundle.term_months,
        "discount_percent": factor_text(bundle.discount_percent),
        "lines": [line_view(line) for line in bundle.lines],
        "totals": {"currency": bundle.totals.currency, **_amounts(bundle.totals)},
    }
    if bundle.cost is not None:
        body["cost"] = {"currency": bundle.cost.currency, **_amounts(bundle.cost)}
    if bundle.margin is not None:
        body["margin"] = {
            "currency": bundle.margin.currency,
            **_amounts(bundle.margin),
            "percent": _percent(bundle.margin.percent),
        }
    body["guardrails"] = {
        "approval_required": bundle.guardrails.approval_required,
        "breaches": [breach_view(breach) for breach in bundle.guardrails.breaches],
    }
    # A number, rounded down to 0.001 % when it was frozen.
    body["availability"] = None if bundle.availability is None else float(bundle.availability)
    return body


def offering_view(offering: Offering | None) -> dict[str, str] | None:
    return None if offering is None else {"code": offering.code, "name": offering.name}


def customer_view(customer: Customer) -> dict[str, str]:
    body = {"name": customer.name, "country": customer.country}
    if customer.contact is not None:
        body["contact"] = customer.contact
    if customer.reference is not None:
        body["reference"] = customer.reference
    return body


# -- what the customer chooses from ---------------------------------------------------------


def options_view(frozen: FrozenRevision, *, show_cost: bool) -> list[dict[str, Any]]:
    """Every bundle offered, with its totals as the customer pays them (the non-standard
    lines included, add-ons not) and its own."""
    shown = []
    for number, (name, bundle) in enumerate(frozen.options(show_cost=show_cost), start=1):
        totals = option_totals(frozen, number)
        shown.append({
            "number": number,
            "name": name,
            **bundle_view(bundle),
            "totals": {"currency": totals.currency, "monthly": _money(totals.monthly),
                       "one_time": _money(totals.one_time),
                       "contract_value": _money(totals.contract_value)},
            "bundle_totals": {"currency": bundle.totals.currency, **_amounts(bundle.totals)},
        })  # fmt: skip
    return shown


def differences_view(frozen: FrozenRevision) -> list[dict[str, Any]]:
    return [
        {"aspect": found.aspect, "subject": found.subject, "values": list(found.values)}
        for found in differences(frozen)
    ]


def add_ons_view(frozen: FrozenRevision, *, show_cost: bool) -> list[dict[str, Any]]:
    return [
        {"number": number, "line": line_view(line)}
        for number, line in enumerate(frozen.optional_lines(show_cost=show_cost), start=1)
    ]


def custom_lines_view(frozen: FrozenRevision, *, show_cost: bool) -> list[dict[str, Any]]:
    shown = []
    for number, line in enumerate(frozen.non_standard(show_cost=show_cost), start=1):
        body: dict[str, Any] = {
            "number": number,
            "description": line.description,
            "quantity": line.quantity,
            "charge": line.charge,
            "unit_price": _money(line.unit_price),
            "monthly": _money(line.monthly),
            "one_time": _money(line.one_time),
            "contract_value": _money(line.contract_value),
            "non_standard": True,
        }
        if line.cost is not None:
            body["estimated_cost"] = _amounts(line.cost)
        shown.append(body)
    return shown


def approval_reasons(frozen: FrozenRevision, *, show_cost: bool) -> list[str]:
    """Why an approver must decide, in words the caller may read."""
    reasons: list[str] = []
    for name, bundle in frozen.options(show_cost=show_cost):
        prefix = f"{name}: " if frozen.alternatives else ""
        reasons.extend(prefix + breach.message for breach in bundle.guardrails.breaches)
    count = len(frozen.non_standard(show_cost=False))
    if count:
        reasons.append(
            f"{count} non-standard line{'s' if count > 1 else ''}: every line not from the "
            "catalog needs an approver"
        )
    return reasons
