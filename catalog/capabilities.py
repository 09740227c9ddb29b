"""Capabilities: what a customer or a component needs, measured in a unit."""

from __future__ import annotations

from typing import Literal

from catalog.base import FrozenModel, Identifier, Name, Text

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


class Competency(FrozenModel):
    """A centre-of-competence skill area, e.g. UNIX/Linux server operations or SAP Basis."""

    code: Identifier
    name: Name
    description: Text
