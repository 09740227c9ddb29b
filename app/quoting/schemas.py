"""What quotes and configurations read and answer, as named schemas.

Requests are validated by these models (``app.kit.bodies``): unknown fields are errors,
amounts and percentages exact decimals (a JSON number or a decimal string, never read as a
float). Answers are described by the response models and sent as the services build them:
every amount an exact decimal string (``"1234.50"``), cost and margin only for roles that
may see cost (absent, never null, for the others)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from app.configurator import ConfigurationRequest as SolverRequest
from app.configurator import Need as NeedSpec
from app.kit.inputs import Code, Strict
from app.kit.inputs import Percent as ExactPercent
from app.kit.schemas import Problem
from catalog import MAX_QUANTITY, Layer
from pricing import MAX_TERM_MONTHS, LineRequest
from pricing import QuoteRequest as PricingRequest

MAX_CLICKS = 500


def _decimal_schema(
    number: dict[str, Any], pattern: str, example: str, places: int
) -> WithJsonSchema:
    """A decimal input: a JSON number or a decimal string (exact either way). The places
    are said, not given as ``multipleOf``: in floating point 7.3 is no multiple of 0.01,
    and a client's validator would refuse what the API accepts."""
    return WithJsonSchema(
        {
            "anyOf": [{"type": "number", **number}, {"type": "string", "pattern": pattern}],
            "description": f"an exact decimal with at most {places} decimal places: a number "
            f"or a string such as `{example}`",
        }
    )


def _plain(value: Decimal) -> Decimal:
    """The number as str() writes it plainly: a JSON number 1e1 reads as 1E+1 (now 10),
    "0.00000000000" as 0E-11 (now 0): a request stored with such a figure could not be
    read back as a request (a revision re-prices it)."""
    value = value + 0
    return Decimal(0) if value.is_zero() and "E" in str(value) else value


# 0 to 100 with at most two decimals.
Percent = Annotated[
    ExactPercent,
    AfterValidator(_plain),
    _decimal_schema(
        {"minimum": 0, "maximum": 100},
        r"^\s*0*(100(\.0+)?|[0-9]{1,2}(\.[0-9]{1,2}0*)?)\s*$",
        "7.5",
        2,
    ),
]
Availability = Annotated[
    Decimal,
    Field(gt=0, lt=100, max_digits=9, decimal_places=6, allow_inf_nan=False),
    AfterValidator(_plain),
    _decimal_schema(
        {"exclusiveMinimum": 0, "exclusiveMaximum": 100},
        r"^\s*0*([1-9][0-9]?(\.[0-9]{1,6}0*)?|0?\.[0-9]{0,5}[1-9]0*)\s*$",
        "99.95",
        6,
    ),
]
Budget = Annotated[
    Decimal,
    Field(gt=0, max_digits=15, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_plain),
    _decimal_schema(
        {"exclusiveMinimum": 0, "maximum": 9_999_999_999_999.99},
        r"^\s*0*([1-9][0-9]{0,12}(\.[0-9]{1,2}0*)?|0?\.(0[1-9]|[1-9][0-9]?)0*)\s*$",
        "25000.00",
        2,
    ),
]
# An amount sales set by hand (a custom line's unit price or estimated cost): 0 or more,
# at most two decimals.
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=15, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_plain),
    _decimal_schema(
        {"minimum": 0, "maximum": 9_999_999_999_999.99},
        r"^\s*0*([0-9]{1,13}(\.[0-9]{1,2}0*)?|\.[0-9]{1,2}0*)\s*$",
        "1250.00",
        2,
    ),
]


# -- requests ----------------------------------------------------------------------------


class QuoteLineRequest(Strict):
    """One line to price: a component at a service level, delivered by a centre."""

    component: Code
    quantity: int = Field(strict=True, ge=0, le=MAX_QUANTITY)
    service_level: Code
    delivery_centre: Code


