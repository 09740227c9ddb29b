"""A proposal as a document a customer reads and signs (the PDF, and the HTML preview of a
draft): everything shown comes from the frozen revision (``app.proposals.revision``) as
every role may see it (never cost or margin), its amounts as the Decimals frozen, and from
the configuration request the revision was solved for; catalog text is escaped by the
template, or rendered from Markdown and sanitised (``app.documents``).

Figures are shown as a customer reads them: quantities in their units, pluralised; every
availability with the same number of decimals; the term discount as its own column next to
the list price, never folded into the price unseen; centres and capabilities by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

from app.documents import (
    ENVIRONMENT,
    availability,
    availability_places,
    content_key,
    country,
    duration,
    figure,
    lower_first,
    money,
    phrase,
    quantity,
    region,
    upper_first,
)
from app.models import Proposal, ProposalRevision
from app.proposals.choices import Choice, chosen_bundle
from app.proposals.comparison import Comparison, comparison
from app.proposals.revision import (
    Capability,
    Centre,
    ComponentVersion,
    Customer,
    CustomLine,
    FrozenRevision,
    Line,
    Offering,
    PricedBundle,
    read_revision,
)
from app.proposals.wording import Names, plain_reasons
from pricing import CENT, factor_text

LAYERS = ("infrastructure", "platform", "application", "service-management", "transition")
LAYER_TITLES = {
    "infrastructure": "Infrastructure",
    "platform": "Platform",
    "application": "Applications",
    "service-management": "Service management",
    "transition": "Transition",
}
KEEP_TOGETHER = 14  # a table of up to this many lines is not split between pages
CHAPTERS = (
    ("summary", "Executive summary"),
    ("options", "Your options"),
    ("requirements", "Your requirements"),
    ("solution", "Solution overview"),
    ("service-levels", "Service levels and availability"),
    ("pricing", "Pricing"),
    ("schedules", "Service schedules"),
    ("terms", "Terms and validity"),
)


@dataclass(frozen=True, slots=True)
class ProposalDocument:
    """Everything a proposal document shows, and nothing else: its cache key is a hash of
    this. ``request``, ``centres`` and ``capabilities`` are optional: a document made
    without them shows codes where it would show names, and leaves out the restated
    requirements."""

    provider: str
    number: str
    revision: int
    issued: date
    valid_until: date
    customer: Customer
    public: PricedBundle  # the revision's bundle as every role sees it
    components: dict[str, ComponentVersion]  # per component code: the version sold
    offering: Offering | None
    watermark: str | None  # "DRAFT", "WITHDRAWN" or none
    archival: bool  # PDF/A-3b, for issued proposals
    request: Mapping[str, Any] | None = None  # the configuration request, as stored
    centres: Mapping[str, Centre] | None = None  # the revision's, when it has them
    capabilities: Mapping[str, Capability] | None = None
    # What the customer chooses from (made by ``choice_parts``); none for a revision that
    # offers one bundle and nothing else, which then keeps the document it always had.
    choices: Comparison | None = None
    chosen: bool = False  # the copy of the choice the customer made: the contract
    add_ons: tuple[Line, ...] = ()  # priced in this copy: the add-ons ticked, in a contract
    also_scheduled: tuple[Line, ...] = ()  # the other options' and the add-ons' (an offer)
    custom_lines: tuple[CustomLine, ...] = ()  # non-standard, priced by hand

    def data(self) -> dict[str, Any]:
        """What the document shows, as its cache key covers it: the frozen parts as they
        are stored (the optional ones only when present)."""
        data = {
            "provider": self.provider,
            "number": self.number,
            "revision": self.revision,
            "issued": self.issued,
            "valid_until": self.valid_until,
            "customer": self.customer.stored(),
            "public": self.public.stored(),
            "components": {code: component.stored()
                           for code, component in self.components.items()},
            "offering": None if self.offering is None else self.offering.stored(),
            "watermark": self.watermark,
            "archival": self.archival,
        }  # fmt: skip
        if self.request is not None:
            data["request"] = dict(self.request)
        if self.centres is not None:
            data["centres"] = {code: centre.stored() for code, centre in self.centres.items()}
        if self.capabilities is not None:
            data["capabilities"] = {
                code: capability.stored() for code, capability in self.capabilities.items()
            }
        if self.choices is not None:
            data["choices"] = asdict(self.choices)
            data["chosen"] = self.chosen
            data["add_ons"] = [line.stored() for line in self.add_ons]
            data["also_scheduled"] = [line.stored() for line in self.also_scheduled]
            data["custom_lines"] = [line.stored() for line in self.custom_lines]
        return data

    def key(self) -> str:
        return content_key(self.data(), "proposal.html")

    def html(self) -> str:
        return render_html(self)


def choice_parts(frozen: FrozenRevision, choice: Choice | None = None) -> dict[str, Any]:
    """The parts of a revision's document that its choices decide, as keywords of
    ``ProposalDocument``: the offer (``choice`` None) shows the first bundle in full and the
    options side by side; the copy of a choice shows the bundle chosen, with the add-ons
    ticked priced beside its lines."""
    offers_choices = bool(frozen.alternatives or frozen.add_ons or frozen.custom_lines)
    if not offers_choices:
        return {"public": frozen.public, "components": frozen.components}
    made = choice or Choice()
    public = chosen_bundle(frozen, made, show_cost=False)
    custom = frozen.non_standard(show_cost=False)
    add_ons = frozen.optional_lines(show_cost=False)
    if choice is not None:
        ticked = tuple(add_ons[number - 1] for number in comparison(frozen, made).choice.add_ons)
        return {"public": public, "components": frozen.components, "custom_lines": custom,
                "choices": comparison(frozen, made), "chosen": True, "add_ons": ticked}  # fmt: skip
    shown = {line.component for line in public.lines}
    others = []
    for _, bundle in frozen.options(show_cost=False):
        for line in (*bundle.lines, *add_ons):
            if line.component not in shown:
                shown.add(line.component)
                others.append(line)
    return {"public": public, "components": frozen.components, "custom_lines": custom,
            "choices": comparison(frozen), "also_scheduled": tuple(others)}  # fmt: skip


def document_of(
    proposal: Proposal,
    revision: ProposalRevision,
    provider: str,
    *,
    watermark: str | None = None,
    choice: Choice | None = None,
) -> ProposalDocument:
    """The document of one stored revision: the offer, or the copy of ``choice``; marked
    with ``watermark`` (PDF/A-3b when unmarked). The one way every copy is made: the PDF,
    the preview, the customer's page and the contract."""
    frozen = read_revision(revision.content)
    return ProposalDocument(
        provider=provider,
        number=proposal.number,
        revision=revision.revision,
        issued=revision.created_at.date(),
        valid_until=revision.valid_until,
        customer=Customer.model_validate(proposal.customer),
        offering=frozen.offering,
        watermark=watermark,
        archival=watermark is None,
        request=revision.request,
        centres=frozen.centres,
        capabilities=frozen.capabilities,
        **choice_parts(frozen, choice),
    )


