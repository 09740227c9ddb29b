"""Delivery centres: centres of competence with their own skills, labour rates and capacity."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from catalog.base import (
    CurrencyCode,
    FrozenMap,
    FrozenModel,
    Identifier,
    Name,
    PositiveAmount,
    listed_once,
)
from catalog.limits import MAX_CENTRE_CODE_LENGTH, MAX_HOURS


class DeliveryCentre(FrozenModel):
    code: Annotated[Identifier, Field(max_length=MAX_CENTRE_CODE_LENGTH)]
    name: Name
    country: str = Field(pattern=r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2
    region: Identifier  # residency region: EU, UK, US, APAC...
    cost_currency: CurrencyCode
    competencies: tuple[Identifier, ...] = Field(min_length=1)
    labour_rates: FrozenMap[Identifier, PositiveAmount] = Field(min_length=1)  # per hour, by skill
    monthly_capacity_hours: int = Field(gt=0, le=MAX_HOURS)

    _competencies_unique = field_validator("competencies")(listed_once("a competency"))
