"""Components: the granular, pre-costed, market-priced, pre-assured building blocks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from catalog.base import (
    Amount,
    Availability,
    ComponentCode,
    CurrencyCode,
    Factor,
    FrozenMap,
    FrozenModel,
    Identifier,
    Name,
    PositiveAmount,
    Text,
    listed_once,
)
from catalog.capabilities import Unit
from catalog.documents import Documents
from catalog.limits import MAX_DURATION, MAX_QUANTITY, MAX_VERSION

Layer = Literal["infrastructure", "platform", "application", "service-management", "transition"]
Status = Literal["draft", "in_review", "assured", "active", "retired"]
Charge = Literal["monthly", "one_time"]
TierStyle = Literal["tiered", "volume"]
PartnerStatus = Literal["go", "no-go"]

STATUSES: tuple[Status, ...] = ("draft", "in_review", "assured", "active", "retired")
LAYERS: tuple[Layer, ...] = (
    "infrastructure",
    "platform",
    "application",
    "service-management",
    "transition",
)


def _scalar_to_str(value: object) -> object:
    # YAML reads `ha: true` or `tier: 3` as bool/int; attribute values are compared as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    return value


AttributeValue = Annotated[str, BeforeValidator(_scalar_to_str), Field(min_length=1)]


class QuantityBounds(FrozenModel):
    min: int = Field(default=1, ge=0, le=MAX_QUANTITY)
    max: int = Field(default=1_000_000, ge=1, le=MAX_QUANTITY)
    step: int = Field(default=1, ge=1, le=MAX_QUANTITY)

    @model_validator(mode="after")
    def _min_below_max(self) -> QuantityBounds:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def problem(self, quantity: int) -> str | None:
        """Why ``quantity`` cannot be ordered, or None. Orderable quantities run from ``min``
        to ``max`` in steps of ``step`` counted from ``min``."""
        if quantity < self.min or quantity > self.max:
            return f"must be between {self.min} and {self.max}, not {quantity}"
        if (quantity - self.min) % self.step:
            return f"must be {self.min} plus a multiple of {self.step}, not {quantity}"
        return None


class Effort(FrozenModel):
    """Delivery effort in hours per unit, by skill: every month, and once at set-up."""

    monthly: FrozenMap[Identifier, Amount] = Field(default_factory=dict)
    one_time: FrozenMap[Identifier, Amount] = Field(default_factory=dict)


class CostBlock(FrozenModel):
    """A cost per unit in a given currency, monthly and one-time."""

    currency: CurrencyCode
    monthly: Amount = Decimal(0)
    one_time: Amount = Decimal(0)


class TierBand(FrozenModel):
    """A volume band: quantities up to and including ``up_to`` (open-ended when absent)."""

    up_to: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    monthly: Amount


class Tiers(FrozenModel):
    """Volume tiers of the monthly list price.

    ``tiered``: each band's quantity is priced at that band's rate (like tax brackets).
    ``volume``: the whole quantity takes the rate of the band it falls in.
    """

    style: TierStyle
    bands: tuple[TierBand, ...] = Field(min_length=1)
    # Volume style only: a quantity that crosses into a cheaper band never costs less in
    # total than the top of an earlier band (buying more never lowers the bill).
    floor_at_previous_band: bool = False

    @model_validator(mode="after")
    def _floor_needs_volume(self) -> Tiers:
        if self.floor_at_previous_band and self.style != "volume":
            raise ValueError("floor_at_previous_band applies to style 'volume' only")
        return self

    @field_validator("bands")
    @classmethod
    def _bands_increase(cls, bands: tuple[TierBand, ...]) -> tuple[TierBand, ...]:
        problem = band_order_problem([band.up_to for band in bands])
        if problem is not None:
            raise ValueError(problem[1])
        return bands


def band_order_problem(up_tos: Sequence[int | None]) -> tuple[int, str] | None:
    """The first band (index, message) that breaks a tier table's order, if any: bands must
    strictly increase and only the last is open-ended. The catalog and the pricing engine
    both check tier tables with this."""
    if not up_tos:
        return 0, "a tier table needs at least one band"
    previous = 0
    for index, up_to in enumerate(up_tos):
        if up_to is None:
            if index != len(up_tos) - 1:
                return index, f"band {index} is open-ended but is not the last band"
            continue
        if up_to <= previous:
            return index, (
                f"tiers must increase: band {index} ends at {up_to}, "
                f"not above the previous band's {previous}"
            )
        previous = up_to
    if up_tos[-1] is not None:
        return len(up_tos) - 1, "the last band must be open-ended (no up_to)"
    return None


class Price(FrozenModel):
    """List price per unit in one price book (whose currency applies)."""

    monthly: Amount | None = None
    one_time: Amount | None = None
    tiers: Tiers | None = None

    @model_validator(mode="after")
    def _has_an_amount(self) -> Price:
        if self.monthly is None and self.one_time is None and self.tiers is None:
            raise ValueError("a price needs a monthly amount, a one_time amount or tiers")
        if self.monthly is not None and self.tiers is not None:
            raise ValueError("give either a flat monthly amount or tiers, not both")
        return self

    @property
    def has_monthly(self) -> bool:
        return self.monthly is not None or self.tiers is not None


class ServiceLevel(FrozenModel):
    name: Identifier
    availability: Availability | None = None  # percent; required in the availability chain
    response_minutes: int = Field(ge=1, le=MAX_DURATION)
    restore_hours: int = Field(ge=1, le=MAX_DURATION)
    price_factor: Factor
    cost_factor: Factor


class Partner(FrozenModel):
    """A subcontractor that delivers (part of) the component."""

    name: Name
    cost: CostBlock
    status: PartnerStatus


class Component(FrozenModel):
    code: ComponentCode
    version: int = Field(ge=1, le=MAX_VERSION)
    name: Name
    summary: Text
    family: Identifier
    layer: Layer
    charges: tuple[Charge, ...] = Field(min_length=1)
    unit: Unit
    quantity: QuantityBounds = Field(default_factory=QuantityBounds)
    provides: FrozenMap[Identifier, PositiveAmount] = Field(default_factory=dict)
    requires: FrozenMap[Identifier, PositiveAmount] = Field(default_factory=dict)
    attributes: FrozenMap[Identifier, AttributeValue] = Field(default_factory=dict)
    competency: Identifier
    effort: Effort = Field(default_factory=Effort)
    non_labour_cost: CostBlock | None = None
    prices: FrozenMap[Identifier, Price] = Field(min_length=1)
    service_levels: tuple[ServiceLevel, ...] = Field(min_length=1)
    availability_chain: bool = False
    partner: Partner | None = None
    status: Status
    author: Name
    documents: Documents

    _charges_unique = field_validator("charges")(listed_once("a charge"))

    @field_validator("service_levels")
    @classmethod
    def _levels_unique(cls, levels: tuple[ServiceLevel, ...]) -> tuple[ServiceLevel, ...]:
        seen: set[str] = set()
        for level in levels:
            if level.name in seen:
                raise ValueError(f"service level {level.name!r} is defined twice")
            seen.add(level.name)
        return levels

    def service_level(self, name: str) -> ServiceLevel:
        for level in self.service_levels:
            if level.name == name:
                return level
        raise KeyError(f"{self.code} has no service level {name!r}")