@dataclass(frozen=True, slots=True)
class Layer:
    title: str
    lines: list[dict[str, Any]]


def list_monthly(line: Line) -> Decimal | None:
    """What the line would cost a month at the catalog's list prices for its service level,
    before the term and any sales discount: each band charged at its list price times the
    service level's factor, rounded half-up to the cent per unit as prices are. None when
    a band charged is not one the list names (never guessed)."""
    derivation = line.derivation
    bands = {band.lower: band for band in derivation.list_bands}
    total = Decimal(0)
    for charged in derivation.bands_charged:
        band = bands.get(charged.lower)
        if band is None:
            return None
        unit = (band.list_price * derivation.service_level_price_factor).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        total += unit * charged.quantity
    return total


def _discount_text(line: Line) -> str:
    derivation = line.derivation
    parts = []
    if derivation.term_discount_percent:
        parts.append(f"{factor_text(derivation.term_discount_percent)}\u00a0% term")
    if derivation.sales_discount_percent:
        parts.append(f"{factor_text(derivation.sales_discount_percent)}\u00a0% agreed")
    return ", ".join(parts) or "none"


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _centre_text(code: str, centres: Mapping[str, Centre]) -> str:
    centre = centres.get(code)
    return code if centre is None else f"{centre.name} ({country(centre.country)})"


def _line_context(
    document: ProposalDocument, line: Line, names: Names, places: int
) -> dict[str, Any]:
    currency = document.public.currency
    level = document.components[line.component].service_levels[line.service_level]
    listed = list_monthly(line)
    return {
        "component": line.component,
        "version": line.version,
        "name": line.name,
        "layer": line.layer,
        "service_level": line.service_level,
        "delivery_centre": line.delivery_centre,
        "centre_text": _centre_text(line.delivery_centre, document.centres or {}),
        "reasons": plain_reasons(line.reasons, names),
        "quantity_text": quantity(line.quantity, line.unit),
        "unit_price_text": money(line.unit_price, currency),
        "unit_figure": figure(line.unit_price),
        "list_monthly_text": "—" if listed is None else figure(listed),
        "list_monthly": listed,
        "discount_text": _discount_text(line),
        "monthly_text": money(line.monthly, currency),
        "one_time_text": money(line.one_time, currency),
        "chain": document.components[line.component].availability_chain,
        "level": {
            "availability_text": "—" if level.availability is None
            else availability(level.availability, places),
            "response_text": duration(level.response_minutes),
            "restore_text": duration(level.restore_hours * 60),
            "response_minutes": level.response_minutes,
            "restore_minutes": level.restore_hours * 60,
        },
    }  # fmt: skip


