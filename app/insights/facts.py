"""What the insights' read model records of a proposal revision and of a configuration
miss, as plain values: the proposals and quoting domains hand these over (they know their
own models; this domain knows none of them), the repository writes them as rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One priced line of a revision's first option: a standard catalog line (component,
    version, centre, service level) or a custom line priced by hand (none of those)."""

    line: int  # 1-based: the standard lines in order, then the custom lines
    standard: bool
    quantity: int
    monthly: Decimal
    one_time: Decimal
    contract_value: Decimal
    cost: Decimal  # over the contract; a custom line without an estimate: 0
    component: str | None = None
    version: int | None = None
    family: str | None = None
    centre: str | None = None
    service_level: str | None = None
    availability: Decimal | None = None  # the service level's, percent


@dataclass(frozen=True, slots=True)
class RevisionFacts:
    """A stored proposal revision, priced as the customer pays its first option (its
    bundle and its custom lines; add-ons and alternatives are not counted)."""

    proposal_id: int
    revision: int
    created_at: datetime
    author_role: str
    price_book: str
    offering: str | None
    currency: str
    term_months: int
    discount_percent: Decimal
    approval_required: bool
    availability_target: Decimal | None  # as asked (the request's min_availability)
    availability_reached: Decimal | None  # the bundle's composite availability
    monthly: Decimal
    one_time: Decimal
    contract_value: Decimal
    cost: Decimal
    lines: tuple[LineFacts, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str
    subject: str


@dataclass(frozen=True, slots=True)
class MissFacts:
    """A configuration that ended in a conflict: what was asked of which book and offering,
    the conflicting constraints and the repairs offered (in words)."""

    at: datetime
    actor: str
    price_book: str
    offering: str | None
    conflicts: tuple[Conflict, ...]
    repairs: tuple[str, ...]
