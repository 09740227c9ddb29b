"""What the insights pages show of app.insights' answers: the filter form's state and
choices, headline figures, and per section a table of the figures with a chart of the same
figures (the table is the chart's text alternative). Pure: figures are formatted, never
computed here (each comes from the service as it is)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import urlencode

from app.insights import Delivery, GoToMarket, Portfolio
from app.web.insights import charts
from app.web.insights.charts import Chart
from catalog import CatalogSnapshot

FIELDS = ("since", "until", "price_book", "offering", "family", "centre")
DASH = "—"
MOST_BARS = 12
FOLDED_ROWS = 10
# A proposal's statuses in the order they move (the chart's legend, the table's columns).
STATUSES = ("draft", "submitted", "approved", "sent", "accepted", "rejected", "withdrawn",
            "expired")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pillar:
    slug: str
    title: str
    summary: str


PILLARS = {
    pillar.slug: pillar
    for pillar in (
        Pillar("go-to-market", "Go to market",
               "How proposals fare: status over time, win rate, value and margin won, how long "
               "they take, discounts against the guardrail."),
        Pillar("portfolio", "Portfolio",
               "What sells: standard vs custom, margin by family and offering, components "
               "never sold or most often behind an approval, conflicts and repairs."),
        Pillar("delivery", "Delivery",
               "The load sold onto the centres by competency, the service levels sold, "
               "availability targets sold vs reached."),
    )
}  # fmt: skip


# -- the filter form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


class Applied(Protocol):
    """The filters an answer was computed with (defaults filled in)."""

    @property
    def since(self) -> date: ...
    @property
    def until(self) -> date: ...
    @property
    def price_book(self) -> str | None: ...
    @property
    def offering(self) -> str | None: ...
    @property
    def family(self) -> str | None: ...
    @property
    def centre(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FilterForm:
    """The filters as the form shows them (the applied ones, or what was sent when it was
    refused) and the catalog's choices for each select."""

    values: dict[str, str]
    choices: dict[str, list[Choice]]
    errors: dict[str, str]

    def query(self) -> str:
        """The filters as a query string (links between the pillars and to the CSV)."""
        return urlencode({name: value for name, value in self.values.items() if value})


def catalog_choices(snapshot: CatalogSnapshot) -> dict[str, list[Choice]]:
    """Price books, offerings, component families and delivery centres of the active
    catalog, as the selects offer them."""
    return {
        "price_book": [Choice(b.code, f"{b.name} ({b.currency})") for b in snapshot.price_books],
        "offering": [Choice(o.code, o.name) for o in snapshot.offerings],
        "family": [Choice(f, f) for f in sorted({c.family for c in snapshot.components})],
        "centre": [Choice(c.code, f"{c.name} ({c.code})") for c in snapshot.delivery_centres],
    }


def filter_form(
    choices: dict[str, list[Choice]],
    applied: Applied | None,
    sent: Mapping[str, str],
    errors: dict[str, str] | None = None,
) -> FilterForm:
    """The applied filters (defaults filled in) or, when refused, what was sent; a code the
    catalog no longer has stays selectable, so the form still says what was asked."""
    if applied is not None:
        values = {name: _text(getattr(applied, name)) for name in FIELDS}
    else:
        values = {name: sent.get(name, "").strip() for name in FIELDS}
    kept = dict(choices)
    for name, options in choices.items():
        value = values.get(name, "")
        if value and all(option.value != value for option in options):
            kept[name] = [*options, Choice(value, f"{value} (not in the active catalog)")]
    return FilterForm(values, kept, dict(errors or {}))


