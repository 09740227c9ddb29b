"""What the catalog pages show, from the portfolio's representations (already shaped for
the caller: cost and other centres' delivery descriptions absent when not theirs). Pure:
no database, no HTTP; amounts stay exact (Decimal from the representations' strings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from app.documents import duration, inline_html, markdown_html, section_html
from app.portfolio import DELIVERY_SECTIONS, SOW_SECTIONS
from catalog import PriceBook

LAYERS = ("infrastructure", "platform", "application", "service-management", "transition")
STATUSES = {
    "draft": "Draft",
    "in_review": "In review",
    "assured": "Assured",
    "active": "Active",
    "retired": "Retired",
}
RELEASED = ("active", "retired")
FILTERS = ("q", "family", "layer", "status", "capability")
MAX_SEARCH = 100  # as the API's q

# -- the list -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """The browser's form, as sent (blank: not filtered)."""

    q: str = ""
    family: str = ""
    layer: str = ""
    status: str = ""
    capability: str = ""

    def for_service(self) -> dict[str, str | None]:
        return {name: getattr(self, name) or None for name in FILTERS}

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)


def read_filters(
    params: Mapping[str, str], statuses: Sequence[str]
) -> tuple[Filters, dict[str, str]]:
    """The filters of a query string, and a message per field that cannot be used (each
    left out of the search, so the rest still filter)."""
    sent = {name: params.get(name, "").strip() for name in FILTERS}
    errors: dict[str, str] = {}
    if len(sent["q"]) > MAX_SEARCH:
        errors["q"] = f"Search for at most {MAX_SEARCH} characters."
    if sent["layer"] and sent["layer"] not in LAYERS:
        errors["layer"] = "Choose a layer from the list."
    if sent["status"] and sent["status"] not in statuses:
        errors["status"] = "Choose a status from the list."
    return Filters(**{name: "" if name in errors else sent[name] for name in FILTERS}), errors


def query(filters: Filters, cursor: str | None = None) -> str:
    """The query string of these filters (and a page's cursor): a bookmarkable address."""
    pairs = [(name, getattr(filters, name)) for name in FILTERS if getattr(filters, name)]
    if cursor:
        pairs.append(("cursor", cursor))
    return urlencode(pairs)


def statuses_for(unreleased: bool) -> dict[str, str]:
    """The statuses a caller can find: released ones only without catalog.read_unreleased."""
    if unreleased:
        return STATUSES
    return {code: label for code, label in STATUSES.items() if code in RELEASED}


