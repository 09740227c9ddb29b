"""Price books: list prices in one currency, FX rates for costs, and term discounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from catalog.base import (
    CurrencyCode,
    FrozenMap,
    FrozenModel,
    Identifier,
    Name,
    Percent,
    PositiveAmount,
)
from catalog.limits import MAX_TERM_MONTHS


class Guardrails(FrozenModel):
    """Commercial limits a quote is checked against. Breaking one never changes a price: the
    pricing engine reports it, and a proposal that breaks one needs an approver."""

    # Gross margin over the contract, as a percentage of its value, for the bundle as a whole
    # and for every family that has no floor of its own.
    margin_floor_percent: Percent = Decimal(0)
    family_margin_floors: FrozenMap[Identifier, Percent] = Field(default_factory=dict)
    # Largest discretionary discount each role may give without approval; a role not listed
    # may give none.
    max_discount_percent: FrozenMap[Identifier, Percent] = Field(default_factory=dict)


class PriceBook(FrozenModel):
    code: Identifier
    name: Name
    currency: CurrencyCode
    # Units of this book's currency per one unit of each cost currency.
    fx_rates: FrozenMap[CurrencyCode, PositiveAmount] = Field(default_factory=dict)
    # Contract term in months -> discount percent, applied for terms at or above the key.
    term_discounts: FrozenMap[Annotated[int, Field(le=MAX_TERM_MONTHS)], Percent] = Field(
        default_factory=dict
    )
    guardrails: Guardrails = Field(default_factory=Guardrails)

    @model_validator(mode="after")
    def _own_currency_is_par(self) -> PriceBook:
        own = self.fx_rates.get(self.currency)
        if own is not None and own != 1:
            raise ValueError(f"the FX rate of the book's own currency {self.currency} must be 1")
        if any(months < 1 for months in self.term_discounts):
            raise ValueError("term discount keys are contract terms in months (>= 1)")
        return self

    def term_discount(self, term_months: int) -> Decimal:
        """The discount percent of the longest configured term that ``term_months`` reaches."""
        reached = [months for months in self.term_discounts if months <= term_months]
        return self.term_discounts[max(reached)] if reached else Decimal(0)

    def fx_rate(self, currency: str) -> PositiveAmount | None:
        """Rate that converts ``currency`` into this book's currency, if known."""
        if currency == self.currency:
            return Decimal(1)
        return self.fx_rates.get(currency)
