"""The three documents every component carries."""

from __future__ import annotations

from catalog.base import FrozenModel, Name, Text


class StatementOfWork(FrozenModel):
    """Contractual: goes into contract schedules."""

    provider_responsibilities: tuple[Text, ...]
    client_responsibilities: tuple[Text, ...]
    deliverables: tuple[Text, ...]
    assumptions: tuple[Text, ...]
    exclusions: tuple[Text, ...]


class Kpi(FrozenModel):
    name: Name
    target: Name
    measurement: Text


class DeliveryDescription(FrozenModel):
    """For the delivery centre: how the component is provisioned and operated."""

    provisioning_steps: tuple[Text, ...]
    operating_procedures: tuple[Text, ...]
    tooling: tuple[Text, ...]
    skills: tuple[Text, ...]
    handover: Text
    kpis: tuple[Kpi, ...]


class Documents(FrozenModel):
    specification: Text  # Markdown, customer-facing
    statement_of_work: StatementOfWork
    delivery_description: DeliveryDescription
