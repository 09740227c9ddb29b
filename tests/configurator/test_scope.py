"""The scope of a request (the components that can matter to it): what rules and
requirements can bring in, found once per request across its clicks, and the quantity
check's shortcut for components tied to nothing; the automotive-shaped benchmark model,
every component of which is in scope."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pytest

from app.configurator import options
from app.configurator.choices import ChoiceModel
from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.quantities import QuantityCheck
from app.configurator.request import ConfigurationRequest, Need
from app.configurator.scope import closure, forced_by, reachable_from
from app.configurator.solve import configure
from benchmarks.synthetic import DENSITY, automotive, generate
from catalog.rules import ChooseRule, TableRule
from catalog.snapshot import CatalogSnapshot
from tests.configurator.factories import catalog, component

NEEDS = (Need("compute.linux", 4), Need("storage.block", 6))


def brought_in(snapshot: CatalogSnapshot, seeds: Iterable[str]) -> frozenset[str]:
    """The scope's definition, read straight from the snapshot: every provider of what a
    reached component requires, every component an error rule can force once it is."""
    seen: set[str] = set()
    queue = list(seeds)
    while queue:
        code = queue.pop()
        if code in seen:
            continue
        seen.add(code)
        for capability in snapshot.component(code).requires:
            queue.extend(provider.code for provider in snapshot.providers_of(capability))
        for rule in snapshot.rules_for(code):
            if rule.severity == "error":
                queue.extend(c for c in forced_by(rule, code) if snapshot.has_component(c))
    return frozenset(seen)


@pytest.mark.parametrize("synthetic", [False, True], ids=["default", "synthetic-700"])
def test_the_closure_is_what_requirements_and_rules_can_bring_in(
    default_snapshot: CatalogSnapshot, synthetic: bool
) -> None:
    snapshot = generate(700, seed=3) if synthetic else default_snapshot
    codes = [component.code for component in snapshot.components]
    for code in codes[::7]:
        assert closure(snapshot, [code]) == brought_in(snapshot, [code]), code
    assert closure(snapshot, codes[:40]) == brought_in(snapshot, codes[:40])


def test_a_requests_scope_is_found_once_across_its_clicks(
    default_snapshot: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[object, ...]] = []

    def counted(*arguments: object) -> frozenset[str]:
        asked.append(arguments[1:])
        return reachable_from(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(options, "reachable_from", counted)
    engine = OptionsEngine(default_snapshot)
    request = OptionsRequest(needs=NEEDS, residency=("EU",))
    answer = engine.options(request)
    possible = [option.code for option in answer.components if option.state == "possible"]
    engine.options(OptionsRequest(needs=NEEDS, residency=("EU",), chosen=(possible[0],)))
    engine.options(
        OptionsRequest(
            needs=NEEDS, residency=("EU",), chosen=(possible[0],), rejected=(possible[1],)
        )
    )
    # The warm-up's (no needs) and the request's, each once.
    assert len(asked) == 2
    engine.close()


def test_a_chosen_component_outside_the_needs_scope_brings_its_own_in(
    default_snapshot: CatalogSnapshot,
) -> None:
    engine = OptionsEngine(default_snapshot)
    needs = NEEDS
    base = reachable_from(default_snapshot, needs, (), None)
    outside = next(c.code for c in default_snapshot.components if c.code not in base)
    answer = engine.options(OptionsRequest(needs=NEEDS, chosen=(outside,)))
    expected = reachable_from(default_snapshot, needs, (outside,), None)
    assert [option.code for option in answer.components] == sorted(expected)
    assert [option.code for option in engine.options(OptionsRequest(needs=NEEDS)).components] == (
        sorted(base)
    )
    engine.close()


def test_a_component_tied_to_nothing_still_provides_what_a_chosen_one_requires() -> None:
    snapshot = catalog(
        [
            component("CMP-A", price=1, provides={"cap.a": 1}, requires={"cap.b": 2}),
            component("CMP-B", price=1, provides={"cap.b": 1}, max_quantity=2),
            component("CMP-C", price=1, provides={"cap.b": 1}, max_quantity=1),
        ]
    )
    check = QuantityCheck(ChoiceModel(snapshot))
    assert check.fits(frozenset({"CMP-A", "CMP-B"}), ())  # one A needs B's two units
    assert not check.fits(frozenset({"CMP-A", "CMP-C"}), ())  # C has one at most
    assert check.fits(frozenset({"CMP-C"}), ())  # alone, its bounds are all it needs


def test_the_automotive_model_is_valid_seeded_and_all_in_scope() -> None:
    car = automotive(seed=1, variables=20, values=80, tables=20, rows=5_000)
    assert car == automotive(seed=1, variables=20, values=80, tables=20, rows=5_000)
    assert len(car.components) == 80
    tables = [rule for rule in car.rules if isinstance(rule, TableRule)]
    assert len(tables) == 20
    assert all(2 <= len(rule.columns) <= 8 for rule in tables)
    assert 3_000 <= sum(len(rule.rows) for rule in tables) <= 7_000
    everything = {component.code for component in car.components}
    assert reachable_from(car, [Need("cap.vehicle", 1)], (), None) == everything
    request = ConfigurationRequest("EUR", 36, (Need("cap.vehicle", 1),))
    (bundle,) = configure(car, request).bundles
    chosen = [line.component.code for line in bundle.quote.lines]
    variables = [rule for rule in car.rules if isinstance(rule, ChooseRule)]
    assert len(variables) == 20
    assert all(len(set(rule.group) & set(chosen)) == 1 for rule in variables)


def test_the_dense_automotive_model_is_seeded_valid_and_forbids_its_share() -> None:
    shape = {"variables": 20, "values": 80, "tables": 20, "rows": 5_000}
    car = automotive(seed=1, forbidden_share=DENSITY, **shape)
    assert car == automotive(seed=1, forbidden_share=DENSITY, **shape)
    assert car != automotive(seed=2, forbidden_share=DENSITY, **shape)
    tables = [rule for rule in car.rules if isinstance(rule, TableRule)]
    combinations = sum(math.prod(len(column.components) for column in t.columns) for t in tables)
    rows = sum(len(rule.rows) for rule in tables)
    assert 3_000 <= rows <= 7_000
    # About the share asked for (scattered and clustered), and no table emptied.
    assert 0.05 <= 1 - rows / combinations <= 0.30
    assert all(rule.rows for rule in tables)
    request = ConfigurationRequest("EUR", 36, (Need("cap.vehicle", 1),))
    (bundle,) = configure(car, request).bundles
    chosen = {line.component.code for line in bundle.quote.lines}
    for rule in tables:
        picked = tuple(next(iter(chosen & set(c.components))) for c in rule.columns)
        assert picked in {tuple(row) for row in rule.rows}, rule.id
