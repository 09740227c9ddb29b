"""A ``choose`` group of one member: a variable of a variant model with a single value, or an
optional component a parent makes compulsory. The brute-force tests draw such groups too
(``factories.TEMPLATES``)."""

from __future__ import annotations

from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import ConfigurationRequest, Need
from catalog.snapshot import CatalogSnapshot
from tests.configurator.factories import catalog, component, rule
from tests.configurator.test_rules import chosen


def _catalog(**fields: str) -> CatalogSnapshot:
    return catalog(
        [
            component("CMP-A", price=10),
            component("CMP-X", price=1, provides={"cap.b": 1}),
        ],
        [rule("choose", group=["CMP-X"], min=1, max=1, **fields)],
    )


def test_a_group_of_one_with_a_parent_makes_the_member_compulsory() -> None:
    snapshot = _catalog(when="CMP-A")
    request = ConfigurationRequest("EUR", 1, (Need("cap.a", 1),))
    assert chosen(snapshot, request) == {"CMP-A": 1, "CMP-X": 1}


def test_a_group_of_one_without_a_parent_is_in_every_bundle() -> None:
    snapshot = _catalog()
    answer = OptionsEngine(snapshot).options(OptionsRequest(needs=(Need("cap.a", 1),)))
    states = {option.code: option.state for option in answer.components}
    assert states["CMP-X"] == "forced"
