"""The frozen proposal revision: what a revision freezes, as a model the proposals domain
owns, with a schema version. The proposal's JSON, its PDF and the work packages of an
accepted proposal are all derived from it; none of them reads the stored document by
string keys, and none of them decides what is stored.

**Version 1** is the layout every revision had before it had a model (and which revisions
written without a ``schema_version`` still have): the solved bundle priced as every role
sees it (``public``) and as roles that see cost see it (``internal``), the catalog revision
it was made on, whether a guardrail asks for approval, the offering, and per component code
the exact version sold with its service levels and its three documents. Its field names
are the ones of this model, not of the API: the API's JSON is made from the model by its
own code (``app.proposals.views``), so renaming a field of the API changes the answer, never
what is stored.

Amounts are ``Decimal`` here, parsed from the stored text once (each amount's currency is
its bundle's), and written back as the same text: ``read(document).stored()`` gives back
the stored document exactly (with ``schema_version`` added), so a revision stored before
this model existed still hashes, shows and renders as it did. A document of a later
version than this code knows is refused (``UnsupportedRevision``), never half read.

**Version 2** adds what a customer chooses from: up to two ``alternatives`` beside the
first bundle (good/better/best, each named, the first named by ``option_name``),
``add_ons`` (optional lines the customer may tick) and ``custom_lines`` (non-standard
lines sales priced by hand). Each is left out of the document when absent, so a version 2
revision without choices reads like version 1 with its version number; a version 1
document carrying any of them is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from pricing import CENT, Money, amount_text, cents_text, factor_text, to_cents

SCHEMA_VERSION = 2  # the version written; every version up to it is read


class UnsupportedRevision(Exception):
    """A stored revision this code cannot read: of a later schema version, or not a
    revision document at all."""


# -- amounts as stored: Decimal in the model, the same text in storage ---------------------


def _decimal_text(write: Callable[[Decimal], str], what: str) -> Callable[[object], Decimal]:
    """A validator that reads a decimal written by ``write`` and refuses any other
    spelling of it, so writing the value back gives the very text that was stored."""

    def read(value: object) -> Decimal:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"{what} must be finite")
            return value
        if not isinstance(value, str):
            raise ValueError(f"{what} must be a decimal number as text, not {value!r}")
        try:
            parsed = Decimal(value)
        except InvalidOperation as error:
            raise ValueError(f"{what} must be a decimal number, not {value!r}") from error
        if not parsed.is_finite():
            raise ValueError(f"{what} must be finite, not {value!r}")
        if write(parsed) != value:
            raise ValueError(f"{value!r} is not how {what} is written ({write(parsed)!r})")
        return parsed

    return read


def _cents(value: Decimal) -> str:
    if value != value.quantize(CENT):
        raise ValueError(f"{value} is not a whole number of cents")
    return cents_text(to_cents(value))


_read_cents = _decimal_text(_cents, "an amount")


def _whole_cents(value: object) -> Decimal:
    amount = _read_cents(value)
    _cents(amount)  # refuses fractions of a cent in a Decimal given directly
    return amount.quantize(CENT)


# A priced amount: exactly two decimals ("1234.50").
Cents = Annotated[Decimal, BeforeValidator(_whole_cents), PlainSerializer(_cents, return_type=str)]
# A catalog amount (list price): two decimals or more when the catalog gives them.
ListAmount = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(amount_text, "a list price")),
    PlainSerializer(amount_text, return_type=str),
]
# A factor or a percentage, without trailing zeros ("1.5", "10", "0").
Factor = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(factor_text, "a factor")),
    PlainSerializer(factor_text, return_type=str),
]
# A service level's availability as the catalog gives it ("99.95").
LevelAvailability = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(str, "an availability")),
    PlainSerializer(str, return_type=str),
]


def _composite(value: object) -> Decimal:
    """The composite availability, stored as a JSON number (rounded down to 0.001 %)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the availability must be a number, not {value!r}")
    return Decimal(repr(value))  # the shortest text that reads back as the same float


def _composite_number(value: Decimal) -> float:
    return float(value)


CompositeAvailability = Annotated[
    Decimal, BeforeValidator(_composite), PlainSerializer(_composite_number, return_type=float)
]


