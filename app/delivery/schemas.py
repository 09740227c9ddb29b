"""What the delivery routes answer, as named schemas: a work package is one line of an
accepted proposal, for the centre that delivers it, with the delivery description of the
exact component version sold."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from app.kit.schemas import Page
from app.proposals import CustomerSchema as Customer
from app.quoting import Answer
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
