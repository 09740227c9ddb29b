"""Which variant a need asks for, and which providers serve it: the one answer the CP-SAT
model, the scope, the options engine and the quantity check all use."""

from __future__ import annotations

from collections.abc import Iterable

from app.configurator.request import Need
from catalog.components import Component
from catalog.snapshot import CatalogSnapshot


def resolved(
    snapshot: CatalogSnapshot,
    needs: Iterable[Need],
    offering: str | None = None,
    exclude: Iterable[str] = (),
) -> tuple[Need, ...]:
    """``needs``, each naming the variant it asks for: its own attributes; else, when the
    capability has a general-purpose default, the values the offering's default provider
    has (the offering settles it), or the default itself."""
    settled = _offered(snapshot, offering, exclude)
    return tuple(_resolved(snapshot, need, settled) for need in needs)


def _offered(
    snapshot: CatalogSnapshot, offering: str | None, exclude: Iterable[str]
) -> tuple[Component, ...]:
    if offering is None:
        return ()
    left_out = set(exclude)
    return tuple(
        snapshot.component(code)
        for code in snapshot.offering(offering).default_components
        if code not in left_out and snapshot.has_component(code)
    )


def _resolved(snapshot: CatalogSnapshot, need: Need, offered: tuple[Component, ...]) -> Need:
    if need.attributes:
        return need
    try:
        default = snapshot.capability(need.capability).default
    except KeyError:
        return need  # an unknown capability: validation names it
    values = dict(default)
    for component in offered:
        if need.capability in component.provides:
            values = {name: component.attributes[name] for name in default
                      if name in component.attributes}  # fmt: skip
            break
    return Need(need.capability, need.quantity, tuple(values.items()))


def serves(snapshot: CatalogSnapshot, need: Need) -> tuple[Component, ...]:
    """The providers of ``need``'s capability with every attribute value it names."""
    return tuple(
        provider
        for provider in snapshot.providers_of(need.capability)
        if all(provider.attributes.get(name) == value for name, value in need.attributes)
    )
