"""What sales ask for, in business terms, and the limits that keep a solve bounded."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Objective = Literal["min_price", "max_margin", "min_cost"]
OBJECTIVES: tuple[Objective, ...] = ("min_price", "max_margin", "min_cost")


@dataclass(frozen=True, slots=True)
class Need:
    """How much of a capability, and, through ``attributes`` (attribute, value) pairs, which
    variant: only providers with those values count toward it. A need that names none is
    given one before solving (``app.configurator.needs.resolved``)."""

    capability: str
    quantity: int
    attributes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # One order, so that equal needs are equal (and hash alike in caches).
        object.__setattr__(self, "attributes", tuple(sorted(self.attributes)))

    @property
    def ref(self) -> str:
        """The need's name in explanations: ``sap.basis with sap_release=bw4hana``."""
        if not self.attributes:
            return self.capability
        named = ", ".join(f"{name}={value}" for name, value in self.attributes)
        return f"{self.capability} with {named}"


@dataclass(frozen=True, slots=True)
class ConfigurationRequest:
    price_book: str
    term_months: int
    needs: tuple[Need, ...]
    offering: str | None = None
    min_availability: Decimal | None = None  # percent, over the availability chain
    residency: tuple[str, ...] | None = None  # allowed delivery regions; None: anywhere
    budget_monthly: Decimal | None = None  # in the price book's currency
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    objective: Objective = "min_price"
    alternatives: int = 1
    discount_percent: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds checked before any model is built."""

    max_needs: int = 200
    max_quantity: int = 1_000_000
    max_alternatives: int = 5
    max_include: int = 100
    time_limit_seconds: float = 5.0
    workers: int = 1  # one worker keeps answers deterministic
