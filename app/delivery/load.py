"""A delivery centre's load: the effort hours of its accepted work, month by month, against
its monthly capacity, by competency; and the proposals awaiting the customer that would
overbook it if they were accepted.

The definition (one for the centre's page, /v1/delivery-centres/{code}/load and insights):

- **load(centre, month, competency)** = the sum, over the centre's work packages (the lines
  of accepted proposals, one package per line: ``app.proposals.packages``) whose version
  sold has that competency, of ``monthly_hours`` if ``starts_on <= month < ends_on``, plus
  ``one_time_hours`` if ``month == starts_on``. A package's ``monthly_hours`` is the sum over
  skills of the version's monthly effort per unit times the quantity, ``one_time_hours`` the
  same of its one-time effort; ``starts_on`` is the first of the acceptance month and
  ``ends_on`` the first of the month ``term_months`` later (so a 36-month term counts 36
  months, the acceptance month first). Months are calendar months (UTC dates).
- **capacity(centre)** = the centre's ``monthly_capacity_hours`` in the catalog as it is now:
  one figure for the whole centre, as the configurator's capacity constraint uses it.
- **utilisation** = load / capacity x 100 (percent, one decimal, half up), per competency
  and for the month's total over every competency.
- **overbooked**: a month whose total load (every competency) is above the capacity; the
  configurator checks one bundle against the same figure, so accepted work can add up past it.
- **would overbook**: a proposal awaiting the customer (approved or sent, not past its
  validity) whose lines of this centre, accepted today (its load starting this month), would
  make a month of the window overbooked. Each option offered is judged on its own, with every
  add-on ticked (the most the customer can accept); each proposal on its own over the
  accepted load (not on top of the other waiting ones).

Accepted load is summed in SQL over the package's columns (SQLite and PostgreSQL alike);
a waiting proposal's lines are read from its frozen revision, since nothing is delivered yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.kit.errors import NotFound
from app.models import CatalogRecord, Proposal, ProposalRevision, WorkPackage
from app.proposals import PackageLoad, month_start, package_load, read_revision, versions_sold
from catalog import DeliveryCentre

MAX_MONTHS = 36  # the longest window one answer covers
DEFAULT_MONTHS = 12
AWAITING = ("approved", "sent")  # issued, waiting for the customer's acceptance
Cell = tuple[date, str]  # (month, competency)


def window(since: date, count: int) -> tuple[date, ...]:
    """``count`` months from ``since``'s month, as their first days."""
    return tuple(month_start(since, offset) for offset in range(count))


