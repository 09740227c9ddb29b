"""What the configurator answers: priced bundles, and the solution that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pricing.quote import Quote

Status = Literal["optimal", "feasible"]


@dataclass(frozen=True, slots=True)
class Bundle:
    quote: Quote  # the lines priced by the engine, in catalog order
    reasons: tuple[tuple[str, ...], ...]  # per line, why it is there
    availability: Decimal | None  # exact product over the availability chain, percent


@dataclass(frozen=True, slots=True)
class Solution:
    status: Status
    bundles: tuple[Bundle, ...]
    timed_out: bool = False
