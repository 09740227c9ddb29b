"""The configurator on the default catalog: every bundle passes the independent checker,
the solver's optimum is the engine's total, answers are deterministic, alternatives differ,
and impossible asks come back with a minimal conflict and working repairs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from time import monotonic as clock

import pytest

from app.configurator.errors import ConfigurationInvalid, Infeasible
from app.configurator.explain import conflicts, relaxed_request
from app.configurator.model import Group
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.results import Bundle
from app.configurator.solve import configure
from catalog.snapshot import CatalogSnapshot
from tests.configurator.checker import violations
from tests.configurator.factories import catalog, component
from tests.configurator.solved import lines_of, why_infeasible
from tests.pricing.factories import centre

D = Decimal
TYPICAL = ConfigurationRequest(
    price_book="EUR",
    term_months=36,
    needs=(Need("compute.linux", 40), Need("storage.block", 60), Need("service-desk", 500)),
    residency=("EU",),
)


def assert_valid(snapshot: CatalogSnapshot, request: ConfigurationRequest, bundle: Bundle) -> None:
    assert violations(snapshot, request, lines_of(bundle)) == []


def test_a_typical_request_gives_a_valid_explained_bundle(
    default_snapshot: CatalogSnapshot,
) -> None:
    solution = configure(default_snapshot, TYPICAL)
    assert solution.status == "optimal"
    (bundle,) = solution.bundles
    assert_valid(default_snapshot, TYPICAL, bundle)
    codes = {line.component.code for line in bundle.quote.lines}
    # Linux servers pull in their OS management and monitoring, transitively.
    assert {"OS-LNX-RHEL", "OS-LNX-SLES"} & codes and "MON-INFRA" in codes
    for line, why in zip(bundle.quote.lines, bundle.reasons, strict=True):
        assert why, line.component.code
    reasons = {
        line.component.code: why
        for line, why in zip(bundle.quote.lines, bundle.reasons, strict=True)
    }
    assert any(r.startswith("covers need storage.block (60 TB)") for r in reasons["STO-BLOCK-STD"])
    assert all(line.delivery_centre in {"CZ-BRN", "DE-FRA", "PL-WRO", "ES-MAD"}
               for line in bundle.quote.lines)  # fmt: skip


def test_the_same_request_gives_the_same_bundle(default_snapshot: CatalogSnapshot) -> None:
    first = configure(default_snapshot, TYPICAL).bundles[0]
    second = configure(default_snapshot, TYPICAL).bundles[0]
    assert lines_of(first) == lines_of(second)


@pytest.mark.parametrize("objective", ["min_price", "min_cost", "max_margin"])
def test_no_checked_bundle_beats_the_optimum(
    default_snapshot: CatalogSnapshot, objective: str
) -> None:
    request = replace(TYPICAL, objective=objective, alternatives=3)  # type: ignore[arg-type]
    bundles = configure(default_snapshot, request).bundles
    assert len(bundles) == 3
    for bundle in bundles:
        assert_valid(default_snapshot, request, bundle)

    def score(bundle: Bundle) -> int:
        quote = bundle.quote
        if objective == "min_cost":
            return quote.cost.contract_cents
        if objective == "max_margin":
            return quote.cost.contract_cents - quote.price.contract_cents
        return quote.price.contract_cents

    scores = [score(bundle) for bundle in bundles]
    assert scores == sorted(scores)  # best first
    kinds = [
        frozenset((line.component.code, line.service_level.name) for line in b.quote.lines)
        for b in bundles
    ]
    assert len(set(kinds)) == 3  # not just another centre


def test_keeping_only_dominant_levels_changes_no_optimum(
    default_snapshot: CatalogSnapshot,
) -> None:
    # Price-only requests without an availability target, and explaining builds, keep each
    # component's cheapest level alone; alternatives keep every level. The cheapest bundle
    # must cost the same in all three.
    from app.configurator.constraints import add_all
    from app.configurator.model import build_variables
    from app.configurator.search import objective_of, optimiser

    wider = replace(TYPICAL, needs=(*TYPICAL.needs, Need("network.wan", 4)))
    found = []
    for alternatives, explaining in ((1, False), (1, True), (2, False)):
        request = replace(wider, alternatives=alternatives)
        config = build_variables(default_snapshot, request, explaining=explaining)
        add_all(config)
        config.model.add_assumptions(config.groups.values())  # every constraint on
        config.model.minimize(objective_of(config))
        solver = optimiser(Limits(), clock() + 5)
        assert solver.solve(config.model) == 4  # OPTIMAL
        levels = sum(len(choice.level_chosen) for choice in config.choices.values())
        found.append((config.cheapest_level_only, levels, round(solver.objective_value)))
    (_, pruned, best), (_, _, explained), (_, kept, same) = found
    assert [flag for flag, _, _ in found] == [True, True, False]
    assert pruned < kept and best == explained == same


def test_residency_forces_a_dearer_centre(default_snapshot: CatalogSnapshot) -> None:
    anywhere = replace(TYPICAL, residency=None, objective="min_cost")
    free = configure(default_snapshot, anywhere).bundles[0]
    assert "IN-BLR" in {line.delivery_centre for line in free.quote.lines}  # cheapest labour
    eu = replace(anywhere, residency=("EU",))
    kept = configure(default_snapshot, eu).bundles[0]
    assert_valid(default_snapshot, eu, kept)
    assert "IN-BLR" not in {line.delivery_centre for line in kept.quote.lines}
    assert kept.quote.cost.contract_cents > free.quote.cost.contract_cents


def test_availability_forces_higher_service_levels(default_snapshot: CatalogSnapshot) -> None:
    base = replace(TYPICAL, needs=(Need("compute.linux", 10),))
    plain = configure(default_snapshot, base).bundles[0]
    assert plain.availability is not None and plain.availability < D("99.7")
    demanding = replace(base, min_availability=D("99.7"))
    high = configure(default_snapshot, demanding).bundles[0]
    assert_valid(default_snapshot, demanding, high)
    assert high.availability is not None and high.availability >= D("99.7")
    assert high.quote.price.contract_cents > plain.quote.price.contract_cents


def test_include_and_exclude(default_snapshot: CatalogSnapshot) -> None:
    request = replace(TYPICAL, include=("SEC-EDR",), exclude=("OS-LNX-SLES", "SD-L1-BUS"))
    bundle = configure(default_snapshot, request).bundles[0]
    assert_valid(default_snapshot, request, bundle)
    codes = {line.component.code for line in bundle.quote.lines}
    assert "SEC-EDR" in codes and not {"OS-LNX-SLES", "SD-L1-BUS"} & codes


def test_an_offering_brings_its_default_components(default_snapshot: CatalogSnapshot) -> None:
    request = ConfigurationRequest(
        "EUR", 36, (Need("compute.linux", 5),), offering="OFF-HYBRID-CLOUD"
    )
    bundle = configure(default_snapshot, request).bundles[0]
    assert_valid(default_snapshot, request, bundle)
    codes = {line.component.code for line in bundle.quote.lines}
    assert set(default_snapshot.offering("OFF-HYBRID-CLOUD").default_components) <= codes
    reasons = {
        line.component.code: why
        for line, why in zip(bundle.quote.lines, bundle.reasons, strict=True)
    }
    assert "part of offering OFF-HYBRID-CLOUD" in reasons["SM-SDM"]


@pytest.mark.parametrize("book", ["EUR", "USD"])
def test_budget_below_the_cheapest_bundle_is_explained_and_repaired(
    default_snapshot: CatalogSnapshot, book: str
) -> None:
    request = replace(TYPICAL, price_book=book, budget_monthly=D("1000"))
    infeasible = why_infeasible(default_snapshot, request)
    budget = next(item for item in infeasible.conflicts if item.kind == "budget")
    assert budget.detail.startswith(
        f"budget 1,000.00 {book} a month is below the cheapest valid bundle, "
    )
    assert budget.detail.endswith(f" {book} a month")
    assert_minimal(default_snapshot, request, infeasible)
    assert infeasible.repairs
    repair = infeasible.repairs[0]
    assert [item.kind for item in repair.relax] == ["budget"]
    monthly = repair.bundle.quote.price.monthly
    least = f"{monthly.amount:,} {book} a month"
    assert repair.relax[0].detail == f"raise the budget to {least}"
    assert budget.detail.endswith(f", {least}")
    assert_valid(default_snapshot, relaxed_request(request, _groups(repair.relax)), repair.bundle)
    # The least budget: a cent less and no bundle fits.
    with pytest.raises(Infeasible):
        configure(default_snapshot, replace(request, budget_monthly=monthly.amount - D("0.01")))


AVAILABLE = ConfigurationRequest(
    "EUR", 36, (Need("compute.linux", 20), Need("storage.block", 30)), residency=("EU",)
)


@pytest.mark.parametrize("target", [D("99.9"), D("99.99")])
def test_an_unreachable_availability_offers_the_best_reachable(
    default_snapshot: CatalogSnapshot, target: Decimal
) -> None:
    # The repair once offered the cheapest bundle's 98.311 % while 99.82 % was reachable.
    request = replace(AVAILABLE, min_availability=target)
    infeasible = why_infeasible(default_snapshot, request)
    (repair,) = [r for r in infeasible.repairs if [i.kind for i in r.relax] == ["availability"]]
    best = D(repair.relax[0].detail.split()[1])
    assert repair.relax[0].detail == f"accept {best} % availability, the best a bundle reaches"
    assert best > D("99.8")
    assert repair.bundle.availability is not None and repair.bundle.availability >= best
    assert_valid(default_snapshot, replace(request, min_availability=best), repair.bundle)
    (item,) = [i for i in infeasible.conflicts if i.kind == "availability"]
    assert item.detail.endswith(f"; the best a bundle reaches is {best} %")
    # Rounded down to 0.001 %: the next figure up is out of reach.
    with pytest.raises(Infeasible):
        configure(default_snapshot, replace(request, min_availability=best + D("0.001")))


def test_a_need_past_every_providers_quantity_max_names_the_bound(
    default_snapshot: CatalogSnapshot,
) -> None:
    request = replace(AVAILABLE, needs=(Need("compute.linux", 20_000),))
    infeasible = why_infeasible(default_snapshot, request)
    (need,) = infeasible.conflicts
    maxima = {p.code: p.quantity.max for p in default_snapshot.providers_of("compute.linux")}
    assert need.detail.startswith(
        f"need compute.linux (20,000 server): every provider at its quantity.max covers "
        f"{sum(maxima.values()):,} server at most ("
    )
    assert all(f"{code} {most:,}" in need.detail for code, most in maxima.items())
    (repair,) = infeasible.repairs
    most = int(repair.relax[0].detail.split(" to ")[1].split()[0].replace(",", ""))
    assert repair.relax[0].detail == (
        f"lower the need compute.linux to {most:,} server, the most a bundle covers"
    )
    lowered = replace(request, needs=(Need("compute.linux", most),))
    assert_valid(default_snapshot, lowered, repair.bundle)
    with pytest.raises(Infeasible):
        configure(default_snapshot, replace(request, needs=(Need("compute.linux", most + 1),)))


def test_a_need_past_what_its_providers_require_names_that_bound(
    default_snapshot: CatalogSnapshot,
) -> None:
    # Both service desks (100,000 and 50,000 users at most) need one ITSM seat a user, and
    # SM-ITSM sells 100,000 at most: that is what binds, not the desks' own maxima.
    request = ConfigurationRequest("EUR", 36, (Need("service-desk", 140_000),))
    raised = why_infeasible(default_snapshot, request)
    (need,) = raised.conflicts
    assert need.detail == (
        "need service-desk (140,000 user): every provider needs 1 user of sm.itsm-platform "
        "per user, and its providers at their quantity.max cover 100,000 user at most "
        "(SM-ITSM 100,000)"
    )
    (repair,) = raised.repairs
    assert repair.detail == "lower the need service-desk to 100,000 user, the most a bundle covers"
    assert_valid(default_snapshot, replace(request, needs=(Need("service-desk", 100_000),)),
                 repair.bundle)  # fmt: skip


def test_a_centres_capacity_that_binds_says_what_each_unit_takes() -> None:
    snapshot = catalog(
        [component("CMP-A", price=10, max_quantity=100)],
        centres=[{**centre(), "monthly_capacity_hours": 5}],
    )
    request = ConfigurationRequest("EUR", 12, (Need("cap.a", 8),))
    raised = why_infeasible(snapshot, request)
    details = [item.detail for item in raised.conflicts]
    assert details == [
        "CZ-X can deliver 5 effort hours a month (each server of CMP-A takes 1)",
        "need cap.a (8 server)",
    ]
    (repair,) = raised.repairs
    assert repair.detail == "lower the need cap.a to 5 server, the most a bundle covers"


def test_a_repair_of_two_changes_says_and(default_snapshot: CatalogSnapshot) -> None:
    request = replace(AVAILABLE, residency=("UK",), budget_monthly=D("1000"))
    raised = why_infeasible(default_snapshot, request)
    pairs = [repair for repair in raised.repairs if len(repair.relax) == 2]
    assert pairs
    for repair in pairs:
        first, second = repair.relax
        assert repair.detail == f"{first.detail} and {second.detail}"
        assert_valid(
            default_snapshot, relaxed_request(request, _groups(repair.relax)), repair.bundle
        )


def test_residency_without_the_competency_is_explained(default_snapshot: CatalogSnapshot) -> None:
    request = ConfigurationRequest("EUR", 36, (Need("sap.basis", 4),), residency=("UK",))
    infeasible = why_infeasible(default_snapshot, request)
    kinds = {item.kind for item in infeasible.conflicts}
    assert kinds == {"need", "residency"}
    residency = next(item for item in infeasible.conflicts if item.kind == "residency")
    assert "no UK centre can deliver sap.basis (it needs competency 'sap-basis')" in (
        residency.detail
    )
    assert_minimal(default_snapshot, request, infeasible)
    first = infeasible.repairs[0]
    assert [item.kind for item in first.relax] == ["residency"]
    # Another centre: the repair names those outside the residency its bundle delivers from.
    used = [default_snapshot.delivery_centre(line.delivery_centre)
            for line in first.bundle.quote.lines]  # fmt: skip
    outside = sorted({f"{c.code} in {c.region}" for c in used if c.region != "UK"})
    assert outside
    assert first.detail == (
        f"allow delivery from other regions (its bundle delivers from {', '.join(outside)})"
    )


def _groups(items: tuple[object, ...]) -> tuple[Group, ...]:
    return tuple(Group(item.kind, item.ref) for item in items)  # type: ignore[attr-defined]


def assert_minimal(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, infeasible: Infeasible
) -> None:
    """The conflict's items alone admit no bundle, and without any one of them they do."""
    items = list(infeasible.conflicts)
    assert items and conflicts(snapshot, request, items)
    for index in range(len(items)):
        assert not conflicts(snapshot, request, items[:index] + items[index + 1 :]), items[index]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"needs": (Need("compute.lnux", 4),)}, "needs[0].capability"),
        ({"needs": (Need("compute.linux", 0),)}, "needs[0].quantity"),
        ({"include": ("CMP-NOPE",)}, "include[0]"),
        ({"residency": ("MARS",)}, "residency[0]"),
        ({"alternatives": 6}, "alternatives"),
        ({"price_book": "JPY"}, "price_book"),
        ({"min_availability": D(100)}, "min_availability"),
        ({"offering": "OFF-NOPE"}, "offering"),
    ],
)
def test_bad_requests_name_the_field(
    default_snapshot: CatalogSnapshot, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigurationInvalid) as raised:
        configure(default_snapshot, replace(TYPICAL, **change), Limits())  # type: ignore[arg-type]
    assert [problem.field for problem in raised.value.problems] == [field]


def test_parallel_workers_break_ties_the_same_way(default_snapshot: CatalogSnapshot) -> None:
    limits = Limits(workers=4)
    first = configure(default_snapshot, TYPICAL, limits).bundles[0]
    for _ in range(2):
        again = configure(default_snapshot, TYPICAL, limits).bundles[0]
        assert lines_of(again) == lines_of(first)
        assert again.quote.price.contract_cents == first.quote.price.contract_cents
