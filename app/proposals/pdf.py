"""A proposal as a PDF: everything shown comes from the frozen revision
(``app.proposals.revision``) as every role may see it (never cost or margin), its amounts as
the Decimals frozen; catalog text is escaped by the template, or rendered from Markdown and
sanitised (``app.documents``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.documents import ENVIRONMENT, content_key, duration
from app.proposals.revision import ComponentVersion, Customer, Offering, PricedBundle
from pricing import factor_text

LAYERS = ("infrastructure", "platform", "application", "service-management", "transition")
LAYER_TITLES = {
    "infrastructure": "Infrastructure",
    "platform": "Platform",
    "application": "Applications",
    "service-management": "Service management",
    "transition": "Transition",
}


@dataclass(frozen=True, slots=True)
class ProposalDocument:
    """Everything a proposal PDF shows, and nothing else: its cache key is a hash of this."""

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

    def data(self) -> dict[str, Any]:
        """What the document shows, as its cache key covers it: the frozen parts as they
        are stored, so a stored revision keeps the key it always had."""
        return {
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

    def key(self) -> str:
        return content_key(self.data(), "proposal.html")

    def html(self) -> str:
        return render_html(self)


@dataclass(frozen=True, slots=True)
class Layer:
    title: str
    lines: list[dict[str, Any]]


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _phrase(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def context(document: ProposalDocument) -> dict[str, Any]:
    public = document.public
    currency = public.currency
    lines = []
    for line in public.lines:
        level = document.components[line.component].service_levels[line.service_level]
        lines.append({
            "component": line.component,
            "version": line.version,
            "name": line.name,
            "layer": line.layer,
            "service_level": line.service_level,
            "delivery_centre": line.delivery_centre,
            "reasons": line.reasons,
            "quantity_text": f"{line.quantity:,} {line.unit}",
            "unit_price_text": money(line.unit_price, currency),
            "monthly_text": money(line.monthly, currency),
            "one_time_text": money(line.one_time, currency),
            "level": {
                "availability_text": "—" if level.availability is None
                else f"{level.availability.normalize():f} %",
                "response_text": duration(level.response_minutes),
                "restore_text": duration(level.restore_hours * 60),
            },
        })  # fmt: skip
    layers = [
        Layer(LAYER_TITLES[layer], [line for line in lines if line["layer"] == layer])
        for layer in LAYERS
        if any(line["layer"] == layer for line in lines)
    ]
    centres = sorted({line.delivery_centre for line in public.lines})
    schedules = [
        {
            "code": line.component, "name": line.name, "version": line.version,
            "quantity_text": shown["quantity_text"], "service_level": line.service_level,
            "specification": document.components[line.component].specification,
            "statement_of_work": document.components[line.component].statement_of_work,
        }
        for line, shown in zip(public.lines, lines, strict=True)
    ]  # fmt: skip
    totals = {
        "monthly": money(public.totals.monthly, currency),
        "one_time": money(public.totals.one_time, currency),
        "contract_value": money(public.totals.contract_value, currency),
    }
    availability = public.availability
    discount = public.discount_percent
    return {
        "provider": document.provider,
        "number": document.number,
        "revision": document.revision,
        "issued": f"{document.issued:%d %B %Y}",
        "issued_iso": document.issued.isoformat(),
        "valid_until": f"{document.valid_until:%d %B %Y}",
        "customer": document.customer,
        "headline": "Managed " + _phrase([layer.title.lower() for layer in layers]) + " services",
        "term_months": public.term_months,
        "currency": currency,
        "discount": None if discount == 0 else factor_text(discount),
        "lines": lines,
        "layers": layers,
        "layer_phrase": _phrase(
            [f"{layer.title.lower()} ({len(layer.lines)})" for layer in layers]
        ),
        "centre_phrase": (
            "delivery centre " + centres[0]
            if len(centres) == 1
            else "delivery centres " + _phrase(centres)
        ),
        "service_count": len(lines),
        "totals": totals,
        "availability": None if availability is None else f"{availability:.3f}",
        "offering": document.offering,
        "schedules": schedules,
        "watermark": document.watermark,
        "chapters": [
            ("summary", "Executive summary"),
            ("solution", "Solution overview"),
            ("service-levels", "Service levels and availability"),
            ("pricing", "Pricing"),
            ("schedules", "Service schedules"),
            ("terms", "Terms and validity"),
        ],
    }


def render_html(document: ProposalDocument) -> str:
    return ENVIRONMENT.get_template("proposal.html").render(**context(document))
