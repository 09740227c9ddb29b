"""What a work package freezes: one line of an accepted proposal revision, for the centre
that delivers it, with the service level and the delivery description of the exact
version sold. Made from the frozen revision when the proposal is accepted and stored as
this model's document, which is also what the API shows of it; the delivery domain
(``app.delivery``) reads packages through this model and never writes them.

A package also carries the centre's load as columns (``PackageLoad``): the effort of the
version sold, which the frozen revision does not hold (cost is not frozen), read from the
component version's row when the package is made."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.models import ComponentVersion, Proposal, ProposalRevision, WorkPackage, utcnow
from app.proposals.choices import Choice, checked, chosen_bundle
from app.proposals.revision import (
    Customer,
    DeliveryDescription,
    Frozen,
    FrozenRevision,
    LevelTerms,
    Line,
    read_revision,
)


class PackageContent(Frozen):
    number: str  # the proposal's
    revision: int
    line: int  # 1-based, in the revision's order
    customer: Customer
    component: str
    version: int
    name: str
    unit: str
    quantity: int
    service_level: str
    service_level_details: LevelTerms
    centre: str
    term_months: int
    accepted_on: date
    description: DeliveryDescription

    @classmethod
    def read(cls, document: Mapping[str, Any]) -> PackageContent:
        return cls.model_validate(document)


UNKNOWN_COMPETENCY = "unknown"  # a version whose row is gone: no effort to count


@dataclass(frozen=True, slots=True)
class PackageLoad:
    """What a line puts on its centre: the component's competency; its effort hours (the
    sum over skills of the effort per unit, times the quantity) every month from the first
    of the acceptance month up to ``ends_on`` (exclusive: ``term_months`` later), and its
    one-time effort hours once, in the first month."""

    competency: str
    monthly_hours: Decimal
    one_time_hours: Decimal
    starts_on: date
    ends_on: date


def month_start(day: date, months_later: int = 0) -> date:
    """The first day of ``day``'s month, ``months_later`` months on."""
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def _hours(efforts: Mapping[str, Any] | None) -> Decimal:
    return sum((Decimal(str(hours)) for hours in (efforts or {}).values()), Decimal(0))


def package_load(
    component: Mapping[str, Any] | None, quantity: int, term_months: int, accepted_on: date
) -> PackageLoad:
    """The load of ``quantity`` units of ``component`` (a version row's document; None if
    the row is gone) accepted on ``accepted_on`` for ``term_months``."""
    starts_on = month_start(accepted_on)
    ends_on = month_start(accepted_on, max(term_months, 1))
    if component is None:
        return PackageLoad(UNKNOWN_COMPETENCY, Decimal(0), Decimal(0), starts_on, ends_on)
    effort = component.get("effort") or {}
    return PackageLoad(
        competency=str(component["competency"]),
        monthly_hours=_hours(effort.get("monthly")) * quantity,
        one_time_hours=_hours(effort.get("one_time")) * quantity,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def versions_sold(
    session: Session, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], Mapping[str, Any]]:
    """The stored documents of the component versions ``keys`` (code, version), in one
    query: their competency and effort."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.execute(
        select(ComponentVersion.code, ComponentVersion.version, ComponentVersion.content).where(
            tuple_(ComponentVersion.code, ComponentVersion.version).in_(wanted)
        )
    )
    return {(code, version): content for code, version, content in rows}


def package_of(
    number: str,
    customer: Customer,
    revision: int,
    frozen: FrozenRevision,
    index: int,
    line: Line,
    accepted_on: date,
) -> PackageContent:
    """Line ``index`` (1-based) of ``frozen`` as a work package, without prices."""
    return PackageContent(
        number=number,
        revision=revision,
        line=index,
        customer=customer,
        component=line.component,
        version=line.version,
        name=line.name,
        unit=line.unit,
        quantity=line.quantity,
        service_level=line.service_level,
        service_level_details=frozen.level(line),
        centre=line.delivery_centre,
        term_months=frozen.public.term_months,
        accepted_on=accepted_on,
        description=frozen.component(line).delivery_description,
    )


def create_for(
    session: Session,
    proposal: Proposal,
    revision: ProposalRevision,
    choice: Mapping[str, Any] | None = None,
) -> list[WorkPackage]:
    """The work packages of an accepted proposal, one per line of the chosen option and
    per add-on ticked; returns them. ``choice`` is the customer's (``{"option": n,
    "add_ons": [...]}``, as the acceptance stores it); None (accepted by sales, not through
    the link) is the first option without add-ons."""
    frozen = read_revision(revision.content)
    customer = Customer.model_validate(proposal.customer)
    accepted_on = utcnow().date()
    made = checked(frozen, Choice() if choice is None else Choice.read(choice))
    add_ons = frozen.optional_lines(show_cost=False)
    lines = (
        *chosen_bundle(frozen, made, show_cost=False).lines,
        *(add_ons[number - 1] for number in made.add_ons),
    )
    sold = versions_sold(session, ((line.component, line.version) for line in lines))
    rows: list[WorkPackage] = []
    for index, line in enumerate(lines, start=1):
        package = package_of(
            proposal.number, customer, revision.revision, frozen, index, line, accepted_on
        )
        load = package_load(
            sold.get((line.component, line.version)), line.quantity, package.term_months,
            accepted_on,
        )  # fmt: skip
        rows.append(
            WorkPackage(
                proposal_id=proposal.id,
                revision=revision.revision,
                line=index,
                centre=package.centre,
                content=package.stored(),
                competency=load.competency,
                monthly_hours=load.monthly_hours,
                one_time_hours=load.one_time_hours,
                starts_on=load.starts_on,
                ends_on=load.ends_on,
            )
        )
    session.add_all(rows)
    session.flush()  # their ids, for the events that announce them
    return rows