class QuoteRequest(Strict):
    """Explicit lines priced in a price book over a term, with an optional sales discount."""

    price_book: Code
    term_months: int = Field(strict=True, ge=1, le=MAX_TERM_MONTHS)
    discount_percent: Percent = Decimal(0)
    lines: list[QuoteLineRequest] = Field(min_length=1)

    def as_request(self) -> PricingRequest:
        return PricingRequest(
            price_book=self.price_book,
            term_months=self.term_months,
            discount_percent=self.discount_percent,
            lines=[
                LineRequest(line.component, line.quantity, line.service_level, line.delivery_centre)
                for line in self.lines
            ],
        )


MAX_NEED_ATTRIBUTES = 10


class Need(Strict):
    """A capability and how much of it (in the capability's unit), and which variant."""

    capability: Code
    quantity: int = Field(strict=True, ge=1, le=MAX_QUANTITY)
    attributes: dict[Code, Code] = Field(
        default_factory=dict,
        max_length=MAX_NEED_ATTRIBUTES,
        description="component attribute -> value: only components with these values count "
        'toward the need (`{"sap_release": "bw4hana"}`); none given: the capability\'s '
        "general-purpose variant, or the offering's",
    )

    def as_need(self) -> NeedSpec:
        return NeedSpec(self.capability, self.quantity, tuple(self.attributes.items()))


class ConfigurationRequest(Strict):
    """Needs in business terms; the configurator assembles the bundles that meet them."""

    price_book: Code
    term_months: int = Field(strict=True, ge=1, le=MAX_TERM_MONTHS)
    needs: list[Need] = Field(default_factory=list)
    offering: Code | None = None
    min_availability: Availability | None = Field(
        default=None, description="percent the whole bundle must be available, e.g. `99.9`"
    )
    residency: list[Code] | None = Field(
        default=None, min_length=1, max_length=20, description="regions delivery may be in"
    )
    budget_monthly: Budget | None = None
    include: list[Code] = Field(default_factory=list, description="component codes to include")
    exclude: list[Code] = Field(default_factory=list, description="component codes to leave out")
    objective: Literal["min_price", "max_margin", "min_cost"] = "min_price"
    alternatives: int = Field(default=1, strict=True, ge=1, description="bundles wanted")
    discount_percent: Percent = Decimal(0)

    def as_request(self) -> SolverRequest:
        return SolverRequest(
            price_book=self.price_book,
            term_months=self.term_months,
            needs=tuple(need.as_need() for need in self.needs),
            offering=self.offering,
            min_availability=self.min_availability,
            residency=tuple(self.residency) if self.residency is not None else None,
            budget_monthly=self.budget_monthly,
            include=tuple(self.include),
            exclude=tuple(self.exclude),
            objective=self.objective,
            alternatives=self.alternatives,
            discount_percent=self.discount_percent,
        )


class OptionsRequest(ConfigurationRequest):
    """A configuration request and the clicks so far."""

    chosen: list[Code] = Field(default_factory=list, max_length=MAX_CLICKS)
    rejected: list[Code] = Field(default_factory=list, max_length=MAX_CLICKS)
    service_levels: dict[Code, Code] = Field(
        default_factory=dict,
        max_length=MAX_CLICKS,
        description="component code -> the service level chosen for it (which chooses it)",
    )


# -- answers -----------------------------------------------------------------------------

Money = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+\.[0-9]{2}$",
        description="an exact amount: a decimal string with two decimals, e.g. `1234.50`",
    ),
]
Amount = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+\.[0-9]{2,}$",
        description="an exact catalog amount: at least two decimals, more when the catalog "
        "gives them (`0.125`)",
    ),
]
DecimalText = Annotated[
    str,
    Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", description="an exact decimal, e.g. `7.5`"),
]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Amounts(Answer):
    monthly: Money
    one_time: Money
    contract_value: Money = Field(description="monthly over the term plus one-time")


class Totals(Amounts):
    currency: str


class MarginTotals(Totals):
    percent: DecimalText | None = Field(description="null: a margin over a zero value")


class LineCost(Amounts):
    unit_monthly: Money
    unit_one_time: Money
    steps: list[str] = Field(description="how the cost was derived, step by step")


class LineMargin(Amounts):
    percent: DecimalText | None


class ListBand(Answer):
    from_: int = Field(alias="from")
    to: int | None
    list_price: Amount
    unit_price: Money


