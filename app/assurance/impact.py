"""Which assured combinations a catalog change can affect, so a change runs only those.

A combination's answer depends only on the part of the catalog its request can reach: the
components in its scope (the configurator's, with every variant of each need), the rules
that can act on them (``rules_over``), its price book and offering, the components it
names, the centres that hold a competency of those components (or are in a region it asks
for), and the capabilities and competencies those components and its needs name. A change
that leaves that part equal leaves the answer equal; comparing the parts of the catalogs
before and after is exact for any kind of change (a version activated or retired, a rule,
a price, a centre), with no list of change kinds to keep up to date. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.assurance.suite import request_of
from app.configurator import relevant_components, rules_over
from catalog import AssuredCombination, CatalogSnapshot


def _or_none(lookup: Any, code: str) -> Any:
    try:
        return lookup(code)
    except KeyError:
        return None


def relevant_part(snapshot: CatalogSnapshot, combination: AssuredCombination) -> tuple[Any, ...]:
    """Everything of ``snapshot`` the answer to ``combination`` can depend on, comparable with
    ``==`` (unchanged records are the same objects in both catalogs: compared by identity)."""
    request = request_of(combination)
    scope = relevant_components(snapshot, request)
    components = tuple(snapshot.component(code) for code in sorted(scope))
    rules = rules_over(snapshot, scope)
    named = tuple(_or_none(snapshot.component, code) for code in combination.components())
    offering = None if request.offering is None else _or_none(snapshot.offering, request.offering)
    # A centre can deliver a line only with the line's competency; one in an asked region is
    # read when the request is validated (a region needs a centre).
    skills = {component.competency for component in components}
    regions = set(request.residency or ())
    centres = tuple(
        centre
        for centre in snapshot.delivery_centres
        if skills.intersection(centre.competencies) or centre.region in regions
    )
    capabilities = sorted(
        {need.capability for need in request.needs}
        | {code for component in components for code in (*component.provides, *component.requires)}
    )
    return (
        combination,
        components,
        rules,
        named,
        _or_none(snapshot.price_book, request.price_book),
        offering,
        centres,
        tuple(_or_none(snapshot.capability, code) for code in capabilities),
        tuple(competency for competency in snapshot.competencies if competency.code in skills),
    )


def affected(
    before: CatalogSnapshot, after: CatalogSnapshot, combinations: Iterable[AssuredCombination]
) -> tuple[AssuredCombination, ...]:
    """The ``combinations`` whose answer on ``after`` can differ from their answer on
    ``before``."""
    return tuple(
        combination
        for combination in combinations
        if relevant_part(before, combination) != relevant_part(after, combination)
    )