class Frozen(BaseModel):
    """Read-only and exact: an unknown field is an error, never dropped."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True
    )

    def stored(self) -> dict[str, Any]:
        """The JSON document this is stored as."""
        document: dict[str, Any] = self.model_dump(mode="json")
        return document


class _Omitting(Frozen):
    """A model whose optional parts are left out of its document when absent (cost and
    margin for roles that do not see cost), not written as null."""

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        document: dict[str, Any] = handler(self)
        for name in ("cost", "margin"):
            if name in document and document[name] is None:
                del document[name]
        return document


# -- a priced bundle ----------------------------------------------------------------------


class ListBand(Frozen):
    lower: int = Field(alias="from")
    upper: int | None = Field(alias="to")
    list_price: ListAmount
    unit_price: Cents


class ChargedBand(Frozen):
    lower: int = Field(alias="from")
    upper: int | None = Field(alias="to")
    quantity: int
    unit_price: Cents
    amount: Cents


class Derivation(Frozen):
    """How a line's price follows from the list price, in figures and in words."""

    style: str
    list_bands: tuple[ListBand, ...]
    floor_at_previous_band: bool
    list_one_time: ListAmount | None
    service_level_price_factor: Factor
    term_discount_percent: Factor
    sales_discount_percent: Factor
    bands_charged: tuple[ChargedBand, ...]
    floor_applied: bool
    steps: tuple[str, ...]


class Amounts(Frozen):
    monthly: Cents
    one_time: Cents
    contract_value: Cents


class LineCost(Amounts):
    unit_monthly: Cents
    unit_one_time: Cents
    steps: tuple[str, ...]


class Margin(Amounts):
    percent: Factor | None  # of the contract value; none when that is zero


class Line(_Omitting):
    """One priced line: the exact component version, how much, at which level, from where."""

    component: str
    version: int
    name: str
    family: str
    layer: str
    unit: str
    quantity: int
    service_level: str
    delivery_centre: str
    unit_price: Cents
    monthly: Cents
    one_time_unit_price: Cents
    one_time: Cents
    contract_value: Cents
    derivation: Derivation
    cost: LineCost | None = None  # only in the bundle for roles that see cost
    margin: Margin | None = None
    reasons: tuple[str, ...]


class Totals(Frozen):
    currency: str
    monthly: Cents
    one_time: Cents
    contract_value: Cents


class BundleMargin(Totals):
    percent: Factor | None


class Breach(Frozen):
    """A guardrail broken, with its figures."""

    kind: str
    scope: str
    limit_percent: Factor
    actual_percent: Factor | None
    message: str


class HiddenBreach(Frozen):
    """A margin floor broken, as roles that do not see cost are told of it: no figures."""

    kind: Literal["margin_floor"]
    scope: str
    message: str


class Guardrails(Frozen):
    approval_required: bool
    breaches: tuple[Breach | HiddenBreach, ...]


class PricedBundle(_Omitting):
    """The solved bundle priced in one currency over a term."""

    price_book: str
    currency: str
    term_months: int
    discount_percent: Factor
    lines: tuple[Line, ...]
    totals: Totals
    cost: Totals | None = None  # only for roles that see cost
    margin: BundleMargin | None = None
    guardrails: Guardrails
    availability: CompositeAvailability | None

    def money(self, amount: Decimal) -> Money:
        """``amount`` of this bundle with its currency."""
        return Money(amount, self.currency)


# -- the component versions sold, with their documents ---------------------------------------


class LevelTerms(Frozen):
    """A service level of the version sold: what it promises."""

    availability: LevelAvailability | None
    response_minutes: int
    restore_hours: int


class StatementOfWork(Frozen):
    provider_responsibilities: tuple[str, ...]
    client_responsibilities: tuple[str, ...]
    deliverables: tuple[str, ...]
    assumptions: tuple[str, ...]
    exclusions: tuple[str, ...]


class Kpi(Frozen):
    name: str
    target: str
    measurement: str


class DeliveryDescription(Frozen):
    provisioning_steps: tuple[str, ...]
    operating_procedures: tuple[str, ...]
    tooling: tuple[str, ...]
    skills: tuple[str, ...]
    handover: str
    kpis: tuple[Kpi, ...]


class ComponentVersion(Frozen):
    """The exact version of a component sold, with its three documents."""

    version: int
    name: str
    summary: str
    family: str
    layer: str
    unit: str
    availability_chain: bool
    service_levels: dict[str, LevelTerms]
    specification: str  # Markdown, customer-facing
    statement_of_work: StatementOfWork
    delivery_description: DeliveryDescription


class Offering(Frozen):
    code: str
    name: str


class Centre(Frozen):
    """A delivery centre as the customer's documents name it."""

    name: str
    country: str  # ISO 3166-1 alpha-2


class Capability(Frozen):
    """What a need or a component's requirement is counted in, and what it is called."""

    name: str
    unit: str


class Customer(Frozen):
    """The customer as the proposal stores it (absent details are left out)."""

    name: str
    country: str
    contact: str | None = None
    reference: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        document: dict[str, Any] = handler(self)
        return {key: value for key, value in document.items() if value is not None}


# -- what the customer chooses from (version 2) ----------------------------------------------


class Alternative(Frozen):
    """A bundle offered beside the first one, named ("Better", "Best")."""

    name: str
    public: PricedBundle
    internal: PricedBundle


