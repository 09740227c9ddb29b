"""What proposal routes read and answer, as named schemas.

A proposal's answer is its frozen bundle (a configured bundle, cost and margin only for
roles that see cost) with the proposal's own facts around it: number, status, customer,
validity, the request it answers, the revisions and the history."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from app.kit.inputs import Code, Strict
from app.kit.schemas import Page
from app.proposals.states import Target
from app.quoting import (
    Answer,
    Bundle,
    BundleLine,
    ConfigurationRequest,
    DecimalText,
    Money,
    Need,
    Percent,
    Price,
    Totals,
)

# Text that is not blank: surrounding whitespace is dropped, and something must be left.
_NOT_BLANK = {"pattern": r"\S"}
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    Field(json_schema_extra=_NOT_BLANK),
]
Comment = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    Field(json_schema_extra=_NOT_BLANK),
]
MAX_OPTIONS = 3  # good, better, best
MAX_ADD_ONS = 10
MAX_CUSTOM_LINES = 20
OptionName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, strip_whitespace=True),
    Field(json_schema_extra=_NOT_BLANK),
]


def _iso_date(value: object) -> object:
    # Pydantic alone would read "1.5" as seconds since 1970 and "2024-05-31T00:00" as a day.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date such as 2024-05-31")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


# -- requests ----------------------------------------------------------------------------


class AddOnRequest(Strict):
    """An optional line the customer may tick: a component, how many, and (unless the
    cheapest is wanted) its service level and delivery centre."""

    component: Code
    quantity: int = Field(strict=True, ge=1, le=1_000_000)
    service_level: Code | None = Field(default=None, description="default: the cheapest")
    delivery_centre: Code | None = Field(
        default=None,
        description="default: the cheapest centre that holds the competency, within the "
        "request's residency",
    )


class CustomLineRequest(Strict):
    """A non-standard line priced by hand. It is marked non-standard everywhere and always
    needs an approver."""

    description: Line
    quantity: int = Field(strict=True, ge=1, le=1_000_000)
    unit_price: Price
    charge: Literal["monthly", "one_time"]
    estimated_unit_cost: Price | None = Field(
        default=None, description="shown only to roles that see cost"
    )


class Choices(Strict):
    """What the customer chooses from, beside the bundle the request solves to. The
    request's `alternatives` (1 to 3) sets how many bundles are offered."""

    option_names: list[OptionName] | None = Field(
        default=None,
        max_length=MAX_OPTIONS,
        description="one name per bundle, best first; default Good, Better, Best (or none "
        "for a single bundle)",
    )
    add_ons: list[AddOnRequest] | None = Field(default=None, max_length=MAX_ADD_ONS)
    custom_lines: list[CustomLineRequest] | None = Field(default=None, max_length=MAX_CUSTOM_LINES)


class Customer(Strict):
    """Who the proposal is for (answered as sent; `contact` and `reference` absent when not
    given)."""

    name: Line
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2, e.g. `DE`"
    )
    contact: Line | None = None
    reference: Line | None = None


class ProposalCreate(Choices):
    """A configuration request for a customer: one bundle, or with `alternatives` 2 or 3
    good/better/best bundles for the customer to choose from; optional add-ons and
    non-standard lines."""

    customer: Customer
    request: ConfigurationRequest
    discount_percent: Percent | None = Field(
        default=None, description="overrides the request's `discount_percent`"
    )


class ProposalRevise(Choices):
    """A new revision: a changed `request` re-solved, or (left out) the same request
    re-priced on the current catalog; `discount_percent` overrides the request's.
    `option_names`, `add_ons` and `custom_lines` left out keep the previous revision's;
    an empty list removes them."""

    request: ConfigurationRequest | None = None
    discount_percent: Percent | None = None


class ProposalTransition(Strict):
    """Where to move the proposal; approving and declining need a `comment`."""

    to: Target
    comment: Comment | None = None


# -- answers -----------------------------------------------------------------------------


