"""What a proposal revision freezes, made from the solver's bundle: the bundle priced with
its derivation (as every role may see it, and with cost for those who may see cost), the
exact component versions with their three documents, and the solve it came from. Later
catalog edits never reach it: views, PDFs and work packages read only the frozen revision
(``app.proposals.revision``), which is made here straight from the priced bundle, never
from the API's JSON of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from app.configurator import Bundle
from app.proposals.revision import (
    SCHEMA_VERSION,
    AddOn,
    Alternative,
    Amounts,
    Breach,
    BundleMargin,
    Capability,
    Centre,
    ChargedBand,
    ComponentVersion,
    CustomLine,
    CustomLines,
    DeliveryDescription,
    Derivation,
    FrozenRevision,
    Guardrails,
    HiddenBreach,
    LevelTerms,
    Line,
    LineCost,
    ListBand,
    Margin,
    Offering,
    PricedBundle,
    StatementOfWork,
    Totals,
)
from catalog import CatalogSnapshot, Component
from pricing import Amounts as QuotedAmounts
from pricing import Breach as BrokenGuardrail
from pricing import Margin as QuotedMargin
from pricing import PricedLine, cost_steps, from_cents, price_steps, to_cents


@dataclass(frozen=True, slots=True)
class Offered:
    """A bundle offered beside the first one: its name and the guardrails it breaks."""

    name: str
    bundle: Bundle
    breaches: tuple[BrokenGuardrail, ...]


@dataclass(frozen=True, slots=True)
class HandPriced:
    """A non-standard line as sales priced it."""

    description: str
    quantity: int
    unit_price: Decimal
    charge: Literal["monthly", "one_time"]
    estimated_unit_cost: Decimal | None = None


ADD_ON_REASON = "optional: included only if you choose it"


def freeze(
    snapshot: CatalogSnapshot,
    catalog_revision: int,
    bundle: Bundle,
    breaches: tuple[BrokenGuardrail, ...],
    offering: str | None,
    status: str,
    *,
    option_name: str | None = None,
    alternatives: Sequence[Offered] = (),
    add_ons: Sequence[PricedLine] = (),
    custom_lines: Sequence[HandPriced] = (),
) -> FrozenRevision:
    term = bundle.quote.term_months
    priced_lines = [line for offered in (bundle, *(a.bundle for a in alternatives))
                    for line in offered.quote.lines] + list(add_ons)  # fmt: skip
    return FrozenRevision(
        schema_version=SCHEMA_VERSION,
        catalog_revision=catalog_revision,
        public=_bundle(bundle, breaches, show_cost=False),
        internal=_bundle(bundle, breaches, show_cost=True),
        # A non-standard line was never assured: an approver always looks at it.
        approval_required=bool(breaches)
        or any(offered.breaches for offered in alternatives)
        or bool(custom_lines),
        offering=None
        if offering is None
        else Offering(code=offering, name=snapshot.offering(offering).name),
        components={line.component.code: _component(line.component) for line in priced_lines},
        status=status,
        option_name=option_name,
        alternatives=tuple(
            Alternative(
                name=offered.name,
                public=_bundle(offered.bundle, offered.breaches, show_cost=False),
                internal=_bundle(offered.bundle, offered.breaches, show_cost=True),
            )
            for offered in alternatives
        ),
        add_ons=tuple(
            AddOn(
                public=_line(line, term, (ADD_ON_REASON,), show_cost=False),
                internal=_line(line, term, (ADD_ON_REASON,), show_cost=True),
            )
            for line in add_ons
        ),
        custom_lines=_custom_lines(custom_lines, bundle.quote.currency, term),
        centres={
            code: Centre(name=centre.name, country=centre.country)
            for code in sorted({line.delivery_centre for line in priced_lines})
            for centre in [snapshot.delivery_centre(code)]
        },
        capabilities={
            code: Capability(name=capability.name, unit=capability.unit)
            for code in sorted(
                {
                    code
                    for line in priced_lines
                    for code in (*line.component.provides, *line.component.requires)
                }
            )
            for capability in [snapshot.capability(code)]
        },
    )


def _custom_lines(lines: Sequence[HandPriced], currency: str, term: int) -> CustomLines | None:
    if not lines:
        return None
    return CustomLines(
        public=tuple(_custom(line, currency, term, show_cost=False) for line in lines),
        internal=tuple(_custom(line, currency, term, show_cost=True) for line in lines),
    )


def _hand_priced(
    unit: Decimal, quantity: int, charge: str, currency: str, term: int
) -> QuotedAmounts:
    cents = to_cents(unit) * quantity  # a unit price in whole cents: exact, no rounding
    monthly, one_time = (cents, 0) if charge == "monthly" else (0, cents)
    return QuotedAmounts.of(currency, monthly, one_time, term)


def _custom(line: HandPriced, currency: str, term: int, *, show_cost: bool) -> CustomLine:
    price = _hand_priced(line.unit_price, line.quantity, line.charge, currency, term)
    cost = None
    if show_cost and line.estimated_unit_cost is not None:
        cost = _amounts(
            _hand_priced(line.estimated_unit_cost, line.quantity, line.charge, currency, term)
        )
    return CustomLine(
        description=line.description,
        quantity=line.quantity,
        charge=line.charge,
        unit_price=line.unit_price,
        monthly=from_cents(price.monthly_cents),
        one_time=from_cents(price.one_time_cents),
        contract_value=from_cents(price.contract_cents),
        cost=cost,
    )


def _amounts(amounts: QuotedAmounts) -> Amounts:
    return Amounts(
        monthly=from_cents(amounts.monthly_cents),
        one_time=from_cents(amounts.one_time_cents),
        contract_value=from_cents(amounts.contract_cents),
    )


def _totals(amounts: QuotedAmounts) -> Totals:
    return Totals(
        currency=amounts.currency,
        monthly=from_cents(amounts.monthly_cents),
        one_time=from_cents(amounts.one_time_cents),
        contract_value=from_cents(amounts.contract_cents),
    )


def _derivation(line: PricedLine, term_months: int) -> Derivation:
    price = line.terms.price
    lower = 1
    list_bands = []
    for band in price.list_bands:
        list_bands.append(
            ListBand(lower=lower, upper=band.up_to, list_price=band.list_rate,
                     unit_price=from_cents(band.rate))
        )  # fmt: skip
        lower = (band.up_to or 0) + 1
    return Derivation(
        style=price.style,
        list_bands=tuple(list_bands),
        floor_at_previous_band=price.floor_at_previous_band,
        list_one_time=price.list_one_time,
        service_level_price_factor=price.price_factor,
        term_discount_percent=price.term_discount_percent,
        sales_discount_percent=price.sales_discount_percent,
        bands_charged=tuple(
            ChargedBand(
                lower=band.lower,
                upper=band.upper,
                quantity=band.quantity,
                unit_price=from_cents(band.rate),
                amount=from_cents(band.amount),
            )
            for band in line.charge.bands
        ),
        floor_applied=line.charge.floor_applied,
        steps=tuple(price_steps(line, term_months)),
    )


def _line(line: PricedLine, term_months: int, reasons: tuple[str, ...], *, show_cost: bool) -> Line:
    cost = margin = None
    if show_cost:
        unit_cost = line.terms.cost
        figures = _amounts(line.cost)
        cost = LineCost(
            monthly=figures.monthly,
            one_time=figures.one_time,
            contract_value=figures.contract_value,
            unit_monthly=from_cents(unit_cost.monthly),
            unit_one_time=from_cents(unit_cost.one_time),
            steps=tuple(cost_steps(line)),
        )
        figures = _amounts(line.margin.amounts)
        margin = Margin(
            monthly=figures.monthly,
            one_time=figures.one_time,
            contract_value=figures.contract_value,
            percent=line.margin.percent,
        )
    return Line(
        component=line.component.code,
        version=line.component.version,
        name=line.component.name,
        family=line.component.family,
        layer=line.component.layer,
        unit=line.component.unit,
        quantity=line.quantity,
        service_level=line.service_level.name,
        delivery_centre=line.delivery_centre,
        unit_price=line.unit_price.rounded().amount,
        monthly=from_cents(line.price.monthly_cents),
        one_time_unit_price=from_cents(line.terms.one_time_price),
        one_time=from_cents(line.price.one_time_cents),
        contract_value=from_cents(line.price.contract_cents),
        derivation=_derivation(line, term_months),
        cost=cost,
        margin=margin,
        reasons=reasons,
    )


def _breach(breach: BrokenGuardrail, *, show_cost: bool) -> Breach | HiddenBreach:
    if breach.kind == "margin_floor" and not show_cost:
        # The floor and the margin are confidential; that approval is needed is not.
        return HiddenBreach(
            kind=breach.kind,
            scope=breach.scope,
            message=f"the margin of the {breach.scope} is under its floor",
        )
    return Breach(
        kind=breach.kind,
        scope=breach.scope,
        limit_percent=breach.limit,
        actual_percent=breach.actual,
        message=breach.message,
    )


def _availability(value: Decimal | None) -> Decimal | None:
    # Kept rounded down to 0.001 %, so the figure never overstates what is promised.
    return None if value is None else value.quantize(Decimal("0.001"), rounding=ROUND_DOWN)


def _margin(margin: QuotedMargin) -> BundleMargin:
    totals = _totals(margin.amounts)
    return BundleMargin(
        currency=totals.currency,
        monthly=totals.monthly,
        one_time=totals.one_time,
        contract_value=totals.contract_value,
        percent=margin.percent,
    )


def _bundle(
    bundle: Bundle, breaches: tuple[BrokenGuardrail, ...], *, show_cost: bool
) -> PricedBundle:
    quote = bundle.quote
    return PricedBundle(
        price_book=quote.price_book,
        currency=quote.currency,
        term_months=quote.term_months,
        discount_percent=quote.discount_percent,
        lines=tuple(
            _line(line, quote.term_months, tuple(reasons), show_cost=show_cost)
            for line, reasons in zip(quote.lines, bundle.reasons, strict=True)
        ),
        totals=_totals(quote.price),
        cost=_totals(quote.cost) if show_cost else None,
        margin=_margin(quote.margin) if show_cost else None,
        guardrails=Guardrails(
            approval_required=bool(breaches),
            breaches=tuple(_breach(breach, show_cost=show_cost) for breach in breaches),
        ),
        availability=_availability(bundle.availability),
    )  # fmt: skip


def _component(component: Component) -> ComponentVersion:
    documents = component.documents
    return ComponentVersion(
        version=component.version,
        name=component.name,
        summary=component.summary,
        family=component.family,
        layer=component.layer,
        unit=component.unit,
        availability_chain=component.availability_chain,
        service_levels={
            level.name: LevelTerms(
                availability=level.availability,
                response_minutes=level.response_minutes,
                restore_hours=level.restore_hours,
            )
            for level in component.service_levels
        },
        specification=documents.specification,
        statement_of_work=StatementOfWork.model_validate(
            documents.statement_of_work.model_dump(mode="json")
        ),
        delivery_description=DeliveryDescription.model_validate(
            documents.delivery_description.model_dump(mode="json")
        ),
    )
