"""Which assured combinations a catalog change can affect: exactly those whose answer can
differ, found by comparing the part of the catalog each request can reach."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pydantic import TypeAdapter

from app.assurance.impact import affected
from app.assurance.suite import finding_of, request_of
from app.configurator import configure
from catalog import AssuredCombination, CatalogSnapshot, Rule


def combination(id: str, **request: Any) -> AssuredCombination:
    return AssuredCombination.model_validate(
        {"id": id, "name": id, "owner": "tests", "request": {"term_months": 36, **request}}
    )


LINUX = combination(
    "AC-LINUX",
    price_book="EUR",
    residency=["EU"],
    needs=[{"capability": "compute.linux", "quantity": 10}],
)
DESK = combination(
    "AC-DESK", price_book="EUR", needs=[{"capability": "service-desk", "quantity": 200}]
)
DESK_USD = combination(
    "AC-DESK-USD", price_book="USD", needs=[{"capability": "service-desk", "quantity": 200}]
)
ALL = (LINUX, DESK, DESK_USD)


def without(snapshot: CatalogSnapshot, code: str) -> CatalogSnapshot:
    """The catalog with ``code`` retired (no longer in the active catalog), and the rules
    that name it gone with it, as a retirement the catalog checks accept would leave it."""
    return snapshot.model_copy(
        update={
            "components": tuple(c for c in snapshot.components if c.code != code),
            "rules": tuple(r for r in snapshot.rules if code not in snapshot.members(r)),
        }
    )


RULE = TypeAdapter(Rule)
# Rules that act though they name no component in a request's scope (found by an
# independent review: the first filter kept only rules over a component in scope).
ACTING_RULES = {
    "global attribute": {"id": "R-ONLY-HYPERV", "kind": "attribute", "attribute": "hypervisor",
                         "mode": "allowed", "allowed": ["hyperv"], "message": "Hyper-V only."},
    "constant": {"id": "R-NEVER", "kind": "expression", "expression": "false",
                 "message": "Nothing, ever."},
    "inactive group": {"id": "R-DRAFT", "kind": "choose", "group": ["CMP-NOT-ACTIVE"],
                       "min": 1, "max": 1, "message": "A draft component in every bundle."},
}  # fmt: skip


def with_rule(snapshot: CatalogSnapshot, rule: dict[str, Any]) -> CatalogSnapshot:
    return snapshot.model_copy(update={"rules": (*snapshot.rules, RULE.validate_python(rule))})


def ids(found: tuple[AssuredCombination, ...]) -> list[str]:
    return [each.id for each in found]


def test_an_unchanged_catalog_affects_nothing(default_snapshot: CatalogSnapshot) -> None:
    same = default_snapshot.model_copy(update={"rules": default_snapshot.rules})
    assert ids(affected(default_snapshot, same, ALL)) == []


def test_a_component_affects_the_combinations_whose_requests_reach_it(
    default_snapshot: CatalogSnapshot,
) -> None:
    linux_vm = default_snapshot.providers_of("compute.linux")[0].code
    assert ids(affected(default_snapshot, without(default_snapshot, linux_vm), ALL)) == ["AC-LINUX"]


def test_a_price_book_affects_the_combinations_priced_in_it(
    default_snapshot: CatalogSnapshot,
) -> None:
    books = tuple(
        book.model_copy(update={"name": book.name + " (renamed)"}) if book.code == "USD" else book
        for book in default_snapshot.price_books
    )
    after = default_snapshot.model_copy(update={"price_books": books})
    assert ids(affected(default_snapshot, after, ALL)) == ["AC-DESK-USD"]


def test_a_rule_affects_the_combinations_it_reaches(default_snapshot: CatalogSnapshot) -> None:
    desk = {code for p in default_snapshot.providers_of("service-desk") for code in [p.code]}
    rule = next(r for r in default_snapshot.rules if desk & set(default_snapshot.members(r)))
    after = default_snapshot.model_copy(
        update={"rules": tuple(r for r in default_snapshot.rules if r is not rule)}
    )
    found = ids(affected(default_snapshot, after, ALL))
    assert "AC-DESK" in found and "AC-DESK-USD" in found


@pytest.mark.parametrize("rule", sorted(ACTING_RULES))
def test_a_rule_naming_nothing_in_scope_still_affects_what_it_acts_on(
    default_snapshot: CatalogSnapshot, rule: str
) -> None:
    after = with_rule(default_snapshot, ACTING_RULES[rule])
    hit = ids(affected(default_snapshot, after, ALL))
    # Hyper-V only: the Linux request reaches hypervisor hosts; the desks carry no hypervisor.
    assert hit == (["AC-LINUX"] if rule == "global attribute" else ids(ALL))
    if rule == "global attribute":
        return  # the Linux bundle's servers carry no hypervisor: its answer may stay
    for each in affected(default_snapshot, after, ALL):  # nothing is possible any more
        request = request_of(each)
        assert finding_of(lambda r: configure(after, r), request) != finding_of(
            lambda r: configure(default_snapshot, r), request
        ), each.id


def with_centre(snapshot: CatalogSnapshot, competency: str) -> CatalogSnapshot:
    """The catalog with a new EU centre holding only ``competency``, at half Brno's rates (so
    it wins every line it can deliver)."""
    brno = snapshot.delivery_centre("CZ-BRN")
    rates = {skill: rate / 2 for skill, rate in brno.labour_rates.items()}
    new = brno.model_copy(
        update={"code": "EU-NEW", "competencies": (competency,), "labour_rates": rates}
    )
    return snapshot.model_copy(update={"delivery_centres": (*snapshot.delivery_centres, new)})


def test_a_centre_affects_the_combinations_whose_components_it_could_deliver(
    default_snapshot: CatalogSnapshot,
) -> None:
    # The Linux request reaches nearly the whole catalog (its tables and rules bring SAP,
    # collaboration and the rest into scope); the service desk reaches no collaboration.
    collaboration = with_centre(default_snapshot, "collaboration")
    assert ids(affected(default_snapshot, collaboration, ALL)) == ["AC-LINUX"]
    desk = with_centre(default_snapshot, "service-desk")
    assert ids(affected(default_snapshot, desk, ALL)) == ["AC-LINUX", "AC-DESK", "AC-DESK-USD"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_combination_found_unaffected_answers_the_same(
    default_snapshot: CatalogSnapshot, seed: int
) -> None:
    """The filter is only worth having if it is exact: for components taken out and centres
    added at random, every combination it calls unaffected gets the very same answer on the
    new catalog."""
    codes = sorted(component.code for component in default_snapshot.components)
    checked = 0
    skills = sorted({component.competency for component in default_snapshot.components})
    changes = [without(default_snapshot, code) for code in random.Random(seed).sample(codes, 8)]
    changes += [
        with_centre(default_snapshot, skill) for skill in random.Random(seed).sample(skills, 4)
    ]
    changes += [with_rule(default_snapshot, rule) for rule in ACTING_RULES.values()]
    for after in changes:
        hit = affected(default_snapshot, after, ALL)
        for each in ALL:
            if each in hit:
                continue
            request = request_of(each)
            before_answer = finding_of(lambda r: configure(default_snapshot, r), request)
            after_answer = finding_of(lambda r, after=after: configure(after, r), request)
            assert after_answer == before_answer, each.id
            checked += 1
    assert checked > 0