class ProposalStatus(StrEnum):
    """Where a proposal is in its lifecycle (one schema for every answer that names it)."""

    draft = "draft"
    pending_approval = "pending_approval"
    approved = "approved"
    sent = "sent"
    accepted = "accepted"
    rejected = "rejected"
    expired = "expired"
    withdrawn = "withdrawn"


class RequestedConfiguration(Answer):
    """The configuration request a revision answers, as it was solved."""

    price_book: str
    term_months: int
    needs: list[Need]
    offering: str | None
    min_availability: str | None = Field(description="an exact decimal")
    residency: list[str] | None
    budget_monthly: str | None = Field(description="an exact decimal")
    include: list[str]
    exclude: list[str]
    objective: Literal["min_price", "max_margin", "min_cost"]
    discount_percent: DecimalText
    alternatives: int = Field(
        default=1, description="bundles offered to choose from (left out before they could be)"
    )


class ProposedOffering(Answer):
    code: str
    name: str


class HistoryEvent(Answer):
    """One step of the lifecycle: who moved the proposal from what to what, when, why."""

    at: datetime
    actor: str
    revision: int
    from_: ProposalStatus | None = Field(alias="from", description="null when it was created")
    to: ProposalStatus
    comment: str | None


class ProposalOption(Bundle):
    """One bundle the customer may choose: its lines, and its totals with the proposal's
    non-standard lines (add-ons are on top)."""

    number: int = Field(description="1-based, best first")
    name: str
    bundle_totals: Totals = Field(description="the bundle's own lines only")


class AddOn(Answer):
    """An optional line the customer may tick; its amounts are added to the chosen option."""

    number: int = Field(description="1-based")
    line: BundleLine


class CustomLineCost(Answer):
    monthly: Money
    one_time: Money
    contract_value: Money


class CustomLine(Answer):
    """A non-standard line, priced by hand."""

    number: int
    description: str
    quantity: int
    charge: Literal["monthly", "one_time"]
    unit_price: Money
    monthly: Money
    one_time: Money
    contract_value: Money
    non_standard: Literal[True] = True
    estimated_cost: CustomLineCost | None = Field(
        default=None, description="only for roles that see cost"
    )


class OptionDifference(Answer):
    """Something the options do not share: a component, its service level, or the
    availability, with each option's value (null: not in that option)."""

    aspect: Literal["component", "service_level", "availability"]
    subject: str
    values: list[str | None]


class Proposal(Bundle):
    """A proposal at one revision (the current one unless asked otherwise): its frozen
    bundle, priced and explained line by line, and the proposal's facts."""

    id: int
    number: str = Field(description="`P-<year>-<nnnnnn>`, without gaps")
    revision: int = Field(description="the revision shown")
    current_revision: int
    revisions: list[int]
    status: ProposalStatus = Field(description="an open proposal past `valid_until` is `expired`")
    customer: Customer
    author: str
    valid_until: date
    superseded: bool = Field(description="a later revision exists")
    created_at: datetime
    revised_at: datetime = Field(description="when the revision shown was made")
    request: RequestedConfiguration
    offering: ProposedOffering | None
    catalog_revision: int = Field(description="the catalog revision it was solved on")
    options: list[ProposalOption] = Field(
        description="every bundle offered, best first; the proposal's own lines and totals "
        "are the first's"
    )
    differences: list[OptionDifference]
    add_ons: list[AddOn]
    custom_lines: list[CustomLine]
    approval_reasons: list[str] = Field(
        description="why an approver must decide: broken guardrails, non-standard lines"
    )
    history: list[HistoryEvent]


class ProposalSummary(Answer):
    """A proposal in a list: its current revision's facts, without the bundle."""

    id: int
    number: str
    revision: int
    status: ProposalStatus
    customer: Customer
    author: str
    valid_until: date
    created_at: datetime


class ProposalPage(Page[ProposalSummary]):
    """A page of proposals, newest first."""
