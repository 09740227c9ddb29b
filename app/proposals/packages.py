"""What a work package freezes: one line of an accepted proposal revision, for the centre
that delivers it, with the service level and the delivery description of the exact
version sold. Made from the frozen revision when the proposal is accepted and stored as
this model's document, which is also what the API shows of it; the delivery domain
(``app.delivery``) reads packages through this model and never writes them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.models import Proposal, ProposalRevision, WorkPackage, utcnow
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
    rows: list[WorkPackage] = []
    for index, line in enumerate(lines, start=1):
        package = package_of(
            proposal.number, customer, revision.revision, frozen, index, line, accepted_on
        )
        rows.append(
            WorkPackage(
                proposal_id=proposal.id,
                revision=revision.revision,
                line=index,
                centre=package.centre,
                content=package.stored(),
            )
        )
    session.add_all(rows)
    session.flush()  # their ids, for the events that announce them
    return rows
