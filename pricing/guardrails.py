"""Guardrails: which of a price book's commercial limits a quote breaks.

Nothing is clamped: the quote keeps its prices and the breaches are reported, so a proposal
that breaks one goes to an approver. Margins are over the contract (one-time + monthly x
term), as a percentage of its value:

- the bundle's margin must reach the book's ``margin_floor_percent``;
- each family's margin must reach its own floor, or the book's floor when it has none;
- the sales discount must not exceed the caller's role limit (a role not listed: 0 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from catalog.price_books import Guardrails
from pricing.quote import Amounts, Margin, Quote

BreachKind = Literal["margin_floor", "discount_limit"]


@dataclass(frozen=True, slots=True)
class Breach:
    kind: BreachKind
    scope: str  # "bundle", "family <name>" or "role <name>"
    limit: Decimal  # percent
    actual: Decimal | None  # percent; None: a margin over a zero contract value
    message: str


def check_guardrails(quote: Quote, guardrails: Guardrails, role: str) -> tuple[Breach, ...]:
    """Every guardrail ``quote`` breaks when ``role`` gives its discount, bundle first."""
    breaches = []
    floor = guardrails.margin_floor_percent
    breach = _below_floor(quote.margin, quote.price.contract_cents, floor, "bundle", "the bundle")
    if breach is not None:
        breaches.append(breach)
    price: dict[str, Amounts] = {}
    cost: dict[str, Amounts] = {}
    for line in quote.lines:
        family = line.component.family
        price[family] = price[family] + line.price if family in price else line.price
        cost[family] = cost[family] + line.cost if family in cost else line.cost
    for family in sorted(price):
        family_floor = guardrails.family_margin_floors.get(family, floor)
        margin = Margin.between(price[family], cost[family])
        breach = _below_floor(
            margin, price[family].contract_cents, family_floor, f"family {family}",
            f"family {family}",
        )  # fmt: skip
        if breach is not None:
            breaches.append(breach)
    limit = guardrails.max_discount_percent.get(role, Decimal(0))
    if quote.discount_percent > limit:
        breaches.append(
            Breach(
                "discount_limit",
                f"role {role}",
                limit,
                quote.discount_percent,
                f"a {quote.discount_percent} % discount is over the {limit} % a {role} may "
                "give without approval",
            )
        )
    return tuple(breaches)


def _below_floor(
    margin: Margin, price_cents: int, floor: Decimal, scope: str, what: str
) -> Breach | None:
    if margin.percent is None:
        # Nothing charged: only a loss (something given away that costs) breaks the floor.
        if margin.amounts.contract_cents >= 0:
            return None
        loss = -margin.amounts.contract
        shown = f"a loss of {loss} {loss.currency}"
    elif margin.amounts.contract_cents * 100 >= floor * price_cents:
        # Exact: the shown percentage is rounded, and 24.995 % must not pass a 25 % floor.
        return None
    else:
        shown = f"{margin.percent} %"
    return Breach(
        "margin_floor",
        scope,
        floor,
        margin.percent,
        f"the margin of {what} is {shown}, under the {floor} % floor",
    )
