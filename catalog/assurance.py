"""Assured combinations: the bundles the business relies on, written down with what must hold
of them, so every catalog change can be tested against them like code (``assurance/`` in a
catalog directory, one combination per file or a list).

A combination is a configuration request in business terms and its expectation: a valid
bundle (with components that must or must not appear, service levels, a monthly price band,
a minimum availability, the centres allowed) or no bundle at all (and which kinds of
conflict say why). Pure: the configurator runs them (``app.assurance``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal, Self, TypeVar

from pydantic import Field, field_validator, model_validator

from catalog.base import (
    Amount,
    ComponentCode,
    FrozenMap,
    FrozenModel,
    Identifier,
    Name,
    Percent,
    listed_once,
)
from catalog.components import AttributeValue
from catalog.limits import MAX_QUANTITY

# The kinds of request constraint a minimal conflict is made of (the configurator's
# ``ConflictItem.kind``).
ConflictKind = Literal[
    "need", "include", "exclude", "residency", "availability", "budget", "rule", "capacity"
]
Objective = Literal["min_price", "max_margin", "min_cost"]
# A contract term sales may ask for (the API's bound).
MAX_REQUEST_TERM_MONTHS = 120
# The configurator's bounds on what one request may list (its ``Limits``, the API's schema).
MAX_NEEDS = 200
MAX_NEED_ATTRIBUTES = 10
MAX_LISTED_COMPONENTS = 100
T = TypeVar("T")


def _listed_once_if_given(noun: str) -> Callable[[tuple[T, ...] | None], tuple[T, ...] | None]:
    """``listed_once`` of a list that may be null (written out, or stored as JSON)."""
    check = listed_once(noun)

    def maybe(items: tuple[T, ...] | None) -> tuple[T, ...] | None:
        return None if items is None else check(items)

    return maybe


class CombinationNeed(FrozenModel):
    capability: Identifier
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    # Values as components write them (``memory: 1536gb``, ``hana_certified: true``).
    attributes: FrozenMap[Identifier, AttributeValue] = Field(
        default_factory=dict, max_length=MAX_NEED_ATTRIBUTES
    )


class CombinationRequest(FrozenModel):
    """What sales would ask: the fields of the API's configuration request."""

    price_book: Identifier
    term_months: int = Field(ge=1, le=MAX_REQUEST_TERM_MONTHS)
    needs: tuple[CombinationNeed, ...] = Field(default=(), max_length=MAX_NEEDS)
    offering: ComponentCode | None = None
    min_availability: Decimal | None = Field(
        default=None, gt=0, lt=100, allow_inf_nan=False, max_digits=9, decimal_places=6
    )
    residency: tuple[Identifier, ...] | None = Field(default=None, min_length=1)
    budget_monthly: Decimal | None = Field(
        default=None, gt=0, allow_inf_nan=False, max_digits=15, decimal_places=2
    )
    include: tuple[ComponentCode, ...] = Field(default=(), max_length=MAX_LISTED_COMPONENTS)
    exclude: tuple[ComponentCode, ...] = Field(default=(), max_length=MAX_LISTED_COMPONENTS)
    objective: Objective = "min_price"
    discount_percent: Percent = Decimal(0)

    _residency_once = field_validator("residency")(_listed_once_if_given("a region"))
    _include_once = field_validator("include")(listed_once("a component"))
    _exclude_once = field_validator("exclude")(listed_once("a component"))

    @field_validator("needs")
    @classmethod
    def _each_capability_once(
        cls, needs: tuple[CombinationNeed, ...]
    ) -> tuple[CombinationNeed, ...]:
        seen: set[str] = set()
        for need in needs:
            if need.capability in seen:  # the configurator's words
                raise ValueError(f"{need.capability!r} is needed twice: add them up")
            seen.add(need.capability)
        return needs

    @model_validator(mode="after")
    def _asks_something(self) -> Self:
        if not self.needs and self.offering is None and not self.include:
            raise ValueError("a request needs at least one need, an offering or an include")
        return self


class PriceBand(FrozenModel):
    """The monthly price a valid bundle must stay within, in the price book's currency."""

    min: Amount | None = None
    max: Amount | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


Outcome = Literal["valid", "invalid"]
# What only a bundle can show: said of an "invalid" expectation, it could never be checked.
_OF_A_BUNDLE = ("includes", "excludes", "service_levels", "monthly", "min_availability", "centres")


class Expectation(FrozenModel):
    """What must hold of the answer."""

    outcome: Outcome = "valid"
    conflict: tuple[ConflictKind, ...] = ()  # invalid: kinds the conflict must include
    includes: tuple[ComponentCode, ...] = ()
    excludes: tuple[ComponentCode, ...] = ()
    service_levels: FrozenMap[ComponentCode, Identifier] = Field(default_factory=dict)
    monthly: PriceBand | None = None
    min_availability: Decimal | None = Field(
        default=None, gt=0, le=100, allow_inf_nan=False, max_digits=9, decimal_places=6
    )
    centres: tuple[Identifier, ...] | None = Field(default=None, min_length=1)

    _conflict_once = field_validator("conflict")(listed_once("a conflict kind"))
    _includes_once = field_validator("includes")(listed_once("a component"))
    _excludes_once = field_validator("excludes")(listed_once("a component"))
    _centres_once = field_validator("centres")(_listed_once_if_given("a centre"))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.outcome == "valid" and self.conflict:
            raise ValueError("conflict is what an invalid request shows: expect outcome invalid")
        if self.outcome == "invalid":
            said = [name for name in _OF_A_BUNDLE if getattr(self, name) not in (None, (), {})]
            if said:
                raise ValueError(
                    "an invalid request has no bundle to check "
                    + ", ".join(said)
                    + " against: expect outcome valid, or leave them out"
                )
        both = sorted(set(self.includes) & set(self.excludes))
        if both:
            raise ValueError(f"both includes and excludes list {', '.join(both)}")
        return self


class AssuredCombination(FrozenModel):
    id: Identifier
    name: Name
    owner: Name  # who answers for it: a person or a team
    description: str = ""
    request: CombinationRequest
    expect: Expectation = Expectation()

    def components(self) -> tuple[str, ...]:
        """Every component code the combination names, without repeats, in order."""
        expect = self.expect
        return tuple(
            dict.fromkeys(
                (
                    *self.request.include,
                    *self.request.exclude,
                    *expect.includes,
                    *expect.excludes,
                    *expect.service_levels,
                )
            )
        )