def options(
    counts: Mapping[str, Any], statuses: Mapping[str, str], capabilities: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """Each select's (value, text) pairs; families, layers and statuses with their counts
    (of the components listed to the caller, the catalog summary's)."""

    def counted(value: str, text: str, by: str) -> tuple[str, str]:
        return value, f"{text} ({counts[by].get(value, 0)})"

    return {
        "family": [counted(family, family, "by_family") for family in counts["by_family"]],
        "layer": [counted(layer, layer, "by_layer") for layer in LAYERS],
        "status": [counted(code, label, "by_status") for code, label in statuses.items()],
        "capability": [(code, code) for code in capabilities],
    }


# -- a component -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    label: str  # "1 to 50", "above 200"
    monthly: Decimal


@dataclass(frozen=True, slots=True)
class PriceRow:
    book: str
    book_name: str
    currency: str
    monthly: Decimal | None
    one_time: Decimal | None
    tier_style: str | None  # "tiered" or "volume" when the monthly price has tiers
    bands: tuple[Band, ...] = ()
    floored: bool = False


TIER_STYLES = {
    "tiered": "Tiered: each band's units at that band's rate",
    "volume": "Volume: every unit at the rate of the band the quantity falls in",
}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def bands(tiers: Mapping[str, Any]) -> tuple[Band, ...]:
    shown: list[Band] = []
    start = 1
    for band in tiers["bands"]:
        up_to = band.get("up_to")
        label = f"{start} to {up_to}" if up_to is not None else f"{start} and more"
        shown.append(Band(label, Decimal(str(band["monthly"]))))
        start = (up_to or start) + 1
    return tuple(shown)


def price_rows(prices: Mapping[str, Any], books: Mapping[str, PriceBook]) -> list[PriceRow]:
    """A row per price book the component is priced in, in the books' order, each amount
    in the book's currency."""
    rows: list[PriceRow] = []
    for code in sorted(prices):
        price, book = prices[code], books.get(code)
        tiers = price.get("tiers")
        rows.append(
            PriceRow(
                book=code,
                book_name=book.name if book is not None else code,
                currency=book.currency if book is not None else "",
                monthly=_decimal(price.get("monthly")),
                one_time=_decimal(price.get("one_time")),
                tier_style=TIER_STYLES[tiers["style"]] if tiers else None,
                bands=bands(tiers) if tiers else (),
                floored=bool(tiers and tiers.get("floor_at_previous_band")),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class LevelRow:
    name: str
    availability: str  # "99.95 %" or "—" (not in the availability chain)
    response: str
    restore: str
    price_factor: Decimal
    cost_factor: Decimal | None  # None: not the caller's to see


def level_rows(levels: Sequence[Mapping[str, Any]]) -> list[LevelRow]:
    return [
        LevelRow(
            name=str(level["name"]),
            availability=f"{level['availability']}\u00a0%" if level.get("availability") else "—",
            response=duration(int(level["response_minutes"])),
            restore=duration(60 * int(level["restore_hours"])),
            price_factor=Decimal(str(level["price_factor"])),
            cost_factor=_decimal(level.get("cost_factor")),
        )
        for level in levels
    ]


@dataclass(frozen=True, slots=True)
class EffortRow:
    skill: str
    monthly: Decimal | None  # hours per unit
    one_time: Decimal | None


@dataclass(frozen=True, slots=True)
class Cost:
    """Cost per unit, for roles with cost.read only."""

    effort: list[EffortRow]
    non_labour: Mapping[str, Any] | None  # currency, monthly, one_time
    partner: Mapping[str, Any] | None  # name, status, cost {currency, monthly, one_time}


def cost_of(body: Mapping[str, Any]) -> Cost | None:
    """The cost the representation carries, or None when it carries none (kept from the
    caller: absent, never null)."""
    if "effort" not in body:
        return None
    effort = body["effort"] or {}
    monthly, one_time = effort.get("monthly", {}), effort.get("one_time", {})
    rows = [
        EffortRow(skill, _decimal(monthly.get(skill)), _decimal(one_time.get(skill)))
        for skill in sorted(monthly.keys() | one_time.keys())
    ]
    partner = body.get("partner")
    return Cost(
        rows, body.get("non_labour_cost"), partner if partner and "cost" in partner else None
    )


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


def _amounts(values: Mapping[str, Any], unit: str) -> str:
    if not values:
        return "—"
    return "; ".join(f"{code}: {amount} per {unit}" for code, amount in sorted(values.items()))


def facts(body: Mapping[str, Any]) -> list[Fact]:
    quantity = body["quantity"]
    attributes = body.get("attributes") or {}
    partner = body.get("partner")
    shown = [
        Fact("Family", str(body["family"])),
        Fact("Layer", str(body["layer"])),
        Fact("Unit", str(body["unit"])),
        Fact("Charges", ", ".join(str(charge).replace("_", "-") for charge in body["charges"])),
        Fact(
            "Quantity",
            f"{quantity['min']} to {quantity['max']}, in steps of {quantity['step']}",
        ),
        Fact("Provides", _amounts(body.get("provides") or {}, str(body["unit"]))),
        Fact("Requires", _amounts(body.get("requires") or {}, str(body["unit"]))),
        Fact(
            "Attributes",
            "; ".join(f"{key} = {value}" for key, value in sorted(attributes.items())) or "—",
        ),
        Fact("Competency", str(body["competency"])),
        Fact(
            "Availability chain",
            "yes: its availability counts in the bundle's composite"
            if body.get("availability_chain")
            else "no",
        ),
    ]
    if partner:
        shown.append(Fact("Partner", f"{partner['name']} ({partner['status']})"))
    return shown


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    items: tuple[Markup, ...]
    numbered: bool = False


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    target: str
    measurement: Markup


@dataclass(frozen=True, slots=True)
class Documents:
    """The three documents as safe HTML (Markdown rendered by app.documents, then cleaned
    to an allow-list); the delivery description None when not the caller's to read."""

    specification: Markup
    statement_of_work: tuple[Section, ...]
    delivery: tuple[Section, ...] | None
    handover: Markup | None = None
    kpis: tuple[Kpi, ...] = field(default_factory=tuple)


def documents(body: Mapping[str, Any]) -> Documents:
    shown = body.get("documents") or {}
    sow = shown.get("statement_of_work") or {}
    statement = tuple(
        Section(title, tuple(inline_html(str(item)) for item in sow.get(key, ())))
        for key, title in SOW_SECTIONS
    )
    # The specification's headings under the page's h2 (its first one, the name, left out).
    specification = section_html(str(shown.get("specification", "")), str(body["name"]),
                                 below=1)  # fmt: skip
    description = shown.get("delivery_description")
    if description is None:
        return Documents(specification, statement, None)
    delivery = tuple(
        Section(
            title,
            tuple(inline_html(str(item)) for item in description.get(key, ())),
            numbered=key == "provisioning_steps",
        )
        for key, title in DELIVERY_SECTIONS
        if key not in ("handover", "kpis")  # a paragraph and a table, drawn below
    )
    kpis = tuple(
        Kpi(str(kpi["name"]), str(kpi["target"]), inline_html(str(kpi["measurement"])))
        for kpi in description.get("kpis", ())
    )
    return Documents(specification, statement, delivery,
                     markdown_html(str(description.get("handover", ""))), kpis)  # fmt: skip


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: int
    status: str
    status_label: str
    author: str
    created: str  # YYYY-MM-DD HH:MM UTC
    updated: str
    active: bool


def _moment(iso: str) -> str:
    return iso[:16].replace("T", " ") + " UTC"


def version_rows(history: Mapping[str, Any]) -> list[VersionRow]:
    """Newest first, as a reader looks for the latest."""
    return [
        VersionRow(
            version=int(row["version"]),
            status=str(row["status"]),
            status_label=STATUSES.get(str(row["status"]), str(row["status"])),
            author=str(row["author"]),
            created=_moment(str(row["created_at"])),
            updated=_moment(str(row["updated_at"])),
            active=row["version"] == history["active_version"],
        )
        for row in reversed(history["versions"])
    ]


def default_pair(history: Mapping[str, Any]) -> tuple[int, int]:
    """The two versions the history's compare form starts with: the latest and the one
    before it (the same one twice when there is only one)."""
    numbers = [int(row["version"]) for row in history["versions"]]
    return (numbers[-2] if len(numbers) > 1 else numbers[-1]), numbers[-1]


LINE_MARKS = {"added": "+", "removed": "\u2212", "same": ""}  # a minus sign, not a hyphen
LINE_WORDS = {"added": "Added", "removed": "Removed", "same": "Unchanged"}
