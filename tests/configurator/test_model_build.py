"""Building a request's CP-SAT model: what is derived once per catalog snapshot, not once
per request."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.configurator import model
from app.configurator.model import build_variables
from app.configurator.request import ConfigurationRequest, Need
from catalog.snapshot import CatalogSnapshot
from pricing.market import unit_price

REQUEST = ConfigurationRequest("EUR", 36, (Need("compute.linux", 4), Need("storage.block", 6)))


def test_unit_prices_are_derived_once_for_requests_of_the_same_book_term_and_discount(
    default_snapshot: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    derived: list[str] = []
    original = unit_price

    def counted(component, *arguments, **keywords):  # type: ignore[no-untyped-def]
        derived.append(component.code)
        return original(component, *arguments, **keywords)

    monkeypatch.setattr("pricing.terms.unit_price", counted)
    snapshot = default_snapshot.model_copy(deep=True)  # terms of its own, none cached yet
    first = build_variables(snapshot, REQUEST)
    assert derived
    before = len(derived)
    again = build_variables(snapshot, replace(REQUEST, needs=REQUEST.needs[:1]))
    assert len(derived) == before
    assert again.terms is first.terms
    discounted = build_variables(snapshot, replace(REQUEST, discount_percent=Decimal(5)))
    assert discounted.terms is not first.terms
    assert len(derived) > before


def test_where_components_can_be_delivered_is_found_once_per_residency(
    default_snapshot: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []
    original = model._options

    def counted(snapshot, component, *arguments):  # type: ignore[no-untyped-def]
        looked_up.append(component.code)
        return original(snapshot, component, *arguments)

    monkeypatch.setattr(model, "_options", counted)
    snapshot = default_snapshot.model_copy(deep=True)
    eu = replace(REQUEST, residency=("EU",))
    first = build_variables(snapshot, eu)
    assert sorted(looked_up) == sorted(first.choices)
    again = build_variables(snapshot, eu)
    assert len(looked_up) == len(first.choices)
    assert again.undeliverable == first.undeliverable
    anywhere = build_variables(snapshot, REQUEST)
    assert len(looked_up) == len(first.choices) + len(anywhere.choices)