class ChargedBand(Answer):
    from_: int = Field(alias="from")
    to: int | None
    quantity: int
    unit_price: Money
    amount: Money


class Derivation(Answer):
    """How a line's price was reached from the list price."""

    style: Literal["flat", "tiered", "volume"]
    list_bands: list[ListBand]
    floor_at_previous_band: bool
    list_one_time: Amount | None
    service_level_price_factor: DecimalText
    term_discount_percent: DecimalText
    sales_discount_percent: DecimalText
    bands_charged: list[ChargedBand]
    floor_applied: bool
    steps: list[str]


class QuoteLine(Answer):
    """A priced line: the exact component version, the price and its derivation."""

    component: str
    version: int
    name: str
    family: str
    layer: Layer
    unit: str
    quantity: int
    service_level: str
    delivery_centre: str
    unit_price: Money
    monthly: Money
    one_time_unit_price: Money
    one_time: Money
    contract_value: Money
    derivation: Derivation
    cost: LineCost | SkipJsonSchema[None] = Field(None, description="for roles that see cost")
    margin: LineMargin | SkipJsonSchema[None] = Field(None, description="for roles that see cost")


class Breach(Answer):
    """A guardrail the bundle breaks: its approval is needed. A margin floor's figures
    only for roles that see cost."""

    kind: Literal["margin_floor", "discount_limit"]
    scope: str = Field(description="`bundle`, `family <name>` or `role <name>`")
    limit_percent: DecimalText | SkipJsonSchema[None] = None
    actual_percent: DecimalText | None = None
    message: str


class GuardrailCheck(Answer):
    """The price book's guardrails checked for the caller's role."""

    approval_required: bool
    breaches: list[Breach]


class Quote(Answer):
    """A priced bundle: every line with its derivation, the totals, the guardrails."""

    price_book: str
    currency: str
    term_months: int
    discount_percent: DecimalText
    lines: Sequence[QuoteLine]
    totals: Totals
    cost: Totals | SkipJsonSchema[None] = Field(None, description="for roles that see cost")
    margin: MarginTotals | SkipJsonSchema[None] = Field(None, description="for roles that see cost")
    guardrails: GuardrailCheck


class BundleLine(QuoteLine):
    reasons: list[str] = Field(description="why the line is in the bundle")


class Bundle(Quote):
    """A configured bundle: a quote whose lines say why they are there."""

    lines: list[BundleLine]
    availability: float | None = Field(
        description="percent the bundle is available, rounded down to 0.001; null when no "
        "component states one"
    )


class ConfigurationResult(Answer):
    """The best bundles for the request, best first."""

    status: Literal["optimal", "feasible"]
    bundles: list[Bundle]
    note: str | SkipJsonSchema[None] = Field(
        None, description="when the solver stopped at its time limit"
    )


class ConflictItem(Answer):
    """One constraint of a conflict: its kind (need, include, exclude, residency,
    availability, budget, rule, capacity, chosen, rejected), what it refers to, and why."""

    kind: str
    ref: str
    detail: str


class Repair(Answer):
    """Constraints to relax together, and the best bundle once they are."""

    relax: list[ConflictItem]
    detail: str = Field(description='the repair in words, its changes joined by "and"')
    bundle: Bundle


class InfeasibleProblem(Problem):
    """A 422: the request cannot be configured. Type `infeasible`: no bundle meets the
    request; `conflicts` is a minimal set of constraints that cannot all hold, `repairs`
    what to relax and the bundle then. Otherwise (type `validation-error`) `errors[]`."""

    conflicts: list[ConflictItem] | SkipJsonSchema[None] = None
    repairs: list[Repair] | SkipJsonSchema[None] = None


class ComponentOption(Answer):
    code: str
    state: Literal["possible", "forced", "impossible"]
    reason: str | None = Field(description="for forced and impossible components: why")


class OptionsRepair(Answer):
    relax: list[ConflictItem]
    detail: str = Field(description='the repair in words, its changes joined by "and"')


class ConfigurationOptions(Answer):
    """Every component in scope after the clicks, or the conflict when they cannot hold."""

    valid: bool
    components: list[ComponentOption]
    conflict: list[ConflictItem]
    repairs: list[OptionsRepair]