class AddOn(Frozen):
    """An optional line the customer may tick, priced as the bundle's lines are."""

    public: Line
    internal: Line


Charge = Literal["monthly", "one_time"]


class CustomLine(_Omitting):
    """A non-standard line sales priced by hand: not from the catalog, never assured, so
    a proposal holding one always needs an approver."""

    description: str
    quantity: int
    charge: Charge
    unit_price: Cents
    monthly: Cents
    one_time: Cents
    contract_value: Cents
    cost: Amounts | None = None  # the estimate, only in the revision's internal copy


class CustomLines(Frozen):
    public: tuple[CustomLine, ...]
    internal: tuple[CustomLine, ...]


# -- the revision -------------------------------------------------------------------------

# The fields a document leaves out when they hold these (absent) values.
_ABSENT: tuple[tuple[str, object], ...] = (
    ("centres", None), ("capabilities", None), ("option_name", None), ("alternatives", []),
    ("add_ons", []), ("custom_lines", None),
)  # fmt: skip


class FrozenRevision(Frozen):
    """Everything a proposal revision freezes."""

    schema_version: int = Field(default=1, ge=1, le=SCHEMA_VERSION)
    catalog_revision: int
    public: PricedBundle  # as every role may see it
    internal: PricedBundle  # with cost and margin, for roles that see cost
    approval_required: bool
    offering: Offering | None
    components: dict[str, ComponentVersion]  # per component code: the version sold
    status: str  # the solver's: "optimal", or "feasible" when stopped at its time limit
    # Names for the customer's documents, frozen with the rest since they were added; left
    # out of the stored document when absent, so older revisions read and hash as before.
    centres: dict[str, Centre] | None = None  # per delivery centre code of the lines
    capabilities: dict[str, Capability] | None = None  # per capability the lines concern
    # Version 2, each left out when absent:
    option_name: str | None = None  # the first bundle's name when there are alternatives
    alternatives: tuple[Alternative, ...] = ()
    add_ons: tuple[AddOn, ...] = ()
    custom_lines: CustomLines | None = None

    @model_validator(mode="after")
    def _choices_need_version_2(self) -> FrozenRevision:
        if self.schema_version < 2 and self._choices_given():
            raise ValueError("alternatives, add-ons and custom lines need schema version 2")
        return self

    def _choices_given(self) -> bool:
        return bool(
            self.option_name is not None
            or self.alternatives
            or self.add_ons
            or self.custom_lines is not None
        )

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        document: dict[str, Any] = handler(self)
        for name, empty in _ABSENT:
            if name in document and document[name] == empty:
                del document[name]
        return document

    def bundle(self, *, show_cost: bool) -> PricedBundle:
        return self.internal if show_cost else self.public

    def options(self, *, show_cost: bool) -> tuple[tuple[str, PricedBundle], ...]:
        """Every bundle offered, the first one first, with its name."""
        first = (self.option_name or "Proposal", self.bundle(show_cost=show_cost))
        others = tuple(
            (alternative.name, alternative.internal if show_cost else alternative.public)
            for alternative in self.alternatives
        )
        return (first, *others)

    def optional_lines(self, *, show_cost: bool) -> tuple[Line, ...]:
        return tuple(add_on.internal if show_cost else add_on.public for add_on in self.add_ons)

    def non_standard(self, *, show_cost: bool) -> tuple[CustomLine, ...]:
        if self.custom_lines is None:
            return ()
        return self.custom_lines.internal if show_cost else self.custom_lines.public

    def component(self, line: Line) -> ComponentVersion:
        return self.components[line.component]

    def level(self, line: Line) -> LevelTerms:
        """What the line's service level promises, in the version sold."""
        return self.component(line).service_levels[line.service_level]

    def content_hash(self) -> str:
        return content_hash(self.stored())


def content_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a stored revision document. Version 1 is hashed as
    it was before its version was written down (without ``schema_version``), so a revision
    hashes the same whether it was stored with the field or without it."""
    if document.get("schema_version", 1) == 1:
        document = {key: value for key, value in document.items() if key != "schema_version"}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_revision(document: Mapping[str, Any]) -> FrozenRevision:
    """A stored revision document as the model: a document without ``schema_version`` is
    version 1; one of a later version than this code writes is refused."""
    if not isinstance(document, Mapping):
        raise UnsupportedRevision(f"a revision is a JSON object, not {type(document).__name__}")
    version = document.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UnsupportedRevision(
            f"a revision's schema_version is a whole number from 1, not {version!r}"
        )
    if version > SCHEMA_VERSION:
        raise UnsupportedRevision(
            f"the revision is of schema version {version}, and this Offerwright reads "
            f"versions 1 to {SCHEMA_VERSION}: upgrade it to read this proposal"
        )
    return FrozenRevision.model_validate(document)
