"""Shared building blocks of the catalog models: a frozen base model and annotated types.

Every catalog model is immutable once loaded: pydantic's ``frozen`` forbids re-assigning
fields, sequences are tuples and mappings are read-only proxies, so a snapshot handed to the
configurator or the pricing engine can never change under them.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    WrapSerializer,
)

from catalog.currencies import check_currency
from catalog.limits import MAX_CODE_LENGTH

K = TypeVar("K")
V = TypeVar("V")


class FrozenModel(BaseModel):
    """Base of every catalog model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


T = TypeVar("T")


def listed_once(noun: str) -> Callable[[tuple[T, ...] | None], tuple[T, ...] | None]:
    """A field validator refusing a list that names one ``noun`` twice (an optional list
    left unset, ``None``, names nothing: a model's own dump validates again)."""

    def check(items: tuple[T, ...] | None) -> tuple[T, ...] | None:
        if items is not None and len(set(items)) != len(items):
            raise ValueError(f"{noun} is listed twice")
        return items

    return check


def _freeze(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# Snapshots travel to solver worker processes: read-only mappings pickle as their items.
copyreg.pickle(MappingProxyType, lambda mapping: (_read_only, (dict(mapping),)))


def _thaw(mapping: Mapping[Any, Any], serialize: SerializerFunctionWrapHandler) -> Any:
    return serialize(dict(mapping))


# A read-only mapping: validated like a dict, stored as a MappingProxyType, dumped as a dict.
FrozenMap = Annotated[
    Mapping[K, V],
    AfterValidator(_freeze),
    WrapSerializer(_thaw, when_used="always"),
]

# Component codes: upper-case words joined by hyphens, e.g. CMP-VM-LNX.
# At most MAX_CODE_LENGTH characters, like the columns that store them.
ComponentCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=MAX_CODE_LENGTH),
]
# Other identifiers (capabilities, competencies, skills, centres, price books): lower or upper
# case words joined by dots, hyphens or underscores, e.g. compute.linux, linux-admin, CZ-BRN.
Identifier = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$", max_length=MAX_CODE_LENGTH
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1)]
CurrencyCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(check_currency)
]

# Money amounts and quantities in the catalog are exact decimals: never floats, never
# negative, never infinite or NaN, at most 15 significant digits (see catalog.yaml_io).
# Currency comes from context (the price book, or the
# `currency` field of a cost block), so the pricing engine can build Money values from them.
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=15, decimal_places=6)]
PositiveAmount = Annotated[
    Decimal, Field(gt=0, allow_inf_nan=False, max_digits=15, decimal_places=6)
]
Availability = Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False, max_digits=15)]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False, max_digits=15)]
Factor = Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False, max_digits=15)]
