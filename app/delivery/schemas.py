"""What the delivery routes answer, as named schemas: a work package is one line of an
accepted proposal, for the centre that delivers it, with the delivery description of the
exact component version sold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.kit.schemas import Page
from app.proposals import CustomerSchema as Customer
from app.quoting import Answer, DecimalText
from catalog import DeliveryDescription


class ServiceLevelDetails(Answer):
    availability: str | None = Field(description="percent, an exact decimal")
    response_minutes: int
    restore_hours: int


class WorkPackage(Answer):
    """What a centre must deliver of one line of an accepted proposal."""

    id: int
    created_at: datetime
    number: str = Field(description="the proposal's number")
    revision: int = Field(description="the proposal revision accepted")
    line: int = Field(description="the line of that revision, from 1")
    customer: Customer
    component: str
    version: int = Field(description="the component version sold")
    name: str
    unit: str
    quantity: int
    service_level: str
    service_level_details: ServiceLevelDetails
    centre: str
    term_months: int
    accepted_on: date
    description: DeliveryDescription


class WorkPackagePage(Page[WorkPackage]):
    """A page of a centre's work packages, newest first."""


Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Hours = Annotated[DecimalText, Field(description="effort hours, an exact decimal")]
Utilisation = Annotated[
    DecimalText, Field(description="percent of the centre's monthly capacity, one decimal")
]


class CompetencyLoad(Answer):
    competency: str
    hours: Hours
    utilisation: Utilisation


class MonthLoad(Answer):
    """A month's accepted load: its total over every competency, and each competency's."""

    month: Month
    hours: Hours
    utilisation: Utilisation
    overbooked: bool = Field(description="the month's total is above the capacity")
    competencies: list[CompetencyLoad]


class OverbookedMonth(Answer):
    month: Month
    hours: Hours = Field(description="the month's total if the proposal were accepted")
    utilisation: Utilisation
    added: list[CompetencyLoad] = Field(description="what the proposal adds, by competency")


class Overbooking(Answer):
    """A proposal awaiting the customer (approved or sent) that, accepted today, would
    take these months past the centre's capacity."""

    proposal_id: int
    number: str
    customer: str
    option: str | None = Field(description="the option judged; null when it offers one")
    months: list[OverbookedMonth]


class CentreLoad(Answer):
    """A centre's load: effort hours of accepted work per month against its monthly
    capacity, by competency (a package counts its monthly effort x quantity each month of
    the term from the acceptance month, and its one-time effort in the first month), and
    the waiting proposals that would overbook it."""

    centre: str
    name: str
    capacity_hours: int = Field(description="the centre's monthly capacity in effort hours")
    months: list[MonthLoad]
    warnings: list[Overbooking]
