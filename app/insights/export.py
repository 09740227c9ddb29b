"""One CSV writer for every insight, used by the API and the pages: a tidy long format, one
figure per row, with the same columns for every measure.

    measure, month, dimension, dimension_2, value, unit

``measure`` names the figure (``won.contract_value``); ``month`` is the month's first day
where the figure is per month; ``dimension`` and ``dimension_2`` are what the figure is of
(a status, a family, a centre and a competency...); ``unit`` is a currency code, ``percent``,
``days``, ``hours`` or ``count``. Empty cells are absent values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from app.insights.schemas import Delivery, Duration, GoToMarket, Portfolio

COLUMNS = ("measure", "month", "dimension", "dimension_2", "value", "unit")
Row = tuple[str, date | None, str | None, str | None, Decimal | int | None, str]
Measures = GoToMarket | Portfolio | Delivery


def as_csv(measures: Measures) -> str:
    """The figures of one insight as CSV text (RFC 4180, CRLF line ends, a header row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for measure, month, first, second, value, unit in rows(measures):
        writer.writerow((
            measure, "" if month is None else month.isoformat(), first or "", second or "",
            "" if value is None else str(value), unit,
        ))  # fmt: skip
    return out.getvalue()


def rows(measures: Measures) -> Iterator[Row]:
    if isinstance(measures, GoToMarket):
        yield from _go_to_market(measures)
    elif isinstance(measures, Portfolio):
        yield from _portfolio(measures)
    else:
        yield from _delivery(measures)


def _duration(name: str, found: Duration) -> Iterator[Row]:
    yield f"{name}.proposals", None, None, None, found.proposals, "count"
    yield f"{name}.average", None, None, None, found.average_days, "days"
    yield f"{name}.p90", None, None, None, found.p90_days, "days"


def _go_to_market(m: GoToMarket) -> Iterator[Row]:
    for s in m.status_by_month:
        yield "proposals_by_status", s.month, s.status, None, s.proposals, "count"
    yield "win_rate.accepted", None, None, None, m.win_rate.accepted, "count"
    yield "win_rate.decided", None, None, None, m.win_rate.decided, "count"
    yield "win_rate", None, None, None, m.win_rate.percent, "percent"
    for w in m.won:
        yield "won.proposals", None, None, None, w.proposals, "count"
        yield "won.contract_value", None, None, None, w.contract_value, w.currency
        yield "won.margin", None, None, None, w.margin, w.currency
        yield "won.margin_percent", None, w.currency, None, w.margin_percent, "percent"
    yield from _duration("creation_to_issue", m.creation_to_issue)
    yield from _duration("issue_to_acceptance", m.issue_to_acceptance)
    for d in m.discounts:
        yield "discount.proposals", None, d.price_book, d.role, d.proposals, "count"
        yield "discount.average", None, d.price_book, d.role, d.average_discount_percent, "percent"
        yield "discount.max", None, d.price_book, d.role, d.max_discount_percent, "percent"
        yield "discount.limit", None, d.price_book, d.role, d.limit_percent, "percent"
        yield "discount.over_limit", None, d.price_book, d.role, d.over_limit, "count"


def _portfolio(m: Portfolio) -> Iterator[Row]:
    for s in m.standard_share:
        yield "sales.standard", None, None, None, s.standard, s.currency
        yield "sales.custom", None, None, None, s.custom, s.currency
        yield "sales.standard_percent", None, s.currency, None, s.standard_percent, "percent"
    for name, groups in (("family", m.margin_by_family), ("offering", m.margin_by_offering)):
        for g in groups:
            yield (
                f"margin_by_{name}.contract_value",
                None,
                g.key,
                None,
                g.contract_value,
                g.currency,
            )
            yield f"margin_by_{name}.margin", None, g.key, None, g.margin, g.currency
            yield f"margin_by_{name}.percent", None, g.key, g.currency, g.margin_percent, "percent"
    for c in m.never_sold:
        yield "never_sold", None, c.code, c.family, 0, "count"  # sold 0 times
    for a in m.approval_components:
        yield "approval_components", None, a.code, None, a.proposals, "count"
    for k in m.conflicts:
        yield "conflicts", None, k.kind, k.subject, k.misses, "count"
    for r in m.repairs:
        yield "repairs", None, r.repair, None, r.misses, "count"


def _delivery(m: Delivery) -> Iterator[Row]:
    for u in m.utilisation:
        yield "utilisation.effort", u.month, u.centre, u.competency, u.effort_hours, "hours"
        yield "utilisation.capacity", u.month, u.centre, u.competency, u.capacity_hours, "hours"
        yield "utilisation", u.month, u.centre, u.competency, u.percent, "percent"
    for s in m.service_levels:
        yield "service_levels.lines", None, s.service_level, None, s.lines, "count"
        yield (
            "service_levels.contract_value",
            None,
            s.service_level,
            None,
            s.contract_value,
            s.currency,
        )
        yield "service_levels.percent", None, s.service_level, s.currency, s.percent, "percent"
    for a in m.availability:
        target = None if a.target is None else str(a.target)
        yield "availability.proposals", None, target, None, a.proposals, "count"
        yield "availability.reached_min", None, target, None, a.reached_min, "percent"
        yield "availability.reached_average", None, target, None, a.reached_average, "percent"
        yield "availability.met", None, target, None, a.met, "count"
