"""What the insights answer, as named schemas: the contract BI tools read. Money is an exact
decimal string with its currency (figures in different currencies are never added up: a
money figure is a list with one entry per currency); percentages are exact decimals (two
places, half-up), null where the whole they are a share of is zero."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliedFilters(Answer):
    """The filters the figures were computed with (defaults filled in)."""

    since: date = Field(description="first day of the period, included")
    until: date = Field(description="last day of the period, included")
    price_book: str | None
    offering: str | None
    family: str | None
    centre: str | None


class Amount(Answer):
    """An amount of money in one currency."""

    currency: str = Field(description="ISO 4217")
    amount: Decimal = Field(description="exact, two decimals")


class StatusCount(Answer):
    month: date = Field(description="first day of the month the proposals were created in")
    status: str = Field(description="the proposal's status now (open ones past validity: expired)")
    proposals: int


class WinRate(Answer):
    accepted: int
    decided: int = Field(description="accepted + rejected")
    percent: Decimal | None = Field(description="accepted / decided; null when none decided")


class Won(Answer):
    """Accepted proposals (their current revision's first option) in one currency."""

    currency: str
    proposals: int
    contract_value: Decimal
    margin: Decimal
    margin_percent: Decimal | None


class Duration(Answer):
    """Days between two moments of the proposals that reached both."""

    proposals: int = Field(description="how many proposals the figures are of")
    average_days: Decimal | None = Field(description="two decimals; null when none")
    p90_days: Decimal | None = Field(
        description="90th percentile, nearest rank: the smallest duration at least 90 % of "
        "the proposals took no longer than; null when none"
    )


class DiscountGuardrail(Answer):
    """Discounts given against the discount limit of the author's role in one price book."""

    price_book: str
    role: str = Field(description="the author's role, whose limit applies")
    proposals: int
    average_discount_percent: Decimal
    max_discount_percent: Decimal
    limit_percent: Decimal = Field(description="the role's limit in the book when priced")
    over_limit: int = Field(description="proposals whose discount is over the limit")


class GoToMarket(Answer):
    """Go to market: how proposals fare, in the period (by creation date)."""

    filters: AppliedFilters
    status_by_month: list[StatusCount]
    win_rate: WinRate
    won: list[Won]
    creation_to_issue: Duration = Field(
        description="created -> first approved (issued: its PDF is made then)"
    )
    issue_to_acceptance: Duration = Field(description="first approved -> accepted")
    discounts: list[DiscountGuardrail]


class StandardShare(Answer):
    """Contract value sold (accepted proposals) from standard catalog lines vs custom lines."""

    currency: str
    standard: Decimal
    custom: Decimal
    standard_percent: Decimal | None


class MarginGroup(Answer):
    """Gross margin of what was sold (accepted), for one family or offering and currency."""

    key: str | None = Field(description="the family or offering code; null: no offering")
    currency: str
    contract_value: Decimal
    margin: Decimal
    margin_percent: Decimal | None


class ComponentRef(Answer):
    code: str
    name: str
    family: str


class ComponentCount(Answer):
    code: str
    name: str
    proposals: int = Field(description="proposals whose current revision needed approval")


class ConflictCount(Answer):
    kind: str = Field(description="need, include, exclude, residency, availability, budget...")
    subject: str = Field(description="what it refers to (a capability, a component...)")
    misses: int = Field(description="configurations that ended in a conflict with it")


class RepairCount(Answer):
    repair: str = Field(description="the repair in words, as offered")
    misses: int


class Portfolio(Answer):
    """Portfolio: what sells, at what margin, what never sells, what needs approval, what
    customers ask for that cannot be configured."""

    filters: AppliedFilters
    standard_share: list[StandardShare]
    margin_by_family: list[MarginGroup]
    margin_by_offering: list[MarginGroup]
    never_sold: list[ComponentRef] = Field(
        description="active components in no accepted proposal created in the period"
    )
    approval_components: list[ComponentCount] = Field(description="the ten most frequent")
    conflicts: list[ConflictCount] = Field(description="the ten most frequent")
    repairs: list[RepairCount] = Field(description="the ten most frequent")


class Utilisation(Answer):
    """Effort hours of accepted work in one month, at one centre, for one competency."""

    month: date
    centre: str
    competency: str
    effort_hours: Decimal
    capacity_hours: Decimal = Field(description="the centre's monthly capacity (all competencies)")
    percent: Decimal | None = Field(description="effort hours / capacity")


class LevelMix(Answer):
    """Standard lines sold (accepted) at one service level, in one currency."""

    service_level: str
    currency: str
    lines: int
    contract_value: Decimal
    percent: Decimal | None = Field(description="of the contract value sold in that currency")


class AvailabilityTarget(Answer):
    """Accepted proposals by the availability target asked (null: none asked)."""

    target: Decimal | None
    proposals: int
    reached_min: Decimal | None = Field(description="lowest composite availability reached")
    reached_average: Decimal | None = Field(description="three decimals")
    met: int = Field(description="proposals whose bundle reached the target")


class Delivery(Answer):
    """Delivery: the load sold onto the centres, the service levels and availability sold."""

    filters: AppliedFilters
    utilisation: list[Utilisation]
    service_levels: list[LevelMix]
    availability: list[AvailabilityTarget]