def _needs_met(document: ProposalDocument, names: Names) -> list[dict[str, str]]:
    """The needs of the request, each with the lines that cover it."""
    request = document.request or {}
    rows = []
    for need in request.get("needs") or []:
        code = str(need.get("capability"))
        known = (document.capabilities or {}).get(code)
        amount = int(need.get("quantity", 0))
        asked = quantity(amount, known.unit) if known else f"{amount:,}"
        covers = f"covers need {code} "  # the configurator's reason (see wording.py)
        covering = [line.name for line in document.public.lines
                    if any(reason.startswith(covers) for reason in line.reasons)]  # fmt: skip
        rows.append({
            "label": upper_first(names.capability(code)),
            "asked": asked,
            "offered": "Covered by " + phrase(covering) if covering else "Covered by the solution",
        })  # fmt: skip
    return rows


def _requirements(
    document: ProposalDocument, names: Names, places: int, composite: str | None
) -> list[dict[str, str]]:
    """The customer's request restated in business terms, each with what is offered."""
    request = document.request
    if request is None:
        return []
    public, currency = document.public, document.public.currency
    rows = _needs_met(document, names)
    residency = request.get("residency") or []
    if residency:
        countries = sorted(
            {country(centre.country) for centre in (document.centres or {}).values()}
        )
        rows.append({
            "label": "Where the services are delivered",
            "asked": "Only from " + phrase([region(code) for code in residency], "or"),
            "offered": "From " + phrase(countries) if countries else "As asked",
        })  # fmt: skip
    target = _decimal(request.get("min_availability"))
    if target is not None:
        rows.append({
            "label": "Availability",
            "asked": "At least " + availability(target, places),
            "offered": (composite + " composite availability") if composite else "—",
        })  # fmt: skip
    rows.append({
        "label": "Contract term",
        "asked": quantity(int(request.get("term_months") or public.term_months), "month"),
        "offered": quantity(public.term_months, "month"),
    })  # fmt: skip
    budget = _decimal(request.get("budget_monthly"))
    if budget is not None:
        rows.append({
            "label": "Monthly budget",
            "asked": "At most " + money(budget, currency),
            "offered": money(public.totals.monthly, currency) + " a month",
        })  # fmt: skip
    if request.get("offering") and document.offering is not None:
        rows.append({"label": "Offering", "asked": document.offering.name,
                     "offered": f"Built on {document.offering.name}"})  # fmt: skip
    included = [names.component(code) for code in request.get("include") or []]
    if included:
        rows.append({"label": "Services you asked for", "asked": phrase(included),
                     "offered": "Included"})  # fmt: skip
    excluded = [names.component(code) for code in request.get("exclude") or []]
    if excluded:
        rows.append({"label": "Services you ruled out", "asked": phrase(excluded),
                     "offered": "Not included"})  # fmt: skip
    return rows


def _centres(document: ProposalDocument) -> list[str]:
    codes = sorted({line.delivery_centre for line in document.public.lines})
    return [_centre_text(code, document.centres or {}) for code in codes]


def _levels_range(lines: list[dict[str, Any]], key: str) -> str:
    """The shortest and the longest time: "4 hours", or "30 minutes to 4 hours"."""
    minutes = sorted({line["level"][key] for line in lines})
    texts = [duration(value) for value in (minutes[0], minutes[-1])]
    return texts[0] if texts[0] == texts[1] else f"{texts[0]} to {texts[1]}"


