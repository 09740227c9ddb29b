"""The CatalogSnapshot: the whole validated catalog as one immutable, indexed value.

It is the input of the configurator and of the pricing engine. Collections are tuples sorted
by code (rules by id), so two snapshots of the same catalog compare equal however their
files were laid out; indexes are read-only mappings built once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self, TypeVar

from pydantic import PrivateAttr, model_validator

from catalog.assurance import AssuredCombination
from catalog.base import FrozenModel
from catalog.capabilities import Capability, Competency
from catalog.centres import DeliveryCentre
from catalog.components import Component
from catalog.offerings import Offering
from catalog.price_books import PriceBook
from catalog.rules import Rule, SameCentreRule


def _sorted_by(key: str, items: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(items, key=lambda item: getattr(item, key)))


class CatalogSnapshot(FrozenModel):
    capabilities: tuple[Capability, ...] = ()
    competencies: tuple[Competency, ...] = ()
    delivery_centres: tuple[DeliveryCentre, ...] = ()
    price_books: tuple[PriceBook, ...] = ()
    components: tuple[Component, ...] = ()
    rules: tuple[Rule, ...] = ()
    offerings: tuple[Offering, ...] = ()
    assurances: tuple[AssuredCombination, ...] = ()

    _components: Mapping[str, Component] = PrivateAttr()
    _capabilities: Mapping[str, Capability] = PrivateAttr()
    _centres: Mapping[str, DeliveryCentre] = PrivateAttr()
    _price_books: Mapping[str, PriceBook] = PrivateAttr()
    _offerings: Mapping[str, Offering] = PrivateAttr()
    _providers: Mapping[str, tuple[Component, ...]] = PrivateAttr()
    _rules_by_component: Mapping[str, tuple[Rule, ...]] = PrivateAttr()
    _members: Mapping[str, tuple[str, ...]] = PrivateAttr()

    @model_validator(mode="before")
    @classmethod
    def _canonical_order(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        ordered = dict(data)
        for field, key in (
            ("capabilities", "code"),
            ("competencies", "code"),
            ("delivery_centres", "code"),
            ("price_books", "code"),
            ("components", "code"),
            ("rules", "id"),
            ("offerings", "code"),
            ("assurances", "id"),
        ):
            items = ordered.get(field)
            if items and all(hasattr(item, key) for item in items):
                ordered[field] = _sorted_by(key, tuple(items))
        return ordered

    def model_post_init(self, context: Any, /) -> None:
        self._components = _index(self.components)
        self._capabilities = _index(self.capabilities)
        self._centres = _index(self.delivery_centres)
        self._price_books = _index(self.price_books)
        self._offerings = _index(self.offerings)
        providers: dict[str, list[Component]] = defaultdict(list)
        for component in self.components:
            for capability in component.provides:
                providers[capability].append(component)
        self._providers = MappingProxyType({key: tuple(value) for key, value in providers.items()})
        self._members = MappingProxyType(
            {
                rule.id: rule.members(self.components)
                for rule in self.rules
                if isinstance(rule, SameCentreRule)
            }
        )
        by_component: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            for code in self.members(rule):
                by_component[code].append(rule)
        self._rules_by_component = MappingProxyType(
            {key: tuple(value) for key, value in by_component.items()}
        )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a fully validated new snapshot with fresh indexes
        (pydantic's copy would keep the old indexes and skip validation)."""
        if not update:
            return super().model_copy(deep=deep)
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).model_validate({**fields, **update})

    # Lookups by code. Each raises KeyError naming what is missing.
    def component(self, code: str) -> Component:
        return _lookup(self._components, code, "component")

    def capability(self, code: str) -> Capability:
        return _lookup(self._capabilities, code, "capability")

    def delivery_centre(self, code: str) -> DeliveryCentre:
        return _lookup(self._centres, code, "delivery centre")

    def price_book(self, code: str) -> PriceBook:
        return _lookup(self._price_books, code, "price book")

    def offering(self, code: str) -> Offering:
        return _lookup(self._offerings, code, "offering")

    def providers_of(self, capability: str) -> tuple[Component, ...]:
        """Components that provide ``capability``, by code."""
        return self._providers.get(capability, ())

    def rules_for(self, component: str) -> tuple[Rule, ...]:
        """Rules that mention ``component``, by id."""
        return self._rules_by_component.get(component, ())

    def members(self, rule: Rule) -> tuple[str, ...]:
        """The components ``rule`` applies to: its own codes, with a co-location rule's
        families expanded."""
        if isinstance(rule, SameCentreRule):
            return self._members.get(rule.id, ())
        return rule.components()

    def has_component(self, code: str) -> bool:
        return code in self._components

    def centres_with(self, competency: str) -> tuple[DeliveryCentre, ...]:
        return tuple(
            centre for centre in self.delivery_centres if competency in centre.competencies
        )


T = TypeVar("T")


def _index(items: tuple[Any, ...]) -> Mapping[str, Any]:
    return MappingProxyType({item.code: item for item in items})


def _lookup(index: Mapping[str, T], code: str, what: str) -> T:
    try:
        return index[code]
    except KeyError:
        raise KeyError(f"unknown {what} {code!r}") from None
