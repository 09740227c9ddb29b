"""Offerings: end-to-end solution templates sales start from."""

from __future__ import annotations

from pydantic import Field

from catalog.base import ComponentCode, FrozenModel, Identifier, Name, Text


class Offering(FrozenModel):
    code: ComponentCode
    name: Name
    description: Text  # customer-facing
    capabilities: tuple[Identifier, ...] = Field(min_length=1)
    default_components: tuple[ComponentCode, ...] = Field(min_length=1)
    optional_components: tuple[ComponentCode, ...] = ()