def context(document: ProposalDocument) -> dict[str, Any]:
    public = document.public
    currency = public.currency
    extra = (*document.add_ons, *document.also_scheduled)
    names = Names(
        components={line.component: line.name for line in (*public.lines, *extra)},
        capabilities=document.capabilities or {},
        offerings={} if document.offering is None
        else {document.offering.code: document.offering.name},
    )  # fmt: skip
    levels = [
        level.availability
        for component in document.components.values()
        for level in component.service_levels.values()
        if level.availability is not None
    ]
    target = _decimal((document.request or {}).get("min_availability"))
    places = availability_places(
        [*levels, *([] if target is None else [target])]
    )  # one format for every availability the document shows
    composite = (
        None if public.availability is None
        else availability(public.availability, places, computed=True)
    )  # fmt: skip
    lines = [_line_context(document, line, names, places) for line in public.lines]
    add_ons = [_line_context(document, line, names, places) for line in document.add_ons]
    others = [_line_context(document, line, names, places) for line in document.also_scheduled]
    layers = [
        Layer(LAYER_TITLES[layer], [line for line in lines if line["layer"] == layer])
        for layer in LAYERS
        if any(line["layer"] == layer for line in lines)
    ]
    schedules = [
        {
            "code": line.component, "name": line.name, "version": line.version,
            "quantity_text": shown["quantity_text"], "service_level": line.service_level,
            "centre_text": shown["centre_text"],
            "specification": document.components[line.component].specification,
            "statement_of_work": document.components[line.component].statement_of_work,
        }
        for line, shown in zip((*public.lines, *extra), (*lines, *add_ons, *others), strict=True)
    ]  # fmt: skip
    choices = document.choices
    totals = {
        "monthly": money(public.totals.monthly, currency),
        "one_time": money(public.totals.one_time, currency),
        "contract_value": money(public.totals.contract_value, currency),
    } if choices is None else {
        "monthly": choices.monthly, "one_time": choices.one_time,
        "contract_value": choices.contract_value,
    }  # fmt: skip
    priced = [*public.lines, *document.add_ons]
    listed = [line["list_monthly"] for line in (*lines, *add_ons)]
    list_total = None if any(value is None for value in listed) else sum(listed, Decimal(0))
    saving = (
        None if list_total is None
        else list_total - sum((line.monthly for line in priced), Decimal(0))
    )  # fmt: skip
    if list_total is not None:  # a hand-priced line's list price is its price
        list_total += sum((line.monthly for line in document.custom_lines), Decimal(0))
    term_discounts = sorted({line.derivation.term_discount_percent for line in public.lines})
    discount = public.discount_percent
    request = document.request or {}
    chapters = [
        (key, "Your choice" if key == "options" and document.chosen else title)
        for key, title in CHAPTERS
        if (key != "requirements" or document.request is not None)
        and (key != "options" or choices is not None)
    ]
    return {
        "provider": document.provider,
        "number": document.number,
        "revision": document.revision,
        "issued": f"{document.issued:%d %B %Y}",
        "issued_iso": document.issued.isoformat(),
        "valid_until": f"{document.valid_until:%d %B %Y}",
        "customer": document.customer,
        "customer_country": country(document.customer.country),
        "headline": "Managed " + phrase([layer.title.lower() for layer in layers]) + " services",
        "term_months": public.term_months,
        "term_text": quantity(public.term_months, "month"),
        "term_adjective": f"{public.term_months}-month",
        "keep_levels": len(lines) <= KEEP_TOGETHER,
        "currency": currency,
        "discount": None if discount == 0 else factor_text(discount),
        "term_discount": None
        if term_discounts == [Decimal(0)]
        else phrase([f"{factor_text(value)}\u00a0%" for value in term_discounts], "or"),
        "list_total": None if list_total is None else money(list_total, currency),
        "saving": None if not saving else money(saving, currency),
        "saving_term": None if not saving else money(saving * public.term_months, currency),
        "lines": lines,
        "add_on_lines": add_ons,
        "custom_lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_figure": figure(line.unit_price),
                "monthly_text": money(line.monthly, currency),
                "one_time_text": money(line.one_time, currency),
            }
            for line in document.custom_lines
        ],
        "choices": choices,
        "chosen": document.chosen,
        "layers": layers,
        "layer_phrase": phrase(
            [
                f"{lower_first(layer.title)} ({quantity(len(layer.lines), 'service')})"
                for layer in layers
            ]
        ),
        "centre_phrase": phrase(_centres(document)),
        "residency": phrase([region(code) for code in request.get("residency") or []], "or"),
        "service_count": len(lines),
        "services_text": quantity(len(lines), "managed service"),
        "response_range": _levels_range(lines, "response_minutes"),
        "restore_range": _levels_range(lines, "restore_minutes"),
        "totals": totals,
        "availability": composite,
        "target": None if target is None else availability(target, places),
        "target_met": target is not None
        and public.availability is not None
        and public.availability >= target,
        "requirements": _requirements(document, names, places, composite),
        "offering": document.offering,
        "schedules": schedules,
        "watermark": document.watermark,
        "chapters": chapters,
        "numbers": {key: number for number, (key, _) in enumerate(chapters, start=1)},
        "inline_style": None,
    }


def render_html(document: ProposalDocument, *, inline_style: Markup | None = None) -> str:
    """The document's HTML: for the PDF (styled by the renderer's stylesheet), or with
    ``inline_style`` for a browser (the preview)."""
    values = context(document)
    values["inline_style"] = inline_style
    return ENVIRONMENT.get_template("proposal.html").render(**values)
