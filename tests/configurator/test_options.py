"""Interactive option states: exact against brute force (over every set of components and
their quantities) on random tiny catalogs, for random clicks; never a dead end (after any
clicks taken from possible options the bundle can still be completed); the same answers as
the CP-SAT configurator on the default catalog; reasons and conflicts in words."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.configurator.availability import accept_less, chain_percent, floor_percent
from app.configurator.errors import ConflictItem, Infeasible, SolverTimeout
from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import ConfigurationRequest, Need
from app.configurator.solve import configure
from catalog.snapshot import CatalogSnapshot
from tests.configurator.checker import violations
from tests.configurator.factories import (
    CODES,
    TEMPLATES,
    catalog,
    component,
    tiny_defaults,
    tiny_need,
    tiny_parts,
)

CENTRE = {"code": "CZ-X", "name": "Centre CZ-X", "country": "CZ", "region": "EU",
          "cost_currency": "CZK", "competencies": ["unix-linux-ops"],
          "labour_rates": {"linux-admin": 1000}, "monthly_capacity_hours": 10_000}  # fmt: skip


@st.composite
def tiny(draw: Any) -> tuple[CatalogSnapshot, OptionsRequest]:
    components, rules = draw(tiny_parts(TEMPLATES))
    count = len(components)
    snapshot = catalog(components, rules, [CENTRE], draw(tiny_defaults()))
    codes = list(CODES[:count])
    clicks = draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))
    chosen = tuple(code for code in clicks if draw(st.booleans()))
    rejected = tuple(code for code in clicks if code not in chosen)
    capabilities = draw(st.lists(st.sampled_from(["cap.a", "cap.b"]), max_size=2, unique=True))
    needs = tuple(draw(tiny_need(cap, 3)) for cap in capabilities)
    return snapshot, OptionsRequest(needs=needs, chosen=chosen, rejected=rejected)


def valid_bundles(snapshot: CatalogSnapshot, request: OptionsRequest) -> list[frozenset[str]]:
    """Every set of components some quantities and service levels make a valid bundle of,
    by brute force over quantities 0 to 3 (every tiny component's bounds), every level (the
    chosen one where one is) and the independent checker."""
    codes = [c.code for c in snapshot.components]
    levels = {c.code: [level.name for level in c.service_levels] for c in snapshot.components}
    levels.update((code, [level]) for code, level in request.service_levels)
    required = {*request.chosen, *(code for code, _ in request.service_levels)}
    checked = ConfigurationRequest("EUR", 1, request.needs,
                                   min_availability=request.min_availability)  # fmt: skip
    found = set()
    for quantities in itertools.product(range(4), repeat=len(codes)):
        ordered = [(c, q) for c, q in zip(codes, quantities, strict=True) if q]
        chosen = frozenset(c for c, _ in ordered)
        if chosen in found or not required <= chosen or chosen & set(request.rejected):
            continue
        for picked in itertools.product(*(levels[c] for c, _ in ordered)):
            lines = [(c, level, "CZ-X", q) for (c, q), level in zip(ordered, picked, strict=True)]
            if not violations(snapshot, checked, lines):  # the empty bundle too
                found.add(chosen)
                break
    return list(found)


def assert_agrees_with_brute_force(
    snapshot: CatalogSnapshot, request: OptionsRequest, engine: OptionsEngine
) -> None:
    bundles = valid_bundles(snapshot, request)
    answer = engine.options(request)
    assert answer.valid == bool(bundles)
    if not answer.valid:
        assert answer.conflict
        return
    for option in answer.components:
        inside = [b for b in bundles if option.code in b]
        expected = (
            "forced" if len(inside) == len(bundles) else "possible" if inside else "impossible"
        )
        assert option.state == expected, (option, bundles)
        assert (option.reason is None) == (expected == "possible")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny())
def test_option_states_agree_with_brute_force(case: tuple[CatalogSnapshot, OptionsRequest]) -> None:
    snapshot, request = case
    assert_agrees_with_brute_force(snapshot, request, OptionsEngine(snapshot))


LEVELS = [
    {"name": "standard", "response_minutes": 240, "restore_hours": 24, "price_factor": 1,
     "cost_factor": 1, "availability": "99.5"},
    {"name": "gold", "response_minutes": 30, "restore_hours": 4, "price_factor": "1.2",
     "cost_factor": "1.1", "availability": "99.9"},
]  # fmt: skip


@st.composite
def tiny_with_levels(
    draw: Any,
    targets: tuple[str | None, ...] = (None, "99", "99.4", "99.5", "99.6", "99.85", "99.9"),
    needed: int = 0,
    all_chained: bool = False,
) -> tuple[CatalogSnapshot, OptionsRequest]:
    """Tiny catalogs whose components have two levels (99.5 and 99.9 %), some (or all) on
    the availability chain; one of ``targets`` (None: no target), which one, two or three
    chain components can or cannot reach; at least ``needed`` needs; and perhaps a level
    chosen."""
    components, rules = draw(tiny_parts(TEMPLATES))
    for data in components:
        data["service_levels"] = LEVELS
        data["availability_chain"] = all_chained or draw(st.booleans())
    snapshot = catalog(components, rules, [CENTRE])
    codes = list(CODES[: len(components)])
    levelled = draw(st.lists(st.sampled_from(codes), max_size=1))
    capabilities = draw(
        st.lists(st.sampled_from(["cap.a", "cap.b"]), min_size=needed, max_size=2, unique=True)
    )
    return snapshot, OptionsRequest(
        needs=tuple(Need(cap, draw(st.integers(1, 3))) for cap in capabilities),
        rejected=tuple(draw(st.lists(st.sampled_from(codes), max_size=1))
                       if not levelled else ()),
        # 99.5 and 99.9 are met exactly by one component at a level: ties must count.
        min_availability=draw(st.sampled_from([t and Decimal(t) for t in targets])),
        service_levels=tuple((code, draw(st.sampled_from(["standard", "gold"])))
                             for code in levelled),
    )  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_with_levels())
def test_option_states_agree_with_brute_force_under_an_availability_target(
    case: tuple[CatalogSnapshot, OptionsRequest],
) -> None:
    snapshot, request = case
    assert_agrees_with_brute_force(snapshot, request, OptionsEngine(snapshot))


def test_an_availability_target_out_of_reach_is_the_conflict_and_its_repair(
    default_snapshot: CatalogSnapshot, engine: OptionsEngine
) -> None:
    request = OptionsRequest(REQUEST.needs, REQUEST.residency, min_availability=Decimal("99.99"))
    answer = engine.options(request)
    assert not answer.valid
    (item,) = answer.conflict
    assert (item.kind, item.ref) == ("availability", "99.99")
    ((repair,),) = answer.repairs
    assert (repair.kind, repair.ref) == ("availability", "99.99")
    assert repair.detail.startswith("accept ")
    assert not _completion(default_snapshot, request)  # the configurator agrees


def _accepted(repair: ConflictItem) -> Decimal:
    """The figure an "accept less availability" repair offers."""
    figure = Decimal(repair.detail.split()[1])
    assert repair.detail == accept_less(figure)
    return figure


@pytest.mark.parametrize("target", [Decimal("99.99"), Decimal("99.9")])
def test_the_options_engine_offers_the_availability_the_configurator_does(
    default_snapshot: CatalogSnapshot, engine: OptionsEngine, target: Decimal
) -> None:
    # The README's case: 20 Linux servers and 30 TB of block storage in the EU.
    needs = (Need("compute.linux", 20), Need("storage.block", 30))
    request = OptionsRequest(needs, ("EU",), min_availability=target)
    ((offered,),) = engine.options(request).repairs
    asked = ConfigurationRequest("EUR", 36, needs, residency=("EU",), min_availability=target)
    with pytest.raises(Infeasible) as raised:
        configure(default_snapshot, asked)
    (configured,) = [
        r for r in raised.value.repairs if [i.kind for i in r.relax] == ["availability"]
    ]
    assert offered == configured.relax[0]  # the same figure, in the same words
    best = _accepted(offered)
    # Reached (by the configurator's bundle and the options engine's), and the next
    # figure up is not: rounded down to 0.001 %.
    assert configure(default_snapshot, replace(asked, min_availability=best)).bundles
    assert engine.options(replace(request, min_availability=best)).valid
    with pytest.raises(Infeasible):
        configure(default_snapshot, replace(asked, min_availability=best + Decimal("0.001")))
    assert not engine.options(replace(request, min_availability=best + Decimal("0.001"))).valid


def test_the_availability_offered_keeps_the_chosen_levels_and_clicks(
    engine: OptionsEngine,
) -> None:
    # A Linux VM at bronze (99.5 %) and no standard block storage: the best under both.
    request = OptionsRequest(
        (Need("compute.linux", 20), Need("storage.block", 30)), ("EU",),
        rejected=("STO-BLOCK-STD",), min_availability=Decimal("99.5"),
        service_levels=(("CMP-VM-LNX", "bronze"),),
    )  # fmt: skip
    offered = engine.options(request).repairs[0][0]
    best = _accepted(offered)
    assert best < Decimal("99.5")
    assert engine.options(replace(request, min_availability=best)).valid
    assert not engine.options(replace(request, min_availability=best + Decimal("0.001"))).valid
    # The clicks count: without them the best is higher.
    free = OptionsRequest(request.needs, request.residency, min_availability=Decimal("99.99"))
    assert _accepted(engine.options(free).repairs[0][0]) > best


def test_a_best_availability_not_proved_in_time_is_a_timeout_not_a_figure(
    engine: OptionsEngine,
) -> None:
    terms, _ = engine.availability.weights({}, Decimal("99.99"))
    needs = (Need("compute.linux", 20), Need("storage.block", 30))
    assert engine.quantities.most_available([], needs, terms)  # given the time, a bundle
    with pytest.raises(SolverTimeout):  # a bundle found but not proved the best is no answer
        engine.quantities.most_available([], needs, terms, seconds=0)


def test_a_click_whose_best_availability_is_not_proved_in_time_still_answers(
    default_snapshot: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = OptionsEngine(default_snapshot)

    def out_of_time(*args: object, **kwargs: object) -> frozenset[str]:
        raise SolverTimeout("not proved in time")

    monkeypatch.setattr(engine.quantities, "most_available", out_of_time)
    needs = (Need("compute.linux", 20), Need("storage.block", 30))
    answer = engine.options(OptionsRequest(needs, ("EU",), min_availability=Decimal("99.99")))
    assert answer.components  # every option's state, all the same
    ((repair,),) = answer.repairs
    assert (repair.kind, repair.detail) == (
        "availability",
        "end-to-end availability of at least 99.99 %",
    )  # the target to relax, without a figure


def _best_availability(snapshot: CatalogSnapshot, request: OptionsRequest) -> Decimal | None:
    """By brute force: the best availability of a bundle valid without the target (each
    chain component at its chosen level, the others at their best), rounded down to
    0.001 %; None when no bundle is valid even so."""
    levels = dict(request.service_levels)
    bundles = valid_bundles(snapshot, replace(request, min_availability=None))
    reached = [
        chain_percent(
            component.service_level(levels[code]).availability
            if code in levels
            else max(level.availability or Decimal(0) for level in component.service_levels)
            for code in bundle
            if (component := snapshot.component(code)).availability_chain
        )
        for bundle in bundles
    ]
    return floor_percent(max(reached)) if reached else None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_with_levels(targets=("99.6", "99.85", "99.9"), needed=1, all_chained=True))
def test_the_availability_offered_is_the_best_by_brute_force(
    case: tuple[CatalogSnapshot, OptionsRequest],
) -> None:
    snapshot, request = case
    answer = OptionsEngine(snapshot).options(request)
    offered = [r[0] for r in answer.repairs if [i.kind for i in r] == ["availability"]]
    best = _best_availability(snapshot, request)
    # Offered exactly when some bundle works without the target and none with it (the
    # engine's validity is checked against brute force elsewhere), at the best figure.
    if answer.valid or best is None:
        assert not offered
    else:
        assert request.min_availability is not None and best < request.min_availability
        assert [_accepted(item) for item in offered] == [best]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny(), st.randoms(use_true_random=False))
def test_clicking_only_possible_options_never_reaches_a_dead_end(
    case: tuple[CatalogSnapshot, OptionsRequest], chooser: random.Random
) -> None:
    snapshot, request = case
    request = OptionsRequest(needs=request.needs)
    engine = OptionsEngine(snapshot)
    answer = engine.options(request)
    for _ in range(4):
        if not answer.valid:
            return  # the bare needs are impossible: nothing to click
        open_ = [o.code for o in answer.components if o.state == "possible"]
        if not open_:
            break
        code = chooser.choice(open_)
        if chooser.random() < 0.5:
            request = OptionsRequest(request.needs, chosen=(*request.chosen, code),
                                     rejected=request.rejected)  # fmt: skip
        else:
            request = OptionsRequest(request.needs, chosen=request.chosen,
                                     rejected=(*request.rejected, code))  # fmt: skip
        # One engine answers the whole sequence (its caches carry over): still exact.
        assert_agrees_with_brute_force(snapshot, request, engine)
        answer = engine.options(request)
        assert answer.valid, request
    assert valid_bundles(snapshot, request)  # the clicks can still be completed


REQUEST = OptionsRequest(
    needs=(Need("compute.linux", 40), Need("storage.block", 60), Need("service-desk", 500)),
    residency=("EU",),
)


@pytest.fixture(scope="module")
def engine(default_snapshot: CatalogSnapshot) -> OptionsEngine:
    return OptionsEngine(default_snapshot)


def _completion(snapshot: CatalogSnapshot, request: OptionsRequest) -> bool:
    asked = ConfigurationRequest(
        "EUR", 12, request.needs, residency=request.residency,
        include=request.chosen, exclude=request.rejected,
        min_availability=request.min_availability,
    )  # fmt: skip
    try:
        return bool(configure(snapshot, asked).bundles)
    except Infeasible:
        return False


def test_the_options_engine_and_the_configurator_agree(
    default_snapshot: CatalogSnapshot, engine: OptionsEngine
) -> None:
    answer = engine.options(REQUEST)
    assert answer.valid and {o.state for o in answer.components} >= {"possible", "forced"}
    for option in answer.components:
        with_it = OptionsRequest(REQUEST.needs, REQUEST.residency, chosen=(option.code,))
        assert _completion(default_snapshot, with_it) == (option.state != "impossible"), option
        if option.state == "forced":
            without = OptionsRequest(REQUEST.needs, REQUEST.residency, rejected=(option.code,))
            assert not _completion(default_snapshot, without), option


def test_clicks_on_the_default_catalog_never_reach_a_dead_end(
    default_snapshot: CatalogSnapshot, engine: OptionsEngine
) -> None:
    chooser = random.Random(11)
    request = REQUEST
    for _ in range(8):
        answer = engine.options(request)
        assert answer.valid, request
        forced = {o.code for o in answer.components if o.state == "forced"}
        assert set(request.chosen) <= forced  # what was chosen stays in every completion
        open_ = [o.code for o in answer.components if o.state == "possible"]
        code = chooser.choice(open_)
        pick = chooser.random() < 0.5
        request = OptionsRequest(
            request.needs, request.residency,
            chosen=(*request.chosen, code) if pick else request.chosen,
            rejected=request.rejected if pick else (*request.rejected, code),
        )  # fmt: skip
    assert engine.options(request).valid and _completion(default_snapshot, request)


def test_impossible_options_say_why_in_words(engine: OptionsEngine) -> None:
    answer = engine.options(
        OptionsRequest((Need("service-desk", 200),), ("EU",), chosen=("SD-L1-247",))
    )
    states = {o.code: o for o in answer.components}
    assert states["SD-L1-247"].state == "forced"
    assert states["SD-L1-247"].reason == "required by SD-L1-247 is chosen"
    assert states["SD-L1-BUS"].state == "impossible"
    # Either catalog rule alone keeps both desks out of one bundle: the excludes rule that
    # says why, and the out-of-hours table's one component per column (R-OPS-001, whose
    # message asks for an out-of-hours owner: not why). The narrower rule is the reason.
    reason = states["SD-L1-BUS"].reason or ""
    rule = next(rule for rule in engine.snapshot.rules if rule.id == "R-SD-003")
    assert reason == f"excluded by rule R-SD-003: {rule.message}; SD-L1-247 is chosen"


def _without(request: OptionsRequest, kind: str, ref: str) -> OptionsRequest:
    return OptionsRequest(
        tuple(n for n in request.needs if (kind, ref) != ("need", n.capability)),
        request.residency,
        chosen=tuple(c for c in request.chosen if (kind, ref) != ("chosen", c)),
        rejected=tuple(c for c in request.rejected if (kind, ref) != ("rejected", c)),
    )  # fmt: skip


def test_inconsistent_choices_get_a_minimal_conflict_and_repairs(
    engine: OptionsEngine,
) -> None:
    request = OptionsRequest(
        (Need("service-desk", 100),), chosen=("SD-L1-BUS",), rejected=("SM-ITSM",)
    )
    answer = engine.options(request)
    assert not answer.valid
    assert ("rejected", "SM-ITSM") in {(item.kind, item.ref) for item in answer.conflict}
    conflict = list(answer.conflict)
    assert not engine.consistent(conflict)  # a conflict: these alone cannot hold together
    for index in range(len(conflict)):  # and minimal: without any one of them they can
        assert engine.consistent(conflict[:index] + conflict[index + 1 :]), conflict[index]
    assert answer.repairs
    for repair in answer.repairs:  # each repair works, and only drops what the request said
        lighter = request
        for item in repair:
            assert item.kind in ("need", "chosen", "rejected")
            lighter = _without(lighter, item.kind, item.ref)
        assert engine.options(lighter).valid


def test_the_engines_agree_on_a_variant_model_with_a_wide_table() -> None:
    # Exactly-one groups and a four-column table of 300 rows (the synthetic generator's
    # variant shape, small enough for one CP-SAT solve per option): before and after a
    # click, every option state is what the configurator finds with it included or left out.
    from benchmarks.synthetic import generate

    snapshot = generate(40, seed=3, table_rows=300, exactly_one=8)
    (table,) = [rule for rule in snapshot.rules if rule.kind == "table"]
    engine = OptionsEngine(snapshot)
    first = engine.options(OptionsRequest())
    click = next(
        option.code
        for option in first.components
        if option.state == "possible" and option.code in table.columns[0].components
    )
    for request in (OptionsRequest(), OptionsRequest(chosen=(click,))):
        answer = engine.options(request)
        assert answer.valid and {o.state for o in answer.components} >= {"possible", "impossible"}
        for option in answer.components:
            with_it = OptionsRequest(chosen=(*request.chosen, option.code))
            assert _completion(snapshot, with_it) == (option.state != "impossible"), option
            if option.state == "forced" and option.code not in request.chosen:
                without = OptionsRequest(chosen=request.chosen, rejected=(option.code,))
                assert not _completion(snapshot, without), option


def test_a_click_past_its_time_limit_is_a_timeout_and_the_engine_answers_the_next(
    default_snapshot: CatalogSnapshot,
) -> None:
    engine = OptionsEngine(default_snapshot)
    with pytest.raises(SolverTimeout):
        engine.options(REQUEST, time_limit=0)
    assert engine.options(REQUEST, time_limit=60).valid  # nothing half-done stays behind


def test_a_conflict_the_availability_target_takes_part_in_names_it() -> None:
    # Review case: without "CMP-A is rejected", {A, B} satisfies the rule and the needs but
    # not the 99.85 % target (99.9 x 99.9); the conflict kept that smaller set, so it must
    # name the target, or it claims three consistent items cannot hold.
    parts = [
        component(code, price=1, provides={capability: 1})
        for code, capability in (("CMP-A", "cap.a"), ("CMP-B", "cap.b"), ("CMP-C", "cap.a"))
    ]
    for data in parts:
        data.update(service_levels=LEVELS, availability_chain=True)
    rule = {"kind": "excludes", "id": "R-1", "if": "CMP-B", "then": ["CMP-C"],
            "message": "B excludes C."}  # fmt: skip
    engine = OptionsEngine(catalog(parts, [rule], [CENTRE]))
    request = OptionsRequest(
        (Need("cap.a", 1), Need("cap.b", 1)), rejected=("CMP-A",),
        min_availability=Decimal("99.85"),
    )  # fmt: skip
    answer = engine.options(request)
    assert not answer.valid
    named = {(item.kind, item.ref) for item in answer.conflict}
    assert ("availability", "99.85") in named or ("rejected", "CMP-A") in named, named


def test_a_core_that_names_a_need_holds_only_for_that_need_s_quantity(
    default_snapshot: CatalogSnapshot,
) -> None:
    # A core found under one quantity of a need must not settle a probe under another:
    # the core's context carries the quantities of the needs it names.
    engine = OptionsEngine(default_snapshot)
    engine.options(OptionsRequest(needs=(Need("compute.linux", 20),)))
    (selector,) = engine._need_of
    assert engine._context((selector,))[0] == (Need("compute.linux", 20),)
    engine.options(OptionsRequest(needs=(Need("compute.linux", 5000),)))
    assert engine._context((selector,))[0] == (Need("compute.linux", 5000),)