def percent(hours: Decimal, capacity: int) -> Decimal:
    return (hours * 100 / capacity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class CompetencyLoad:
    competency: str
    hours: Decimal
    utilisation: Decimal  # percent of the centre's capacity


@dataclass(frozen=True, slots=True)
class MonthLoad:
    month: date  # its first day
    hours: Decimal  # every competency
    utilisation: Decimal
    overbooked: bool
    competencies: tuple[CompetencyLoad, ...]  # those with hours, by name


@dataclass(frozen=True, slots=True)
class OverbookedMonth:
    month: date
    hours: Decimal  # the month's total if the proposal were accepted
    utilisation: Decimal
    added: tuple[CompetencyLoad, ...]  # what the proposal adds, by competency


@dataclass(frozen=True, slots=True)
class Overbooking:
    """A proposal awaiting the customer that would overbook the centre: which option of it
    (None when it offers one), and where."""

    proposal_id: int
    number: str
    customer: str
    option: str | None
    months: tuple[OverbookedMonth, ...]


@dataclass(frozen=True, slots=True)
class CentreLoad:
    centre: str
    name: str
    capacity_hours: int  # a month
    months: tuple[MonthLoad, ...]
    warnings: tuple[Overbooking, ...]


def centre_of(session: Session, code: str) -> DeliveryCentre:
    record = session.get(CatalogRecord, ("delivery_centres", code))
    if record is None:
        raise NotFound(f"no delivery centre {code}")
    return DeliveryCentre.model_validate(record.content)


def accepted_load(session: Session, centre: str, months: Sequence[date]) -> dict[Cell, Decimal]:
    """Accepted load by (month, competency), months with none left out: one query, the
    months joined as a derived table of literals (portable: no VALUES list, no series)."""
    if not months:
        return {}
    rows = [select(literal(month, Date).label("month")) for month in months]
    table = (union_all(*rows) if len(rows) > 1 else rows[0]).cte("months")
    month = table.c.month
    hours = func.sum(
        case(
            (
                WorkPackage.starts_on == month,
                WorkPackage.monthly_hours + WorkPackage.one_time_hours,
            ),
            else_=WorkPackage.monthly_hours,
        )
    )
    statement = (
        select(month, WorkPackage.competency, hours)
        .select_from(table)
        .join(
            WorkPackage,
            and_(
                WorkPackage.centre == centre,
                WorkPackage.starts_on <= month,
                WorkPackage.ends_on > month,
            ),
        )
        .group_by(month, WorkPackage.competency)
    )
    return {
        (found_month, competency): Decimal(total)
        for found_month, competency, total in session.execute(statement)
        if total
    }


def spread(loads: Sequence[PackageLoad], months: Sequence[date]) -> dict[Cell, Decimal]:
    """The same sums as ``accepted_load``, over loads in memory (a waiting proposal's)."""
    cells: dict[Cell, Decimal] = defaultdict(Decimal)
    for load in loads:
        for month in months:
            if load.starts_on <= month < load.ends_on:
                extra = load.one_time_hours if month == load.starts_on else Decimal(0)
                cells[(month, load.competency)] += load.monthly_hours + extra
    return {cell: hours for cell, hours in cells.items() if hours}


@dataclass(frozen=True, slots=True)
class Waiting:
    """One option of a proposal awaiting the customer, as the load it would add."""

    proposal_id: int
    number: str
    customer: str
    option: str | None
    cells: Mapping[Cell, Decimal]


def waiting(session: Session, centre: str, months: Sequence[date], today: date) -> list[Waiting]:
    """Every option of every proposal awaiting the customer with lines of ``centre``, as the
    load it would add from this month on (add-ons ticked)."""
    statement = (
        select(Proposal.id, Proposal.number, Proposal.customer, ProposalRevision.content)
        .join(
            ProposalRevision,
            and_(
                ProposalRevision.proposal_id == Proposal.id,
                ProposalRevision.revision == Proposal.revision,
            ),
        )
        .where(Proposal.status.in_(AWAITING), Proposal.valid_until >= today)
        .order_by(Proposal.id)
    )
    found: list[Waiting] = []
    for proposal_id, number, customer, content in session.execute(statement):
        frozen = read_revision(content)
        options = frozen.options(show_cost=False)
        add_ons = frozen.optional_lines(show_cost=False)
        for name, bundle in options:
            lines = [line for line in (*bundle.lines, *add_ons) if line.delivery_centre == centre]
            if not lines:
                continue
            sold = versions_sold(session, ((line.component, line.version) for line in lines))
            loads = [
                package_load(sold.get((line.component, line.version)), line.quantity,
                             bundle.term_months, today)
                for line in lines
            ]  # fmt: skip
            found.append(
                Waiting(
                    proposal_id, number, str(customer.get("name", "")),
                    name if len(options) > 1 else None, spread(loads, months),
                )
            )  # fmt: skip
    return found


def _by_month(
    cells: Mapping[Cell, Decimal], month: date, capacity: int
) -> tuple[CompetencyLoad, ...]:
    return tuple(
        CompetencyLoad(competency, hours, percent(hours, capacity))
        for (at, competency), hours in sorted(cells.items())
        if at == month
    )


def months_of(
    cells: Mapping[Cell, Decimal], months: Sequence[date], capacity: int
) -> tuple[MonthLoad, ...]:
    shown: list[MonthLoad] = []
    for month in months:
        competencies = _by_month(cells, month, capacity)
        total = sum((load.hours for load in competencies), Decimal(0))
        shown.append(
            MonthLoad(month, total, percent(total, capacity), total > capacity, competencies)
        )
    return tuple(shown)


def overbookings(
    accepted: Mapping[Cell, Decimal],
    pending: Sequence[Waiting],
    months: Sequence[date],
    capacity: int,
) -> tuple[Overbooking, ...]:
    """The waiting options that would take a month's total past the capacity."""
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for (month, _), hours in accepted.items():
        totals[month] += hours
    found: list[Overbooking] = []
    for option in pending:
        over: list[OverbookedMonth] = []
        for month in months:
            added = _by_month(option.cells, month, capacity)
            total = totals[month] + sum((load.hours for load in added), Decimal(0))
            if added and total > capacity:
                over.append(OverbookedMonth(month, total, percent(total, capacity), added))
        if over:
            found.append(
                Overbooking(option.proposal_id, option.number, option.customer, option.option,
                            tuple(over))
            )  # fmt: skip
    return tuple(found)


def centre_load(session: Session, code: str, since: date, count: int, today: date) -> CentreLoad:
    """The centre's load for ``count`` months from ``since``'s month, with the waiting
    proposals that would overbook it. No permission check: the service's job."""
    centre = centre_of(session, code)
    months = window(since, count)
    capacity = centre.monthly_capacity_hours
    accepted = accepted_load(session, code, months)
    pending = waiting(session, code, months, today)
    return CentreLoad(
        centre=code,
        name=centre.name,
        capacity_hours=capacity,
        months=months_of(accepted, months, capacity),
        warnings=overbookings(accepted, pending, months, capacity),
    )


def hours_text(hours: Decimal) -> str:
    """Hours as an exact decimal without trailing zeros: "1234.5", "12"."""
    return f"{hours.normalize():f}" if hours else "0"


def load_document(load: CentreLoad) -> dict[str, Any]:
    """The load as the API answers it (``app.delivery.schemas.CentreLoad``)."""

    def competencies(loads: Sequence[CompetencyLoad]) -> list[dict[str, Any]]:
        return [
            {"competency": item.competency, "hours": hours_text(item.hours),
             "utilisation": str(item.utilisation)}
            for item in loads
        ]  # fmt: skip

    return {
        "centre": load.centre,
        "name": load.name,
        "capacity_hours": load.capacity_hours,
        "months": [
            {
                "month": f"{month.month:%Y-%m}",
                "hours": hours_text(month.hours),
                "utilisation": str(month.utilisation),
                "overbooked": month.overbooked,
                "competencies": competencies(month.competencies),
            }
            for month in load.months
        ],
        "warnings": [
            {
                "proposal_id": warning.proposal_id,
                "number": warning.number,
                "customer": warning.customer,
                "option": warning.option,
                "months": [
                    {
                        "month": f"{over.month:%Y-%m}",
                        "hours": hours_text(over.hours),
                        "utilisation": str(over.utilisation),
                        "added": competencies(over.added),
                    }
                    for over in warning.months
                ],
            }
            for warning in load.warnings
        ],
    }