def _text(value: date | str | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


# -- figures as text ---------------------------------------------------------------------


def amount(value: Decimal, currency: str | None = None) -> str:
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def percent(value: Decimal | None) -> str:
    return DASH if value is None else f"{value} %"


def days(value: Decimal | None) -> str:
    return DASH if value is None else f"{value} days"


def hours(value: Decimal) -> str:
    return f"{value:,.1f} h"


def count(value: int) -> str:
    return f"{value:,}"


# -- sections ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    """A table of figures: the first column heads its row; ``numeric`` columns align right."""

    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    numeric: tuple[bool, ...] = ()
    links: dict[int, str] = field(default_factory=dict)  # row index -> the row head's link
    empty: str = "Nothing in this period."


@dataclass(frozen=True, slots=True)
class Headline:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    tables: list[Table]
    chart: Chart | None = None
    note: str | None = None
    folded: str | None = None  # a long list: its tables behind this summary, closed


@dataclass(frozen=True, slots=True)
class PillarView:
    pillar: Pillar
    headlines: list[Headline]
    sections: list[Section]


def _numeric(columns: int) -> tuple[bool, ...]:
    return (False, *([True] * (columns - 1)))


Bar = tuple[str, Decimal]


def _largest(rows: list[Bar]) -> tuple[list[Bar], str]:
    """At most ``MOST_BARS`` bars, the largest (in their order): more are unreadable, and the
    table lists them all. The title says so."""
    if len(rows) <= MOST_BARS:
        return rows, ""
    kept = set(sorted(range(len(rows)), key=lambda i: abs(rows[i][1]), reverse=True)[:MOST_BARS])
    return [row for i, row in enumerate(rows) if i in kept], f" (the {MOST_BARS} largest)"


def _bars(title: str, rows: list[Bar], measure: str) -> Chart | None:
    if not rows:
        return None
    shown, more = _largest(rows)
    return charts.bars(title + more, shown, measure=measure)


def _chart(rows: Sequence[Any], draw: Callable[[], Chart]) -> Chart | None:
    """No figures, no picture: the table says there are none."""
    return draw() if rows else None


# -- go to market ------------------------------------------------------------------------


def _status_order(seen: set[str]) -> list[str]:
    return [s for s in STATUSES if s in seen] + sorted(seen - set(STATUSES))


def go_to_market_headlines(answer: GoToMarket) -> list[Headline]:
    # each figure as the service gives it (amounts in different currencies never added up)
    won = "; ".join(amount(w.contract_value, w.currency) for w in answer.won) or DASH
    margin = "; ".join(amount(w.margin, w.currency) for w in answer.won) or DASH
    rate = answer.win_rate
    return [
        Headline(f"Win rate ({rate.accepted} of {rate.decided} decided)", percent(rate.percent)),
        Headline("Contract value won", won),
        Headline("Margin won", margin),
        Headline("Creation → issue, average", days(answer.creation_to_issue.average_days)),
    ]


def go_to_market_view(answer: GoToMarket) -> PillarView:
    statuses = _status_order({row.status for row in answer.status_by_month})
    months = sorted({row.month for row in answer.status_by_month})
    by = {(row.month, row.status): row.proposals for row in answer.status_by_month}
    status_table = Table(
        "Proposals created per month, by their status now",
        ("Month", *statuses, "Total"),
        [
            (m.strftime("%Y-%m"), *(count(by.get((m, s), 0)) for s in statuses),
             count(sum(by.get((m, s), 0) for s in statuses)))
            for m in months
        ],
        _numeric(len(statuses) + 2),
    )  # fmt: skip
    status_chart = _chart(answer.status_by_month, lambda: charts.stacked(
        "Proposals created per month, by status",
        [(r.month.strftime("%Y-%m"), r.status, r.proposals) for r in answer.status_by_month],
        period="Month created", measure="Proposals", series="Status", order=statuses,
    ))  # fmt: skip
    rate = answer.win_rate
    won = Table(
        "Won: accepted proposals",
        ("Currency", "Proposals", "Contract value", "Margin", "Margin %"),
        [(w.currency, count(w.proposals), amount(w.contract_value), amount(w.margin),
          percent(w.margin_percent)) for w in answer.won],
        _numeric(5),
    )  # fmt: skip
    rates = Table(
        "Win rate", ("Accepted", "Decided (accepted + rejected)", "Win rate"),
        [(count(rate.accepted), count(rate.decided), percent(rate.percent))], (True, True, True),
    )  # fmt: skip
    durations = Table(
        "Time taken (days)",
        ("From → to", "Proposals", "Average", "90th percentile"),
        [(name, count(d.proposals), days(d.average_days), days(d.p90_days))
         for name, d in (("Creation → issue", answer.creation_to_issue),
                         ("Issue → acceptance", answer.issue_to_acceptance))],
        _numeric(4),
    )  # fmt: skip
    discounts = Table(
        "Discounts given against the guardrail",
        ("Price book · role", "Proposals", "Average given", "Largest given", "Limit",
         "Over the limit"),
        [(f"{d.price_book} · {d.role}", count(d.proposals),
          percent(d.average_discount_percent), percent(d.max_discount_percent),
          percent(d.limit_percent), count(d.over_limit)) for d in answer.discounts],
        _numeric(6),
    )  # fmt: skip
    discount_chart = _chart(answer.discounts, lambda: charts.paired(
        "Average discount given vs the limit",
        [row for d in answer.discounts for row in (
            (f"{d.price_book} · {d.role}", "average given", d.average_discount_percent),
            (f"{d.price_book} · {d.role}", "limit", d.limit_percent))],
        measure="Discount %", series="Discount", order=["average given", "limit"],
    ))  # fmt: skip
    return PillarView(
        PILLARS["go-to-market"],
        go_to_market_headlines(answer),
        [
            Section("status", "Proposals by status over time", [status_table], status_chart),
            Section("won", "Win rate, value and margin won", [rates, won]),
            Section("time", "Time from creation to issue and from issue to acceptance",
                    [durations],
                    note="Issue: the proposal's first approval (its PDF is made then)."),
            Section("discounts", "Discount given vs guardrail", [discounts], discount_chart),
        ],
    )  # fmt: skip


# -- portfolio ---------------------------------------------------------------------------


def portfolio_headlines(answer: Portfolio) -> list[Headline]:
    share = "; ".join(f"{percent(s.standard_percent)} ({s.currency})"
                      for s in answer.standard_share) or DASH  # fmt: skip
    return [
        Headline("Sales from standard components", share),
        Headline("Components never sold", count(len(answer.never_sold))),  # the list's rows
    ]


def _margin_table(caption: str, head: str, groups: Sequence[Any]) -> Table:
    return Table(
        caption, (head, "Currency", "Contract value", "Margin", "Margin %"),
        [(g.key or "(none)", g.currency, amount(g.contract_value), amount(g.margin),
          percent(g.margin_percent)) for g in groups],
        (False, False, True, True, True),
    )  # fmt: skip


def _margin_chart(title: str, groups: Sequence[Any]) -> Chart | None:
    rows = [(f"{g.key or '(none)'} ({g.currency})", g.margin) for g in groups]
    return _bars(title, rows, "Gross margin")


def portfolio_view(answer: Portfolio) -> PillarView:
    share = Table(
        "Contract value sold: standard components vs custom lines",
        ("Currency", "Standard", "Custom", "Standard %"),
        [(s.currency, amount(s.standard), amount(s.custom), percent(s.standard_percent))
         for s in answer.standard_share],
        _numeric(4),
    )  # fmt: skip
    share_chart = _chart(answer.standard_share, lambda: charts.paired(
        "Contract value sold: standard vs custom",
        [row for s in answer.standard_share for row in (
            (s.currency, "standard", s.standard), (s.currency, "custom", s.custom))],
        measure="Contract value", series="Lines", order=["standard", "custom"],
    ))  # fmt: skip
    never = Table(
        "Active components in no accepted proposal of the period",
        ("Component", "Name", "Family"),
        [(c.code, c.name, c.family) for c in answer.never_sold],
        (False, False, False),
        {i: f"/catalog/components/{c.code}" for i, c in enumerate(answer.never_sold)},
        empty="Every active component was sold in this period.",
    )  # fmt: skip
    approvals = Table(
        "Components most often in a proposal that needed approval",
        ("Component", "Name", "Proposals"),
        [(c.code, c.name, count(c.proposals)) for c in answer.approval_components],
        (False, False, True),
        {i: f"/catalog/components/{c.code}" for i, c in enumerate(answer.approval_components)},
    )  # fmt: skip
    approvals_chart = _bars("Components most often behind an approval",
                            [(c.code, Decimal(c.proposals)) for c in answer.approval_components],
                            "Proposals")  # fmt: skip
    conflicts = Table(
        "Most frequent conflicts", ("Kind", "Subject", "Configurations"),
        [(c.kind, c.subject, count(c.misses)) for c in answer.conflicts], (False, False, True),
    )  # fmt: skip
    repairs = Table(
        "Repairs most often offered", ("Repair", "Configurations"),
        [(r.repair, count(r.misses)) for r in answer.repairs], (False, True),
    )  # fmt: skip
    return PillarView(
        PILLARS["portfolio"],
        portfolio_headlines(answer),
        [
            Section("standard", "Share of sales from standard components", [share],
                    share_chart),
            Section("family", "Gross margin by family",
                    [_margin_table("Gross margin by family", "Family",
                                   answer.margin_by_family)],
                    _margin_chart("Gross margin by family", answer.margin_by_family)),
            Section("offering", "Gross margin by offering",
                    [_margin_table("Gross margin by offering", "Offering",
                                   answer.margin_by_offering)],
                    _margin_chart("Gross margin by offering", answer.margin_by_offering)),
            Section("never-sold", "Components never sold", [never],
                    folded=f"The {count(len(answer.never_sold))} components"
                    if len(answer.never_sold) > FOLDED_ROWS else None),
            Section("approvals", "Components most often behind an approval", [approvals],
                    approvals_chart),
            Section("conflicts", "Most frequent conflicts and repairs asked for",
                    [conflicts, repairs]),
        ],
    )  # fmt: skip


# -- delivery ----------------------------------------------------------------------------


def delivery_headlines(answer: Delivery) -> list[Headline]:
    # the service's rows as they are: the busiest one picked, targets one by one
    busiest = max(answer.utilisation, key=lambda u: u.percent or Decimal(0), default=None)
    targets = [a for a in answer.availability if a.target is not None]
    return [
        Headline("Highest utilisation",
                 DASH if busiest is None else
                 f"{percent(busiest.percent)} ({busiest.centre} · {busiest.competency}, "
                 f"{busiest.month.strftime('%Y-%m')})"),
        Headline("Availability targets met",
                 "; ".join(f"{percent(a.target)}: {a.met} of {a.proposals}" for a in targets)
                 or DASH),
    ]  # fmt: skip


def delivery_view(answer: Delivery) -> PillarView:
    use = Table(
        "Utilisation: effort hours of accepted work per month against the centre's capacity",
        ("Month", "Centre", "Competency", "Effort", "Capacity", "Utilisation"),
        [(u.month.strftime("%Y-%m"), u.centre, u.competency, hours(u.effort_hours),
          hours(u.capacity_hours), percent(u.percent)) for u in answer.utilisation],
        (False, False, False, True, True, True),
    )  # fmt: skip
    use_chart = _chart(answer.utilisation, lambda: charts.stacked(
        "Effort hours sold per month, by centre and competency",
        [(u.month.strftime("%Y-%m"), f"{u.centre} · {u.competency}", u.effort_hours)
         for u in answer.utilisation],
        period="Month", measure="Effort hours", series="Centre · competency",
    ))  # fmt: skip
    levels = Table(
        "Service levels sold (standard lines of accepted proposals)",
        ("Service level", "Currency", "Lines", "Contract value", "Share"),
        [(s.service_level, s.currency, count(s.lines), amount(s.contract_value),
          percent(s.percent)) for s in answer.service_levels],
        (False, False, True, True, True),
    )  # fmt: skip
    levels_chart = _bars("Service-level mix sold (contract value)",
                         [(f"{s.service_level} ({s.currency})", s.contract_value)
                          for s in answer.service_levels], "Contract value")  # fmt: skip
    availability = Table(
        "Availability targets sold vs reached by the bundles",
        ("Target asked", "Proposals", "Lowest reached", "Average reached", "Met"),
        [(percent(a.target) if a.target is not None else "none asked", count(a.proposals),
          percent(a.reached_min), percent(a.reached_average), count(a.met))
         for a in answer.availability],
        _numeric(5),
    )  # fmt: skip
    targets = [a for a in answer.availability if a.target is not None]
    availability_chart = _chart(targets, lambda: charts.paired(
        "Availability: target sold vs average reached",
        [row for a in targets for row in (
            (f"{a.target} %", "target", a.target or Decimal(0)),
            (f"{a.target} %", "reached (average)", a.reached_average or Decimal(0)))],
        measure="Availability %", series="Availability",
        order=["target", "reached (average)"], zero=False,
    ))  # fmt: skip
    return PillarView(
        PILLARS["delivery"],
        delivery_headlines(answer),
        [
            Section("utilisation", "Utilisation per centre and competency", [use], use_chart),
            Section("service-levels", "Service-level mix sold", [levels], levels_chart),
            Section("availability", "Availability targets sold vs reached", [availability],
                    availability_chart),
        ],
    )  # fmt: skip
