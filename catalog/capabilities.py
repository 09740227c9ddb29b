"""Capabilities: what a customer or a component needs, measured in a unit."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from catalog.base import FrozenMap, FrozenModel, Identifier, Name, Text

# The units quantities are counted in. A closed list, so that a typo ("servers", "tb") is an
# error rather than a new unit that silently never matches anything.
Unit = Literal[
    "server",
    "vm",
    "node",
    "TB",
    "GB",
    "user",
    "device",
    "mailbox",
    "site",
    "rack",
    "circuit",
    "Mbps",
    "system",
    "database",
    "instance",
    "application",
    "environment",
    "tenant",
    "licence",
    "service",
    "month",
    "day",
    "hour",
]


class Capability(FrozenModel):
    code: Identifier
    name: Name
    unit: Unit
    description: Text
    # The attribute values of the general-purpose variant, for a need that names none
    # (``sap.basis``: S/4HANA, not whichever variant is cheapest); empty: any provider.
    default: FrozenMap[Identifier, str] = Field(default_factory=dict)


class Competency(FrozenModel):
    """A centre-of-competence skill area, e.g. UNIX/Linux server operations or SAP Basis."""

    code: Identifier
    name: Name
    description: Text
