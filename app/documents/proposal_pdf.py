"""A proposal as a PDF: Jinja2 HTML and the packaged stylesheet, rendered by WeasyPrint with
the deny-by-default asset fetcher. Everything shown comes from the frozen revision
(``app.proposals.revision``) as every role may see it (never cost or margin), its amounts
as the Decimals frozen; catalog text is escaped by the template, or rendered from Markdown
and sanitised (``app.documents.markdown``)."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from app.documents import bullets
from app.documents.environment import ENVIRONMENT
from app.documents.fetcher import ASSETS, SCHEME, AssetFetcher
from app.proposals.revision import ComponentVersion, Customer, Offering, PricedBundle
from pricing import factor_text

RENDER_VERSION = 2  # bump when the document's look changes without a template change
LAYERS = ("infrastructure", "platform", "application", "service-management", "transition")
LAYER_TITLES = {
    "infrastructure": "Infrastructure",
    "platform": "Platform",
    "application": "Applications",
    "service-management": "Service management",
    "transition": "Transition",
}


class DocumentTooLarge(Exception):
    """The document is longer than the page cap."""


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


class Printable(Protocol):
    """A document the renderer can turn into a PDF."""

    @property
    def archival(self) -> bool: ...

    def key(self) -> str: ...

    def html(self) -> str: ...


def content_key(data: dict[str, Any], template: str) -> str:
    """The content hash that names a document's PDF in the cache: its data (dates as ISO
    text), its template, the assets and the WeasyPrint version."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{_fingerprint(template)}\n{text}".encode()).hexdigest()


@functools.cache  # packaged files: read once per process, not on every request
def _fingerprint(template: str) -> str:
    """What the rendering is made of besides the data: templates, assets, the rewriting of
    the HTML for print, WeasyPrint."""
    digest = hashlib.sha256(f"{RENDER_VERSION} {weasyprint.__version__}".encode())
    templates = Path(__file__).parent / "templates"
    for path in [templates / template, templates / "sections.html", Path(bullets.__file__),
                 *(ASSETS[name] for name in sorted(ASSETS))]:  # fmt: skip
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.suffix in (".html", ".css", ".py") else b"")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Layer:
    title: str
    lines: list[dict[str, Any]]


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


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


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    pages: int
    refused: tuple[str, ...]  # URLs the document asked for and the fetcher refused


class _CollectorPause:
    """Python's cyclic garbage collector paused while documents render. WeasyPrint keeps
    hundreds of thousands of boxes and styles alive while it lays a document out, and each
    full collection walks them all: about a tenth of a render's time, for almost nothing,
    as reference counting frees nearly all of a document once it is written (the peak
    memory of a render is the same with the collector on or off); the next collection takes
    the rest. Nested and concurrent renders share one pause; the collector resumes, if it
    was on, when the last one ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._renders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._renders += 1

    def __exit__(self, *exception: object) -> None:
        with self._lock:
            self._renders -= 1
            if self._renders == 0 and self._resume:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPause()


def render_pdf(document: Printable, *, max_pages: int) -> RenderedPdf:
    with _COLLECTOR_PAUSED:
        return _render_pdf(document, max_pages=max_pages)


def _render_pdf(document: Printable, *, max_pages: int) -> RenderedPdf:
    fetcher = AssetFetcher()
    html = weasyprint.HTML(
        string=bullets.with_written_bullets(document.html()),
        base_url=f"{SCHEME}:/",
        url_fetcher=fetcher,
    )
    fonts = FontConfiguration()  # without it, @font-face rules are ignored
    stylesheet = weasyprint.CSS(
        url=f"{SCHEME}:proposal.css", url_fetcher=fetcher, font_config=fonts
    )
    rendered = html.render(stylesheets=[stylesheet], font_config=fonts)
    if len(rendered.pages) > max_pages:
        raise DocumentTooLarge(
            f"the document has {len(rendered.pages)} pages, more than the {max_pages} allowed"
        )
    pdf = rendered.write_pdf(pdf_variant="pdf/a-3b" if document.archival else None)
    return RenderedPdf(pdf, len(rendered.pages), tuple(fetcher.refused))
