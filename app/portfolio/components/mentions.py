"""The rules and offerings of a catalog that mention a component. Pure: asked of a snapshot
(the active catalog's, as sales configure against it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from catalog import CatalogSnapshot, Offering, Rule


@dataclass(frozen=True, slots=True)
class OfferingMention:
    offering: Offering
    role: Literal["default", "optional"]  # a default component of it, or an optional one


@dataclass(frozen=True, slots=True)
class Mentions:
    rules: tuple[Rule, ...]  # by id
    offerings: tuple[OfferingMention, ...]  # by code

    @property
    def empty(self) -> bool:
        return not self.rules and not self.offerings


def mentions(snapshot: CatalogSnapshot, code: str, family: str | None = None) -> Mentions:
    """The rules naming ``code`` and the offerings that start from it or offer it. A
    co-location rule of the component's ``family`` counts too, whether or not the snapshot
    holds the component (a draft is in no active snapshot)."""
    offerings = tuple(
        OfferingMention(offering, "default" if code in offering.default_components else "optional")
        for offering in snapshot.offerings
        if code in offering.default_components or code in offering.optional_components
    )
    rules = {rule.id: rule for rule in snapshot.rules_for(code)}
    if family is not None:
        for rule in snapshot.rules:
            if family in getattr(rule, "families", ()):  # co-location by family
                rules.setdefault(rule.id, rule)
    return Mentions(tuple(rules[key] for key in sorted(rules)), offerings)
