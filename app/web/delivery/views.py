"""What the delivery pages show: work packages as rows, a package's facts and delivery
description (Markdown rendered and sanitised by app.documents), the load as a table per
month and competency, and the waiting proposals that would overbook the centre. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from app.delivery import MAX_MONTHS, CentreLoad, CompetencyLoad, Overbooking
from app.documents import duration, inline_html, markdown_html
from app.kit.inputs import whole_number

MONTH = re.compile(r"^([1-9][0-9]{3})-(0[1-9]|1[0-2])$")


def hours_label(hours: Decimal) -> str:
    """Hours as people read them: 36,120.5 (exact, no trailing zeros)."""
    text = f"{hours.normalize():,f}" if hours else "0"
    return text


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


@dataclass(frozen=True, slots=True)
class PackageRow:
    id: int
    customer: str
    number: str
    component: str
    version: int
    name: str
    quantity: str
    service_level: str
    accepted_on: str


def package_rows(items: Sequence[Mapping[str, Any]]) -> list[PackageRow]:
    return [
        PackageRow(
            id=item["id"], customer=item["customer"]["name"], number=item["number"],
            component=item["component"], version=item["version"], name=item["name"],
            quantity=f"{item['quantity']:,} {item['unit']}",
            service_level=str(item["service_level"]).title(), accepted_on=item["accepted_on"],
        )
        for item in items
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    target: str
    measurement: Markup


@dataclass(frozen=True, slots=True)
class Description:
    """The delivery description of the version sold, as sanitised HTML pieces."""

    provisioning_steps: list[Markup]
    operating_procedures: list[Markup]
    tooling: list[Markup]
    skills: list[Markup]
    handover: Markup
    kpis: list[Kpi]


def description(document: Mapping[str, Any]) -> Description:
    def items(key: str) -> list[Markup]:
        return [inline_html(str(entry)) for entry in document[key]]

    return Description(
        provisioning_steps=items("provisioning_steps"),
        operating_procedures=items("operating_procedures"),
        tooling=items("tooling"),
        skills=items("skills"),
        handover=markdown_html(str(document["handover"])),
        kpis=[
            Kpi(str(kpi["name"]), str(kpi["target"]), inline_html(str(kpi["measurement"])))
            for kpi in document["kpis"]
        ],
    )


def package_facts(package: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The package's facts, as label and text."""
    customer = package["customer"]
    level = package["service_level_details"]
    promises = [str(package["service_level"]).title()]
    if level.get("availability"):
        promises.append(f"{level['availability']} % availability")
    promises.append(f"response {duration(int(level['response_minutes']))}")
    promises.append(f"restore {duration(int(level['restore_hours']) * 60)}")
    accepted = date.fromisoformat(str(package["accepted_on"]))
    return [
        ("Customer", f"{customer['name']} ({customer['country']})"
         + (f", attention of {customer['contact']}" if customer.get("contact") else "")),
        ("Proposal", f"{package['number']}, revision {package['revision']}, "
                     f"line {package['line']}"),
        ("Component", f"{package['name']}: {package['component']} version {package['version']}"),
        ("Quantity", f"{package['quantity']:,} {package['unit']}"),
        ("Service level", " · ".join(promises)),
        ("Delivery centre", str(package["centre"])),
        ("Contract term", f"{package['term_months']} months from acceptance "
                          f"({accepted:%d %B %Y})"),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoadRow:
    """One row of the load table: a competency in a month, or the month's total."""

    competency: str  # "All competencies" on the total row
    hours: str
    utilisation: str  # percent of the capacity, one decimal
    meter: str  # the bar's value: the utilisation, capped at what the bar shows
    total: bool
    overbooked: bool


@dataclass(frozen=True, slots=True)
class LoadMonth:
    label: str
    rows: list[LoadRow]
    overbooked: bool


def _meter(utilisation: Decimal) -> str:
    return str(min(utilisation, Decimal(150)))  # an overbooked bar stays in its box


def load_months(load: CentreLoad) -> list[LoadMonth]:
    shown: list[LoadMonth] = []
    for month in load.months:
        rows = [
            LoadRow(item.competency, hours_label(item.hours), str(item.utilisation),
                    _meter(item.utilisation), total=False, overbooked=False)
            for item in month.competencies
        ]  # fmt: skip
        rows.append(
            LoadRow("All competencies", hours_label(month.hours), str(month.utilisation),
                    _meter(month.utilisation), total=True, overbooked=month.overbooked)
        )  # fmt: skip
        shown.append(LoadMonth(month_label(month.month), rows, month.overbooked))
    return shown


def _added(loads: Sequence[CompetencyLoad]) -> str:
    return ", ".join(f"{hours_label(item.hours)} h of {item.competency}" for item in loads)


@dataclass(frozen=True, slots=True)
class WouldOverbook:
    """A waiting proposal that would overbook the centre, in words."""

    proposal_id: int
    title: str  # "P-2026-000002 for Acme Logistics GmbH (option Better)"
    months: list[str]  # "December 2026: 36,120 of 36,000 hours (100.3 %), adding ..."


def warnings(load: CentreLoad) -> list[WouldOverbook]:
    def title(warning: Overbooking) -> str:
        option = f" (option {warning.option})" if warning.option else ""
        return f"{warning.number} for {warning.customer}{option}"

    capacity = hours_label(Decimal(load.capacity_hours))
    return [
        WouldOverbook(
            warning.proposal_id,
            title(warning),
            [
                f"{month_label(over.month)}: {hours_label(over.hours)} of {capacity} hours "
                f"({over.utilisation} %), adding {_added(over.added)}"
                for over in warning.months
            ],
        )
        for warning in load.warnings
    ]


@dataclass(frozen=True, slots=True)
class Window:
    """The months the load covers, as asked on the page's form (or the defaults)."""

    since: date | None
    months: int
    errors: dict[str, str]
    values: dict[str, str]  # what the form shows back


def window(since: str | None, months: str | None, default_months: int) -> Window:
    """The form's ``since`` (YYYY-MM) and ``months`` (1 to MAX_MONTHS), each checked, with
    a message next to the field that is wrong (and the default used for it)."""
    errors: dict[str, str] = {}
    first: date | None = None
    if since:
        found = MONTH.match(since.strip())
        if found is None:
            errors["since"] = "Give a month as YYYY-MM, for example 2027-01."
        else:
            first = date(int(found.group(1)), int(found.group(2)), 1)
            if first.year * 12 + first.month + MAX_MONTHS > 9999 * 12 + 12:
                errors["since"], first = "Give a month before the year 9997.", None
    count = default_months
    if months:
        asked = whole_number(months.strip(), most=MAX_MONTHS)
        if asked is not None and asked >= 1:
            count = asked
        else:
            errors["months"] = f"Give a whole number of months from 1 to {MAX_MONTHS}."
    values = {"since": since or "", "months": months or str(default_months)}
    return Window(first, count, errors, values)
