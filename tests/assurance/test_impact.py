"""Which assured combinations a catalog change can affect: exactly those whose answer can
differ, found by comparing the part of the catalog each request can reach."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.assurance.impact import affected
from app.assurance.suite import finding_of, request_of
from app.configurator import configure
from catalog import AssuredCombination, CatalogSnapshot


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
